/// A spec file held in memory.
public struct SpecText: Sendable, Hashable {
  /// Where the text's diagnostics point, and what its includes are relative to.
  public var path: String
  public var contents: String

  public init(path: String, contents: String) {
    self.path = path
    self.contents = contents
  }
}
