import MxSpecModel

extension ValidationContext {
  mutating func checkChips() {
    checkNames(spec.chips, kind: "chip", in: "the specs", name: \.name, location: \.location)
    var firstByDevice: [UInt32: (chip: String, location: SourceLocation)] = [:]
    for (index, chip) in spec.chips.enumerated() {
      let scope = "chip '\(chip.name)'"
      let settled = index < settledChips
      var blocks: [Block] = []
      var used = Set<String>()
      for use in chip.uses where !settled {
        guard let block = spec.block(named: use.block, version: use.version) else {
          error("\(scope) uses unknown block '\(use.block)' version \(use.version)", at: use.location)
          continue
        }
        if !used.insert(use.block).inserted {
          error("\(scope) uses block '\(use.block)' more than once", at: use.location)
          continue
        }
        blocks.append(block)
      }
      for id in chip.pciIDs {
        let key = UInt32(id.vendor) << 16 | UInt32(id.device)
        if let first = firstByDevice[key] {
          error(
            "PCI ID \(Hex.plain(id.vendor)):\(Hex.plain(id.device)) is already listed for chip '\(first.chip)' at \(first.location)",
            at: id.location)
        } else {
          firstByDevice[key] = (chip.name, id.location)
        }
      }
      guard !settled else { continue }
      checkNames(chip.goldenSequences, kind: "golden sequence", in: scope, name: \.name, location: \.location)
      let registers = DirectRegisterIndex(blocks, writtenBy: chip)
      for sequence in chip.goldenSequences {
        for write in sequence.writes {
          let matches = registers.registers(named: write.register)
          if matches.isEmpty {
            error(
              "golden sequence '\(sequence.name)' writes unknown register '\(write.register)': no block of \(scope) defines it",
              at: write.location)
          } else if Set(matches.map(\.offset)).count > 1 {
            error(
              "golden sequence '\(sequence.name)' writes register '\(write.register)', which blocks of \(scope) define at different offsets",
              at: write.location)
          }
        }
      }
    }
  }
}
