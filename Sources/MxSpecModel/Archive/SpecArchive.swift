/// The validated model of a specs folder as text: what `swift run gen` builds into the tools
/// (`MxBuiltInSpecs`) so that they start without reading, schema-checking and validating the XML
/// again: `gen target`, which the build plugin runs on every change, takes a sixth of the time
/// (docs/Plugin.md, "Cost").
///
/// The text is a sequence of tokens, each ended by a tab, or by a line break where a new block,
/// register, packet or other top-level item starts (for the reader both are the same; the breaks
/// make a diff of two archives readable). A token is one of:
/// - an unsigned decimal integer;
/// - a string, with `\`, tab, line break, carriage return and `~` written `\\`, `\t`, `\n`, `\r`
///   and `\~`;
/// - `~`, an absent optional;
/// - a count, followed by that many items.
/// Every type writes its stored properties in a fixed order (`Spec+Archive.swift`); a source
/// location is a file number, its line and column, where the file number one past the last one
/// seen is followed by the new file's path. The first token names the format and its version.
///
/// The writer and the reader are kept in step by a round-trip test on the whole of Specs/, and
/// the archive in `Generated/` by `gen --check`, as every generated file is.
public enum SpecArchive {
  /// The first token: a reader refuses an archive of another version instead of misreading it.
  static let formatToken = "mxgpukit-spec-archive-1"

  /// The archive of `spec`. With `renamingFolder`, source paths in the first folder are written
  /// as in the second: the archive then does not depend on the path `gen` was given.
  public static func text(of spec: Spec, renamingFolder folders: (from: String, to: String)? = nil) -> String {
    var writer = ArchiveWriter()
    if let folders { writer.renameFolder(from: folders.from, to: folders.to) }
    writer.string(formatToken)
    spec.write(to: &writer)
    return writer.text
  }

  /// The spec `text` holds; throws `SpecArchiveError` where it does not read.
  public static func spec(from text: String) throws -> Spec {
    var text = text
    return try text.withUTF8 { bytes in
      var reader = ArchiveReader(bytes)
      guard try reader.string() == formatToken else {
        throw SpecArchiveError(offset: 0, message: "not a spec archive of format '\(formatToken)'")
      }
      let spec = try Spec(from: &reader)
      try reader.expectEnd()
      return spec
    }
  }
}

/// A spec archive that does not read: where, and what was wrong there.
public struct SpecArchiveError: Error, Equatable, CustomStringConvertible {
  /// The byte offset into the archive's UTF-8 text.
  public var offset: Int
  public var message: String

  public var description: String { "spec archive, byte \(offset): \(message)" }
}

/// A model type that writes itself into an archive and reads itself back.
protocol Archivable {
  func write(to writer: inout ArchiveWriter)
  init(from reader: inout ArchiveReader) throws
}
