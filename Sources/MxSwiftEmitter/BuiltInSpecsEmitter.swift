import MxSpecModel

/// Emits the `MxBuiltInSpecs` module: the validated model of Specs/ as a `SpecArchive` in a raw
/// string literal, so that the tools (`gen describe`, `decode`, `doc` and `target`, `mxgpu`,
/// `mxgpu-sim`) carry their data, work from any folder, and start without reading, checking and
/// validating 2.5 MB of XML again (docs/GeneratedCode.md has the figures).
public struct BuiltInSpecsEmitter: Sendable {
  public static let moduleName = "MxBuiltInSpecs"

  public init() {}

  /// The module for `spec`, read from `specsFolder`, whose source paths it gives as below
  /// `Specs/`.
  public func emit(_ spec: Spec, specsFolder: String) -> [GeneratedFile] {
    var file = SwiftWriter()
    file.line(GeneratedFile.banner)
    file.line("// The specs built into the tools.")
    file.line()
    file.doc(
      "MxGPUKit's specs as `swift run gen` read and validated them: what `gen describe`, `decode`, `doc` and "
        + "`target`, `mxgpu` and `mxgpu-sim` use when no `--specs` is given.")
    file.block("public enum BuiltInSpecs") { body in
      body.doc("The model of Specs/ as a `SpecArchive` (MxSpecModel reads it), source locations included.")
      body.line(
        "public static let archive = \(Self.rawLiteral(SpecArchive.text(of: spec, renamingFolder: (specsFolder, "Specs"))))"
      )
    }
    return [GeneratedFile(path: "\(Self.moduleName)/BuiltInSpecs.swift", contents: file.text)]
  }

  /// A multi-line raw string literal, for a member's value, whose value is `contents`, which
  /// ends in a line break and holds no carriage return. Its `#` delimiters outnumber every run
  /// of `#` that follows a quote or a backslash in the text, so the text can neither end the
  /// literal nor hold an escape.
  public static func rawLiteral(_ contents: String) -> String {
    precondition(contents.hasSuffix("\n") && !contents.contains("\r"), "a literal's text ends its last line")
    var hashes = "#"
    while contents.contains("\"" + hashes) || contents.contains("\\" + hashes) { hashes += "#" }
    // Indented as `swift format` indents a literal in a member, which Swift takes off again (up
    // to the closing delimiter's indentation; empty lines need none).
    let indented = contents.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map {
      $0.isEmpty ? "" : "    " + $0
    }
    return hashes + "\"\"\"\n" + indented.joined(separator: "\n") + "\n\n    \"\"\"" + hashes
  }
}
