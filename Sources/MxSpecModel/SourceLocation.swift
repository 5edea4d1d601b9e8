/// A position in a spec file, 1-based, as printed in compiler-format diagnostics.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// Path of the file as given to the loader.
  public var file: String
  public var line: Int
  public var column: Int

  public init(file: String, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }

  /// `path:line:col`
  public var description: String { "\(file):\(line):\(column)" }

  public static func < (a: Self, b: Self) -> Bool {
    (a.file, a.line, a.column) < (b.file, b.line, b.column)
  }
}
