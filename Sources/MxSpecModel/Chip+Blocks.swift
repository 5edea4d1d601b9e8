extension Sequence where Element == Block {
  /// The blocks `chip` uses, in the chip's order; uses that name no block here are left out.
  public func used(by chip: Chip) -> [Block] {
    chip.uses.compactMap { use in first { $0.name == use.block && $0.version == use.version } }
  }
}

/// The direct (MMIO) registers of some blocks by name: how golden sequences name registers.
/// Built once per chip, so that looking up every write is not a scan of every register.
public struct DirectRegisterIndex: Sendable {
  private let byName: [String: [Register]]

  /// The registers of `blocks` called one of `names` (the registers a chip's golden sequences
  /// write).
  public init(_ blocks: some Sequence<Block>, names: Set<String>) {
    var byName: [String: [Register]] = [:]
    for block in blocks {
      // One per block: the first of a name, as the block defines it.
      var seen = Set<String>()
      for register in block.registers
      where register.space == AddressSpace.mmioName && names.contains(register.name)
        && seen.insert(register.name).inserted
      {
        byName[register.name, default: []].append(register)
      }
    }
    self.byName = byName
  }

  /// The registers of `blocks` that `chip`'s golden sequences write.
  public init(_ blocks: some Sequence<Block>, writtenBy chip: Chip) {
    self.init(blocks, names: Set(chip.goldenSequences.flatMap { $0.writes.map(\.register) }))
  }

  /// The direct registers called `name`: one per block that defines one.
  public func registers(named name: String) -> [Register] { byName[name] ?? [] }
}
