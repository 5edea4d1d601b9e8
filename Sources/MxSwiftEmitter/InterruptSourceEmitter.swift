import MxSpecModel

/// Emits the `MxInterruptSources` module: per interrupt source set a value type with the IV
/// entry's source ID and extended ID, and one constant per source named as code uses it, its
/// header macro in its documentation.
public struct InterruptSourceEmitter: Sendable {
  public static let moduleName = "MxInterruptSources"

  public init() {}

  /// `vislands30` → `Vislands30InterruptSource`.
  public static func typeName(_ set: String) -> String {
    set.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "InterruptSource"
  }

  public func emit(_ sets: [InterruptSourceSet]) -> [GeneratedFile] {
    sets.sorted { $0.name < $1.name }.map { set in
      let type = Self.typeName(set.name)
      let sources = set.sources.sorted { ($0.id, $0.extendedID ?? 0, $0.name) < ($1.id, $1.extendedID ?? 0, $1.name) }
      var writer = SwiftWriter()
      writer.line(GeneratedFile.banner)
      writer.line("// Interrupt sources \(set.name).")
      writer.line()
      writer.doc(
        "An interrupt source of set `\(set.name)`: the source ID an IV entry carries (`src_id`) and, for the sources "
          + "that share one, the extended ID that tells them apart (`ext_id`).", set.doc)
      writer.block("public struct \(type): Hashable, Sendable") { body in
        body.doc("`src_id`: bits 7:0 of the IV entry's first dword.")
        body.line("public var sourceID: UInt32")
        body.doc("`ext_id`, for a source that shares its source ID with others; nil otherwise.")
        body.line("public var extendedID: UInt32?")
        body.line()
        body.line("@inlinable")
        body.block("public init(sourceID: UInt32, extendedID: UInt32? = nil)") { initializer in
          initializer.line("self.sourceID = sourceID")
          initializer.line("self.extendedID = extendedID")
        }
        for source in sources {
          body.line()
          let extended = source.extendedID.map { ", extended ID \($0)" } ?? ""
          body.doc(
            "`\(source.header)`: source ID \(source.id) (\(Hex.literal(UInt64(source.id))))\(extended).", source.doc)
          let arguments =
            "sourceID: \(Hex.literal(UInt64(source.id)))" + (source.extendedID.map { ", extendedID: \($0)" } ?? "")
          body.line("public static let \(SwiftNaming.identifier(source.name)) = Self(\(arguments))")
        }
        body.line()
        body.doc("Every source with the name code uses for it, by source ID and extended ID.")
        body.line("public static let all: [(name: String, source: Self)] = [")
        for source in sources {
          body.line("  (\"\(source.name)\", \(SwiftNaming.identifier(source.name))),")
        }
        body.line("]")
      }
      return GeneratedFile(path: "\(Self.moduleName)/\(type).swift", contents: writer.text)
    }
  }
}
