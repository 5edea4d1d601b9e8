import MxSpecModel

/// Turns one block's three headers into a spec `Block`, following documented rules:
/// - `mmNAME` → register `NAME` in space `mmio`; `ixNAME` → register `NAME` in an indirect space
///   (`IndirectSpaceRule`). If an `ix` name equals an `mm` name, the indirect one keeps its `ix`.
/// - Names on an offset already taken in the same space become `alias-of` the first such name
///   in header order.
/// - `REG__FIELD_MASK` / `REG__FIELD__SHIFT` pairs → fields of the longest register name that
///   prefixes them; the mask must be contiguous, start at the shift and fit 32 bits.
/// - Every `typedef enum` is imported. A field is typed by an enum when the enum has exactly the
///   field's name and all its values fit the field.
/// Every case the rules do not cover is listed in the report, never dropped silently.
public struct BlockImporter: Sendable {
  public var headers: HeaderSet
  /// When set, only these registers (and the enums their fields use) are imported.
  public var only: Set<String>?

  public init(headers: HeaderSet, only: Set<String>? = nil) {
    self.headers = headers
    self.only = only
  }

  public func run(offsets: String, masks: String, enums: String?) -> (Block, ImportReport) {
    var report = ImportReport(block: headers.id)
    let offsetsHeader = CHeader(text: offsets)
    let masksHeader = CHeader(text: masks)
    let enumsHeader = enums.map { CHeader(text: $0) }
    let here = SourceLocation(file: headers.offsetsHeader, line: 1, column: 1)
    let dFile = headers.offsetsHeader.split(separator: "/").last.map(String.init) ?? ""
    let maskFile = headers.masksHeader.split(separator: "/").last.map(String.init) ?? ""

    // Registers, in header order.
    var registers: [Register] = []
    let directNames = Set(offsetsHeader.defines.filter { $0.name.hasPrefix("mm") }.map { String($0.name.dropFirst(2)) })
    var spaces: [String: AddressSpace] = [:]
    var firstAt: [String: [UInt32: String]] = [:]
    for define in offsetsHeader.defines {
      let isDirect = define.name.hasPrefix("mm")
      guard isDirect || define.name.hasPrefix("ix") else {
        report.anomalies.append("\(dFile):\(define.line): '\(define.name)' is neither mm* nor ix*; not imported")
        continue
      }
      var name = String(define.name.dropFirst(2))
      if let only, !only.contains(name) { continue }
      guard define.value <= UInt64(UInt32.max) else {
        report.anomalies.append("\(dFile):\(define.line): offset of '\(define.name)' exceeds 32 bits; not imported")
        continue
      }
      var space = AddressSpace.mmioName
      if !isDirect {
        report.indirectRegisters += 1
        let placement = IndirectSpaceRule.space(for: name, registers: directNames)
        if directNames.contains(name) {
          report.anomalies.append(
            "\(dFile):\(define.line): '\(define.name)' has the name of a direct register; kept as '\(define.name)'")
          name = define.name
        }
        space = placement.name
        if spaces[space] == nil {
          spaces[space] = AddressSpace(
            name: space, indexRegister: placement.rule?.index, dataRegister: placement.rule?.data,
            doc: placement.rule.map { "Reached through \($0.index)/\($0.data), as in \($0.source)." }
              ?? "The headers do not say which index/data pair reaches these registers.",
            location: here)
        }
      }
      let offset = UInt32(define.value)
      var aliasOf: String?
      if let first = firstAt[space]?[offset] {
        aliasOf = first
        report.aliases += 1
      } else {
        firstAt[space, default: [:]][offset] = name
      }
      registers.append(Register(name: name, offset: offset, space: space, aliasOf: aliasOf, location: here))
    }
    var indexByName: [String: [Int]] = [:]
    for (i, register) in registers.enumerated() {
      indexByName[register.name, default: []].append(i)
      if register.name.hasPrefix("ix") { indexByName[String(register.name.dropFirst(2)), default: []].append(i) }
    }

    // Fields.
    var shifts: [String: CHeader.Define] = [:]
    for define in masksHeader.defines where define.name.hasSuffix("__SHIFT") {
      shifts[String(define.name.dropLast("__SHIFT".count))] = define
    }
    var matchedShifts = Set<String>()
    for define in masksHeader.defines where define.name.hasSuffix("_MASK") {
      let key = String(define.name.dropLast("_MASK".count))
      guard let (registerName, fieldName) = split(key, registers: indexByName) else {
        if only == nil {
          report.anomalies.append(
            "\(maskFile):\(define.line): mask '\(define.name)' names no register in \(dFile); not imported")
        }
        continue
      }
      if let only, !only.contains(registerName) { continue }
      matchedShifts.insert(key)
      guard let shift = shifts[key] else {
        report.anomalies.append("\(maskFile):\(define.line): mask '\(define.name)' has no __SHIFT; not imported")
        continue
      }
      let mask = define.value
      guard mask != 0, mask <= UInt64(UInt32.max) else {
        report.anomalies.append(
          "\(maskFile):\(define.line): mask '\(define.name)' = 0x\(String(mask, radix: 16)) is empty or wider than 32 bits; not imported"
        )
        continue
      }
      let lsb = mask.trailingZeroBitCount
      let shifted = mask >> UInt64(lsb)
      let width = shifted.nonzeroBitCount
      guard shifted & (shifted &+ 1) == 0 else {
        report.anomalies.append("\(maskFile):\(define.line): mask '\(define.name)' is not contiguous; not imported")
        continue
      }
      guard UInt64(lsb) == shift.value else {
        report.anomalies.append(
          "\(maskFile):\(define.line): '\(define.name)' starts at bit \(lsb) but its shift says \(shift.value); the mask is used"
        )
        continue
      }
      let field = Field(
        name: fieldName, bits: BitRange(lsb: lsb, msb: lsb + width - 1), location: here)
      for index in indexByName[registerName] ?? [] {
        registers[index].fields.append(field)
        report.fields += 1
      }
    }
    for (key, shift) in shifts.sorted(by: { $0.key < $1.key }) where !matchedShifts.contains(key) && only == nil {
      if split(key, registers: indexByName) != nil {
        report.anomalies.append("\(maskFile):\(shift.line): shift '\(shift.name)' has no _MASK; not imported")
      }
    }

    // Enums: all of them, or those the selected registers' fields use.
    var enumTypes: [EnumType] = []
    for parsed in enumsHeader?.enums ?? [] {
      enumTypes.append(
        EnumType(
          name: parsed.name,
          values: parsed.enumerators.map { EnumType.Value(name: $0.name, value: $0.value, location: here) },
          location: here))
    }
    let enumsByName = Dictionary(enumTypes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    var usedEnums = Set<String>()
    for r in registers.indices {
      for f in registers[r].fields.indices {
        let field = registers[r].fields[f]
        guard let candidate = enumsByName[field.name] else { continue }
        if candidate.values.allSatisfy({ $0.value >> UInt64(field.bits.width) == 0 }) {
          registers[r].fields[f].enumName = candidate.name
          usedEnums.insert(candidate.name)
          report.fieldsWithEnums += 1
        } else {
          report.anomalies.append(
            "field '\(registers[r].name).\(field.name)' shares its name with enum '\(candidate.name)', whose values do not fit \(field.bits.width) bits; left untyped"
          )
        }
      }
    }
    if only != nil { enumTypes = enumTypes.filter { usedEnums.contains($0.name) } }
    report.registers = registers.count
    report.enums = enumTypes.count
    report.enumValues = enumTypes.reduce(0) { $0 + $1.values.count }
    if let enumsHeader, only == nil, !enumsHeader.otherDefines.isEmpty || !enumsHeader.defines.isEmpty {
      report.anomalies.append(
        "\(headers.prefix)_enum.h: \(enumsHeader.defines.count) plain #define constants are not enums and are not imported"
      )
    }
    let block = Block(
      name: headers.block, version: headers.version,
      doc:
        "Imported from Linux 6.1 \(headers.offsetsHeader), \(headers.prefix)_sh_mask.h and \(headers.prefix)_enum.h.",
      spaces: spaces.values.sorted { $0.name < $1.name }, enums: enumTypes, registers: registers,
      location: here)
    return (block, report)
  }

  /// Splits `REG__FIELD` at the `__` after the longest known register name.
  private func split(_ key: String, registers: [String: [Int]]) -> (String, String)? {
    var best: (String, String)?
    var searchStart = key.startIndex
    while let range = key.range(of: "__", range: searchStart..<key.endIndex) {
      let candidate = String(key[..<range.lowerBound])
      if registers[candidate] != nil { best = (candidate, String(key[range.upperBound...])) }
      searchStart = key.index(after: range.lowerBound)
    }
    return best
  }
}

extension String {
  func range(of needle: String, range: Range<String.Index>) -> Range<String.Index>? {
    var index = range.lowerBound
    while index < range.upperBound {
      if self[index...].hasPrefix(needle) {
        return index..<self.index(index, offsetBy: needle.count)
      }
      index = self.index(after: index)
    }
    return nil
  }
}
