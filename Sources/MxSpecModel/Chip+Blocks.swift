extension Sequence where Element == Block {
  /// The blocks `chip` uses, in the chip's order; uses that name no block here are left out.
  public func used(by chip: Chip) -> [Block] {
    chip.uses.compactMap { use in first { $0.name == use.block && $0.version == use.version } }
  }

  /// The direct (MMIO) registers called `name`: one per block that defines one. Golden
  /// sequences name registers this way.
  public func directRegisters(named name: String) -> [Register] {
    compactMap { block in block.registers.first { $0.name == name && $0.space == AddressSpace.mmioName } }
  }
}
