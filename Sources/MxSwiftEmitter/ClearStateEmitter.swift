import MxSpecModel

/// Emits the `MxClearState` module: the extent type, and per clear state an enum with its
/// context extents in the header's order, each value commented with its register's name.
public struct ClearStateEmitter: Sendable {
  public static let moduleName = "MxClearState"

  public init() {}

  /// `vi` → `ViClearState`.
  public static func typeName(_ name: String) -> String {
    name.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "ClearState"
  }

  public func emit(_ clearStates: [ClearState]) -> [GeneratedFile] {
    guard !clearStates.isEmpty else { return [] }
    return [extentType()] + clearStates.sorted { $0.name < $1.name }.map(file)
  }

  private func extentType() -> GeneratedFile {
    var writer = SwiftWriter()
    writer.line(GeneratedFile.banner)
    writer.line()
    writer.doc(
      "Consecutive context registers and the values a clear state gives them: what one SET_CONTEXT_REG sends "
        + "(`struct cs_extent_def`).")
    writer.block("public struct ClearStateExtent: Sendable") { body in
      body.doc("The first register's dword offset in MMIO space (`reg_index`).")
      body.line("public let registerOffset: UInt32")
      body.doc("One value a register from `registerOffset` on; 0 where no register is (a hole).")
      body.line("public let values: [UInt32]")
      body.line()
      body.line("@inlinable")
      body.block("public init(registerOffset: UInt32, values: [UInt32])") { initializer in
        initializer.line("self.registerOffset = registerOffset")
        initializer.line("self.values = values")
      }
    }
    return GeneratedFile(path: "\(Self.moduleName)/ClearStateExtent.swift", contents: writer.text)
  }

  private func file(_ clearState: ClearState) -> GeneratedFile {
    let type = Self.typeName(clearState.name)
    let dwords = clearState.extents.reduce(0) { $0 + $1.values.count }
    var writer = SwiftWriter()
    writer.line(GeneratedFile.banner)
    writer.line("// Clear state \(clearState.name).")
    writer.line()
    writer.doc(
      "Clear state `\(clearState.name)`: the values the driver gives the context registers of block "
        + "`\(clearState.registerBlock)` between PREAMBLE_CNTL's BEGIN_CLEAR_STATE and END_CLEAR_STATE.",
      clearState.doc)
    writer.block("public enum \(type)") { body in
      body.doc(
        "The context extents in the header's order (\(clearState.extents.count) extents, \(dwords) dwords): each one "
          + "SET_CONTEXT_REG.")
      body.line("public static let contextExtents: [ClearStateExtent] = [")
      for extent in clearState.extents {
        body.line("  // \(extent.header)")
        body.line("  ClearStateExtent(")
        body.line("    registerOffset: \(Hex.literal(UInt64(extent.start))),")
        body.line("    values: [")
        // swift format keeps a trailing comma after the last of several elements, not after one.
        let comma = extent.values.count > 1 ? "," : ""
        for value in extent.values {
          body.line("      \(Hex.word(value.value))\(comma)  // \(value.register ?? "hole")")
        }
        body.line("    ]),")
      }
      body.line("]")
    }
    return GeneratedFile(path: "\(Self.moduleName)/\(type).swift", contents: writer.text)
  }
}
