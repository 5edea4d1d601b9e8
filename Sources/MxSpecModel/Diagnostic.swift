/// One problem found in the specs, printed in the compiler format `path:line:col: error: message`.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
  public enum Severity: String, Sendable {
    case error
    case warning
    case note
  }

  public var severity: Severity
  public var message: String
  /// Where the problem is; nil only for problems that belong to no file (an unreadable folder).
  public var location: SourceLocation?

  public init(_ severity: Severity, _ message: String, at location: SourceLocation?) {
    self.severity = severity
    self.message = message
    self.location = location
  }

  public var description: String {
    guard let location else { return "\(severity.rawValue): \(message)" }
    return "\(location): \(severity.rawValue): \(message)"
  }
}

/// Collects every diagnostic of a run, so that one run reports all problems, not just the first.
public struct Diagnostics: Sendable {
  public private(set) var all: [Diagnostic] = []

  public init() {}

  public var hasErrors: Bool { all.contains { $0.severity == .error } }
  public var errors: [Diagnostic] { all.filter { $0.severity == .error } }

  public mutating func error(_ message: String, at location: SourceLocation?) {
    all.append(Diagnostic(.error, message, at: location))
  }

  public mutating func warning(_ message: String, at location: SourceLocation?) {
    all.append(Diagnostic(.warning, message, at: location))
  }

  public mutating func append(contentsOf other: Diagnostics) {
    all.append(contentsOf: other.all)
  }

  /// Diagnostics ordered by file, line and column, each printed once.
  public var sorted: [Diagnostic] {
    var seen = Set<Diagnostic>()
    return all.filter { seen.insert($0).inserted }.sorted {
      switch ($0.location, $1.location) {
      case (let a?, let b?): return a < b
      case (nil, _?): return true
      default: return false
      }
    }
  }
}
