import MxSpecModel

/// Imports C structure definitions (`include/vi_structs.h`: the MQD, CE/DE metadata) as
/// structures laid out by dword. Members of 32-bit type, arrays of them and members of an earlier
/// structure type are understood; anything else is reported and stops the import.
///
/// Rules for registers: a member mirrors a register of `registerBlock` when its upper-cased name
/// is the register's (`cp_hqd_pq_control` → `CP_HQD_PQ_CONTROL`), or is the register's with
/// `_LO` appended (`cp_hqd_pq_base_lo` → `CP_HQD_PQ_BASE`, whose high half is `…_BASE_HI`).
/// And by position: one member whose name matches nothing, between two that mirror registers
/// two dwords apart, mirrors the register between them (`vi_mqd.cp_hqd_eop_done_events` →
/// `CP_HQD_EOP_EVENTS`: the MQD's HQD dwords are the registers in order, which is how the driver
/// commits them). The report lists every member mapped this way.
public struct StructureImporter: Sendable {
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// Dword offsets of the direct registers of `registerBlockID`, by name.
  let registers: [String: UInt64]
  let registerBlockID: String

  public init(registers: [String: UInt64], registerBlockID: String) {
    self.registers = registers
    self.registerBlockID = registerBlockID
  }

  /// The structures of `text`, in header order, and one report line per structure (its size,
  /// and how many members mirror registers).
  public func run(header text: String, path: String) throws(Failure) -> (structures: [Structure], report: [String]) {
    var structures: [Structure] = []
    var report: [String] = []
    var current: (name: String, line: Int, members: [Structure.Member], next: Int)?
    var pendingDoc: String?
    for (index, rawLine) in Self.withoutLineBreaksInComments(text).enumerated() {
      let lineNumber = index + 1
      var (code, comment) = Self.split(rawLine)
      code = code.trimmingCharacters(in: " \t")
      let location = SourceLocation(file: path, line: lineNumber, column: 1)
      if current == nil {
        if code.hasPrefix("struct "), code.hasSuffix("{") {
          let name = code.dropFirst("struct ".count).dropLast().trimmingCharacters(in: " \t")
          current = (name, lineNumber, [], 0)
          pendingDoc = nil
        }
        continue
      }
      if code.hasPrefix("}") {
        var open = current!
        report += mirrorByPosition(&open.members, in: open.name)
        structures.append(
          Structure(
            name: open.name, sizeInDwords: open.next,
            registerBlock: open.members.contains { $0.register != nil } ? registerBlockID : nil,
            members: open.members, location: SourceLocation(file: path, line: open.line, column: 1)))
        current = nil
        continue
      }
      if code.isEmpty {
        if let comment, !comment.isEmpty { pendingDoc = comment }
        continue
      }
      guard code.hasSuffix(";") else { throw Failure(description: "\(path):\(lineNumber): cannot read '\(code)'") }
      let declaration = code.dropLast().trimmingCharacters(in: " \t")
      let words = declaration.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
      guard let last = words.last else { continue }
      var name = last
      var count = 1
      if let open = name.firstIndex(of: "["), name.hasSuffix("]") {
        guard let n = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) else {
          throw Failure(description: "\(path):\(lineNumber): array size in '\(code)' is not a number")
        }
        count = n
        name = String(name[..<open])
      }
      var type: String?
      let typeWords = words.dropLast()
      if typeWords.count == 2 && typeWords.first == "struct", let typeName = typeWords.last {
        guard let nested = structures.first(where: { $0.name == typeName }) else {
          throw Failure(description: "\(path):\(lineNumber): structure '\(typeName)' is not defined before use")
        }
        guard count == 1 else {
          throw Failure(description: "\(path):\(lineNumber): arrays of structures are not supported")
        }
        type = typeName
        count = nested.sizeInDwords
      } else if typeWords != ["uint32_t"] {
        throw Failure(description: "\(path):\(lineNumber): member type of '\(code)' is not uint32_t or a structure")
      }
      let register = type == nil && count == 1 ? mirroredRegister(name) : nil
      let doc = [pendingDoc, comment].compactMap { $0?.isEmpty == false ? $0 : nil }.joined(separator: " ")
      current!.members.append(
        Structure.Member(
          name: name, dword: current!.next, count: count, register: register, type: type,
          doc: doc.isEmpty ? nil : doc, location: location))
      current!.next += count
      pendingDoc = nil
    }
    if let open = current { throw Failure(description: "\(path):\(open.line): structure '\(open.name)' is not closed") }
    report =
      structures.map { structure in
        let mirrored = structure.members.filter { $0.register != nil }.count
        return "\(structure.name): \(structure.sizeInDwords) dwords, \(structure.members.count) members"
          + (mirrored > 0 ? ", \(mirrored) mirror \(registerBlockID) registers" : "")
      } + report
    return (structures, report)
  }

  func mirroredRegister(_ member: String) -> String? {
    let upper = member.uppercased()
    if registers[upper] != nil { return upper }
    if upper.hasSuffix("_LO"), registers[String(upper.dropLast(3))] != nil { return String(upper.dropLast(3)) }
    return nil
  }

  /// Applies the positional rule to `members` (single dwords in order); one report line per
  /// member it maps.
  func mirrorByPosition(_ members: inout [Structure.Member], in structure: String) -> [String] {
    var report: [String] = []
    let byOffset = Dictionary(registers.map { ($1, $0) }, uniquingKeysWith: { a, b in min(a, b) })
    for index in members.indices.dropFirst().dropLast() where members[index].register == nil {
      let (before, member, after) = (members[index - 1], members[index], members[index + 1])
      guard member.type == nil, member.count == 1, before.count == 1, after.count == 1,
        before.dword + 1 == member.dword, member.dword + 1 == after.dword,
        let low = before.register.flatMap({ registers[$0] }), let high = after.register.flatMap({ registers[$0] }),
        high == low + 2, let register = byOffset[low + 1]
      else { continue }
      members[index].register = register
      report.append(
        "\(structure).\(member.name) (dword \(member.dword)): no register of that name; mirrors \(register) "
          + "(\(Hex.plain(low + 1))), the register between \(before.register!) and \(after.register!)")
    }
    return report
  }

  /// The code of a line and its comment text (`/* … */` or `// …`), trimmed.
  static func split(_ line: String) -> (code: String, comment: String?) {
    if let start = line.range(of: "/*") {
      let rest = line[start.upperBound...]
      let end = rest.range(of: "*/")
      let comment = String(end.map { rest[..<$0.lowerBound] } ?? rest).trimmingCharacters(in: " \t*")
      let after = end.map { String(rest[$0.upperBound...]) } ?? ""
      return (String(line[..<start.lowerBound]) + after, comment)
    }
    if let start = line.range(of: "//") {
      return (String(line[..<start.lowerBound]), String(line[start.upperBound...]).trimmingCharacters(in: " \t"))
    }
    return (line, nil)
  }

  /// The header's lines, each multi-line `/* … */` comment folded onto the line it starts on
  /// (line numbers of the lines after it are kept by leaving them empty).
  static func withoutLineBreaksInComments(_ text: String) -> [String] {
    var lines: [String] = []
    var open: String?
    for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
      if var comment = open {
        comment += " " + line.trimmingCharacters(in: " \t*")
        if line.contains("*/") {
          lines.append(comment)
          open = nil
        } else {
          open = comment
        }
        lines.append("")
        continue
      }
      if let start = line.range(of: "/*"), !line[start.upperBound...].contains("*/") {
        open = line
        continue
      }
      lines.append(line)
    }
    return lines
  }
}
