/// What an import found that the rules had to decide: every header line the spec does not carry
/// one-to-one is listed here, so nothing is dropped silently.
public struct ImportReport: Sendable {
  public var block: String
  public var registers = 0
  public var indirectRegisters = 0
  public var aliases = 0
  public var fields = 0
  public var enums = 0
  public var enumValues = 0
  public var fieldsWithEnums = 0
  /// One line per anomaly: `header:line: what was found and what the importer did`.
  public var anomalies: [String] = []

  public init(block: String) {
    self.block = block
  }

  public var summary: String {
    "\(block): \(registers) registers (\(indirectRegisters) indirect, \(aliases) aliases), \(fields) fields "
      + "(\(fieldsWithEnums) typed by an enum), \(enums) enums with \(enumValues) values, "
      + "\(anomalies.count) anomalies"
  }
}
