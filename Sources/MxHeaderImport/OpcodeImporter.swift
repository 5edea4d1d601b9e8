import MxSpecModel

/// Imports the PM4 type-3 opcode names of a packet header (`amdgpu/vid.h`): every
/// `#define PACKET3_<NAME> <number>` whose number fits the header's 8-bit opcode field is an
/// opcode. The same prefix also names field values and register ranges: expressions
/// (`(1 << 28)`, `PACKET3_BASE_INDEX(x)`), which `CHeader` does not take as numbers, and register
/// offsets (`PACKET3_SET_CONTEXT_REG_START`, 0xA000), wider than 8 bits, which the report lists.
public struct OpcodeImporter: Sendable {
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// The packet set the names are for (`pm4_vi`).
  public let packetSet: String

  public init(packetSet: String) {
    self.packetSet = packetSet
  }

  public func run(header text: String, path: String) throws(Failure) -> (names: OpcodeNames, report: [String]) {
    let prefix = "PACKET3_"
    var opcodes: [OpcodeNames.Opcode] = []
    var byValue: [UInt64: String] = [:]
    var report: [String] = []
    for define in CHeader(text: text).defines where define.name.hasPrefix(prefix) {
      guard define.value <= 0xFF else {
        report.append("\(define.name): left out, \(Hex.literal(define.value)) is wider than an 8-bit opcode")
        continue
      }
      let name = String(define.name.dropFirst(prefix.count))
      if let other = byValue[define.value] {
        throw Failure(description: "\(path):\(define.line): \(define.name) has the value of PACKET3_\(other)")
      }
      byValue[define.value] = name
      opcodes.append(
        OpcodeNames.Opcode(
          name: name, value: UInt8(define.value), location: SourceLocation(file: path, line: define.line, column: 1)))
    }
    report.insert("\(packetSet): \(opcodes.count) opcodes", at: 0)
    return (
      OpcodeNames(packetSet: packetSet, opcodes: opcodes, location: SourceLocation(file: path, line: 1, column: 1)),
      report
    )
  }
}
