import MxSpecModel

extension ValidationContext {
  /// `PACKET3_SET_CONTEXT_REG_START` and `_END` (vid.h): the context registers SET_CONTEXT_REG
  /// reaches, the only ones a clear state may hold.
  static let contextRegisters: Range<UInt32> = 0xA000..<0xA400

  /// Clear states: each names a known register block; its extents lie in the context register
  /// window and apart; every value sits at its register's offset, and every hole where the
  /// block has no register.
  mutating func checkClearStates() {
    checkNames(spec.clearStates, kind: "clear state", in: "the specs", name: \.name, location: \.location)
    for clearState in spec.clearStates {
      let scope = "clear state '\(clearState.name)'"
      guard let block = spec.block(id: clearState.registerBlock) else {
        error("\(scope) is for registers of unknown block '\(clearState.registerBlock)'", at: clearState.location)
        continue
      }
      let registers = block.registers.filter { $0.space == AddressSpace.mmioName }
      let offsets = Dictionary(registers.map { ($0.name, $0.offset) }, uniquingKeysWith: { first, _ in first })
      let names = Dictionary(registers.map { ($0.offset, $0.name) }, uniquingKeysWith: { first, _ in first })
      checkNames(clearState.extents, kind: "extent", in: scope, name: \.header, location: \.location)
      var placed: [(range: Range<UInt32>, header: String)] = []
      for extent in clearState.extents {
        let range = extent.start..<extent.start + UInt32(extent.values.count)
        let window = Self.contextRegisters
        if !(window.contains(range.lowerBound) && range.upperBound <= window.upperBound) {
          error(
            "extent '\(extent.header)' (\(Hex.literal(UInt64(range.lowerBound)))..<\(Hex.literal(UInt64(range.upperBound)))) lies outside the context registers (0xA000..<0xA400)",
            at: extent.location)
        }
        if let other = placed.first(where: { $0.range.overlaps(range) }) {
          error("extent '\(extent.header)' overlaps extent '\(other.header)'", at: extent.location)
        }
        placed.append((range, extent.header))
        for (index, value) in extent.values.enumerated() {
          let offset = extent.start + UInt32(index)
          guard let register = value.register else {
            if let name = names[offset] {
              error("a hole at \(Hex.literal(UInt64(offset))), where register '\(name)' is", at: value.location)
            }
            continue
          }
          guard let expected = offsets[register] else {
            error("value for unknown register '\(register)' of block '\(block.id)'", at: value.location)
            continue
          }
          if expected != offset {
            error(
              "value for register '\(register)' at \(Hex.literal(UInt64(offset))), but the register is at \(Hex.literal(UInt64(expected)))",
              at: value.location)
          }
        }
      }
    }
  }
}
