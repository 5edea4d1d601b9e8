import MxSpecModel

/// Emits the `MxBuiltInSpecs` module: every spec file `gen` read, as a raw string literal, so
/// that the tools (`gen describe`, `decode`, `doc`, `mxgpu`, `mxgpu-sim`) carry their data and
/// work from any folder, and a release binary copied alone still has it.
///
/// Why text and not a compiled model: the loader, the schema and the validator then check the
/// built-in data on every start exactly as they check a `--specs` folder, with no second reader
/// to keep in step; and a 1 MB literal costs the compiler about half a second.
public struct SpecTextEmitter: Sendable {
  public static let moduleName = "MxBuiltInSpecs"

  public init() {}

  public func emit(_ texts: [SpecText]) -> [GeneratedFile] {
    let sorted = texts.sorted { $0.path < $1.path }
    var names = Set<String>()
    let entries = sorted.map { text -> (text: SpecText, name: String) in
      var name = Self.constantName(text.path)
      while !names.insert(name).inserted { name += "_" }
      return (text, name)
    }
    var index = SwiftWriter()
    index.line(GeneratedFile.banner)
    index.line("// The specs built into the tools.")
    index.line()
    index.doc(
      "MxGPUKit's specs as `swift run gen` read them: what `gen describe`, `decode` and `doc`, `mxgpu` and "
        + "`mxgpu-sim` load when no `--specs` is given.")
    index.block("public enum BuiltInSpecs") { body in
      body.doc("Every spec file by its path in the MxGPUKit repository, in path order.")
      body.line("public static let files: [(path: String, contents: String)] = [")
      // A trailing comma where `swift format` puts one: after each element of a longer list.
      let comma = entries.count > 1 ? "," : ""
      for entry in entries { body.line("  (\(Self.quoted(entry.text.path)), \(entry.name))\(comma)") }
      body.line("]")
    }
    return [GeneratedFile(path: "\(Self.moduleName)/BuiltInSpecs.swift", contents: index.text)]
      + entries.map { entry in
        var file = SwiftWriter()
        file.line(GeneratedFile.banner)
        file.line("// A spec file built into the tools.")
        file.line()
        file.block("extension BuiltInSpecs") { body in
          body.doc("`\(entry.text.path)`.")
          body.line("static let \(entry.name) = \(Self.rawLiteral(entry.text.contents))")
        }
        return GeneratedFile(path: "\(Self.moduleName)/\(entry.name).swift", contents: file.text)
      }
  }

  /// `Specs/blocks/gca/gfx_8_0.xml` → `blocks_gca_gfx_8_0`: the path below the specs folder,
  /// without its extension, every other character than a letter or digit made `_`.
  static func constantName(_ path: String) -> String {
    var relative = Substring(path)
    if relative.hasPrefix("Specs/") { relative = relative.dropFirst("Specs/".count) }
    if relative.hasSuffix(".xml") { relative = relative.dropLast(".xml".count) }
    let name = String(relative.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    return name.first?.isNumber == false ? name : "_" + name
  }

  /// A multi-line raw string literal, for a member's value, whose value is `contents` with XML's
  /// line-end handling applied (CR LF and a lone CR become LF, as every XML parser reads them; a
  /// Swift literal would turn them into LF anyway). Its `#` delimiters outnumber every run of `#`
  /// that follows a quote or a backslash in the text, so the text can neither end the literal nor
  /// hold an escape.
  public static func rawLiteral(_ contents: String) -> String {
    let text = contents.replacing("\r\n", with: "\n").replacing("\r", with: "\n")
    var hashes = "#"
    while text.contains("\"" + hashes) || text.contains("\\" + hashes) { hashes += "#" }
    // Indented as `swift format` indents a literal in a member, which Swift takes off again (up
    // to the closing delimiter's indentation; empty lines need none). The line break before the
    // closing delimiter is not part of the value, so the text gets one of its own.
    let indented = text.split(separator: "\n", omittingEmptySubsequences: false).map {
      $0.isEmpty ? "" : "    " + $0
    }
    return hashes + "\"\"\"\n" + indented.joined(separator: "\n") + "\n    \"\"\"" + hashes
  }

  /// A string literal of `path`, every character that could end it or its line escaped.
  private static func quoted(_ path: String) -> String {
    var result = "\""
    for scalar in path.unicodeScalars {
      switch scalar {
      case "\\", "\"": result += "\\" + String(scalar)
      case _ where scalar.value < 0x20 || scalar.value == 0x7F || !scalar.isASCII:
        result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result + "\""
  }
}
