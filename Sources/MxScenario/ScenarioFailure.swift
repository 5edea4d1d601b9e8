/// A step that failed on a VF, as data: which step, the error's type and case, and the error in
/// full.
public struct ScenarioFailure: Codable, Equatable, Sendable {
  /// The step's name (`bring-up`, `read`, …).
  public var step: String
  /// The error's type: `VirtualFunctionError`, `KIQError`, …
  public var domain: String
  /// The error's case: `attemptsExhausted`, `mailbox`, `timeout`, …
  public var kind: String
  /// For an error that keeps the last of several attempts' errors (`attemptsExhausted`), that
  /// error's case; otherwise nil.
  public var lastKind: String?
  /// The error as Swift prints it.
  public var error: String

  init(step: Scenario.Step.Action, error: any Error) {
    self.step = step.rawValue
    domain = String(describing: type(of: error))
    kind = Self.caseName(error)
    lastKind = Mirror(reflecting: error).children.first.flatMap { payload in
      Mirror(reflecting: payload.value).children.first { $0.label == "last" }.map { Self.caseName($0.value) }
    }
    self.error = "\(error)"
  }

  /// An enum value's case name (a case with a payload reflects as one child labelled with it,
  /// one without prints as its name); any other value's type.
  private static func caseName(_ value: Any) -> String {
    let mirror = Mirror(reflecting: value)
    guard mirror.displayStyle == .enum else { return String(describing: type(of: value)) }
    return mirror.children.first?.label ?? "\(value)"
  }
}
