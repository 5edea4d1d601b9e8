import Foundation
import MxSpecModel

/// Messages for people go to standard error, so standard output stays data (JSON, schema).
enum Console {
  static func report(_ diagnostics: Diagnostics) {
    for diagnostic in diagnostics.sorted { write(diagnostic.description) }
  }

  static func error(_ message: String) { write("error: " + message) }
  static func note(_ message: String) { write("note: " + message) }

  private static func write(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
  }
}
