import ArgumentParser
import Foundation
import MxSpecModel

/// Messages for people go to standard error, so standard output stays data (JSON, schema).
enum Console {
  static func report(_ diagnostics: Diagnostics) {
    for diagnostic in diagnostics.sorted { write(diagnostic.description) }
  }

  /// Prints `diagnostics`; when there are errors, says that `output` was left as it was and
  /// exits with status 1.
  static func stopOnErrors(_ diagnostics: Diagnostics, leaving output: String) throws {
    report(diagnostics)
    guard !diagnostics.hasErrors else {
      error("\(diagnostics.errors.count) error(s); '\(output)' was not changed")
      throw ExitCode.failure
    }
  }

  static func error(_ message: String) { write("error: " + message) }

  /// Prints `message` as an error and gives the exit status 1 to throw: a user's mistake that the
  /// argument parser could read (it exits 64, with the usage, only for what it cannot).
  static func failure(_ message: String) -> ExitCode {
    error(message)
    return ExitCode.failure
  }
  static func note(_ message: String) { write("note: " + message) }

  private static func write(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
  }
}
