import MxSpecModel

/// Emits the `MxChips` module: per chip, its PCI IDs and its golden register sequences with
/// every register resolved to its offset in the chip's blocks (so the module needs no block
/// module to apply them).
public struct ChipEmitter: Sendable {
  public static let moduleName = "MxChips"

  public init() {}

  public func emit(_ chips: [Chip], blocks: [Block]) -> [GeneratedFile] {
    chips.sorted { $0.name < $1.name }.map { chip in
      var writer = SwiftWriter()
      writer.line(GeneratedFile.banner)
      writer.line("// Chip \(chip.name).")
      writer.line()
      writer.line("import MxMMIO")
      writer.line()
      let used = blocks.used(by: chip)
      let registers = DirectRegisterIndex(used, writtenBy: chip)
      let blockList = used.map(\.id).joined(separator: ", ")
      writer.doc("\(chip.name)\(chip.family.map { " (\($0))" } ?? ""): blocks \(blockList).", chip.doc)
      writer.block("public enum \(SwiftNaming.identifier(chip.name))") { body in
        body.doc("PCI IDs of \(chip.name), from the spec; `.unknown` where no source says which function it is.")
        body.line("public static let pciIDs: [PCIDeviceID] = [")
        for id in chip.pciIDs {
          let function = [Chip.FunctionKind.physical: ".physical", .virtual: ".virtual", .unknown: ".unknown"][
            id.function]!
          body.line(
            "  PCIDeviceID(vendor: \(Hex.literal(UInt64(id.vendor), minimumDigits: 4)), device: \(Hex.literal(UInt64(id.device), minimumDigits: 4)), function: \(function)),"
          )
        }
        body.line("]")
        body.line()
        body.doc("The golden sequences in the order the driver applies them.")
        body.line("public static let goldenSequences: [[GoldenWrite]] = [")
        for sequence in chip.goldenSequences { body.line("  \(SwiftNaming.identifier(sequence.name)),") }
        body.line("]")
        for sequence in chip.goldenSequences {
          body.line()
          body.doc("`\(sequence.name)`: \(sequence.writes.count) writes.", sequence.doc)
          body.line("public static let \(SwiftNaming.identifier(sequence.name)): [GoldenWrite] = [")
          for write in sequence.writes {
            let offset = registers.registers(named: write.register).first?.offset ?? 0
            body.line(
              "  GoldenWrite(\"\(write.register)\", offset: \(Hex.literal(UInt64(offset))), and: \(Hex.word(write.andMask)), or: \(Hex.word(write.orMask))),"
            )
          }
          body.line("]")
        }
      }
      return GeneratedFile(path: "\(Self.moduleName)/\(chip.name).swift", contents: writer.text)
    }
  }
}
