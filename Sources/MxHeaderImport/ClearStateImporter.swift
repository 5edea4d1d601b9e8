import MxSpecModel

/// Imports a clear-state header (`amdgpu/clearstate_vi.h`): its value arrays (one dword a line,
/// the register's name in the line's comment, `HOLE` where no register is), the extent table
/// that places each array at a register offset with a count, and the section table that says
/// which extent tables are context registers.
///
/// Rules, each reported:
/// - Only context sections (`SECT_CONTEXT`) are imported: the only kind the driver sends
///   (`gfx_v8_0_cp_gfx_start`); another kind stops the import, as does an extent whose count
///   differs from its array's length, an array named twice, or an extent naming no array.
/// - A `HOLE` is a dword with no register, sent as it is; one that is not 0 stops the import
///   (the model keeps holes as 0).
/// - An array no extent names is left out.
public struct ClearStateImporter: Sendable {
  public struct Failure: Error, CustomStringConvertible {
    /// `path:line: message`.
    public var description: String

    init(_ path: String, _ line: Int, _ message: String) {
      description = "\(path):\(line): \(message)"
    }
  }

  /// The clear state's name (`vi`), and the block its registers are in (`gfx_8_0`).
  public let name: String
  public let registerBlock: String

  public init(name: String, registerBlock: String) {
    self.name = name
    self.registerBlock = registerBlock
  }

  public func run(header text: String, path: String) throws(Failure) -> (clearState: ClearState, report: [String]) {
    let tables = try Tables(text: text, path: path)
    var report: [String] = []
    var extents: [ClearStateExtent] = []
    var used: Set<String> = []
    for section in tables.sections {
      guard section.kind == "SECT_CONTEXT" else {
        throw Failure(path, section.line, "section \(section.kind) is not a context section")
      }
      guard let table = tables.extentTables[section.extents] else {
        throw Failure(path, section.line, "no extent table '\(section.extents)'")
      }
      for extent in table {
        guard let array = tables.arrays[extent.array] else {
          throw Failure(path, extent.line, "no array '\(extent.array)'")
        }
        guard array.values.count == extent.count else {
          throw Failure(
            path, extent.line, "\(extent.array) has \(array.values.count) values, its extent says \(extent.count)")
        }
        used.insert(extent.array)
        let values = try array.values.map { (value) throws(Failure) -> ClearStateValue in
          let location = SourceLocation(file: path, line: value.line, column: 1)
          guard value.comment != "HOLE" else {
            guard value.value == 0 else {
              throw Failure(path, value.line, "a hole with the value \(Hex.literal(UInt64(value.value)))")
            }
            return ClearStateValue(register: nil, value: 0, location: location)
          }
          return ClearStateValue(register: value.comment, value: value.value, location: location)
        }
        extents.append(
          ClearStateExtent(
            header: extent.array, start: extent.start, values: values,
            location: SourceLocation(file: path, line: array.line, column: 1)))
      }
    }
    for (array, _) in tables.arrays.sorted(by: { $0.value.line < $1.value.line }) where !used.contains(array) {
      report.append("\(array): left out, no extent names it")
    }
    let dwords = extents.reduce(0) { $0 + $1.values.count }
    let holes = extents.reduce(0) { $0 + $1.values.count { $0.register == nil } }
    report.insert("\(name): \(extents.count) context extents, \(dwords) dwords (\(holes) holes)", at: 0)
    return (
      ClearState(
        name: name, registerBlock: registerBlock, extents: extents,
        location: SourceLocation(file: path, line: 1, column: 1)),
      report
    )
  }

  /// The three kinds of table the header holds, with their line numbers.
  private struct Tables {
    struct Value {
      var value: UInt32
      var comment: String
      var line: Int
    }
    struct Extent {
      var array: String
      var start: UInt32
      var count: Int
      var line: Int
    }
    struct Section {
      var extents: String
      var kind: String
      var line: Int
    }

    var arrays: [String: (values: [Value], line: Int)] = [:]
    var extentTables: [String: [Extent]] = [:]
    var sections: [Section] = []

    init(text: String, path: String) throws(Failure) {
      enum Open {
        case array(String)
        case extents(String)
        case sections
      }
      var open: (table: Open, line: Int)?
      for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let line = raw.trimmingCharacters(in: " \t\r")
        let number = index + 1
        func fail(_ message: String) -> Failure { Failure(path, number, message) }
        if line.hasPrefix("static const") {
          guard let name = Self.declaredName(line) else { throw fail("a table without a name") }
          let table: Open
          if line.contains("unsigned int") {
            table = .array(name)
          } else if line.contains("cs_extent_def") {
            table = .extents(name)
          } else if line.contains("cs_section_def") {
            table = .sections
          } else {
            throw fail("a table of an unknown kind")
          }
          if case .array(let name) = table, arrays[name] != nil { throw fail("'\(name)' defined twice") }
          if case .extents(let name) = table, extentTables[name] != nil { throw fail("'\(name)' defined twice") }
          open = (table, number)
          continue
        }
        guard let current = open, !line.isEmpty, line != "{" else { continue }
        if line.hasPrefix("};") {
          open = nil
          continue
        }
        switch current.table {
        case .array(let name):
          let parts = line.split(separator: "//", maxSplits: 1)
          let word = parts[0].trimmingCharacters(in: " \t,")
          guard parts.count == 2, let value = Self.number(word) else {
            throw fail("expected 'value, // REGISTER' in \(name)")
          }
          let comment = parts[1].trimmingCharacters(in: " \t")
          arrays[name, default: ([], current.line)].values.append(Value(value: value, comment: comment, line: number))
        case .extents(let name):
          let fields = Self.braced(line)
          if fields == ["0", "0", "0"] { continue }  // the table's end
          guard fields.count == 3, let start = Self.number(fields[1]), let count = Int(fields[2]) else {
            throw fail("expected '{array, start, count}' in \(name)")
          }
          extentTables[name, default: []].append(Extent(array: fields[0], start: start, count: count, line: number))
        case .sections:
          let fields = Self.braced(line)
          if fields.first == "0" { continue }  // SECT_NONE: the table's end
          guard fields.count == 2 else { throw fail("expected '{extents, kind}'") }
          sections.append(Section(extents: fields[0], kind: fields[1], line: number))
        }
      }
    }

    /// `static const unsigned int vi_SECT_CONTEXT_def_1[] =` → `vi_SECT_CONTEXT_def_1`.
    static func declaredName(_ line: String) -> String? {
      guard let bracket = line.firstIndex(of: "[") else { return nil }
      return line[..<bracket].split(separator: " ").last.map(String.init)
    }

    /// `{vi_SECT_CONTEXT_def_1, 0x0000a000, 212 },` → its three fields.
    static func braced(_ line: String) -> [String] {
      line.trimmingCharacters(in: "{}, \t").split(separator: ",").map { $0.trimmingCharacters(in: " \t{}") }
    }

    static func number(_ word: String) -> UInt32? {
      CHeader.number(word).flatMap { UInt32(exactly: $0) }
    }
  }
}
