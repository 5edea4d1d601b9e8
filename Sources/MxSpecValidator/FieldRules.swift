import MxSpecModel

extension ValidationContext {
  /// Checks the fields of one 32-bit word (a register or a packet dword): names, width, overlap,
  /// and the enums they use. `enums` are the enums visible to the word, by name.
  mutating func checkFields(
    _ fields: [Field], of owner: String, enums: [String: EnumType], reserved: Set<String> = []
  ) {
    checkNames(fields, kind: "field", in: owner, reserved: reserved, name: \.name, location: \.location)
    var placed: [Field] = []
    for field in fields {
      if field.bits.msb >= RegisterWidth.bits {
        error(
          "field '\(field.name)' (bits \(field.bits)) lies beyond the \(RegisterWidth.bits)-bit width of \(owner)",
          at: field.location)
        continue
      }
      if let other = placed.first(where: { $0.bits.overlaps(field.bits) }) {
        error(
          "field '\(field.name)' (bits \(field.bits)) overlaps field '\(other.name)' (bits \(other.bits)) in \(owner)",
          at: field.location)
      }
      placed.append(field)
      guard let enumName = field.enumName else { continue }
      guard let enumType = enums[enumName] else {
        error("field '\(field.name)' of \(owner) uses unknown enum '\(enumName)'", at: field.location)
        continue
      }
      for value in enumType.values where value.value >> UInt64(field.bits.width) != 0 {
        error(
          "enum '\(enumName)' value '\(value.name)' (\(Hex.plain(value.value))) does not fit the \(field.bits.width)-bit field '\(field.name)' of \(owner)",
          at: field.location)
      }
    }
  }

  /// Checks the names of an enum set and each enum's value names.
  mutating func checkEnums(_ enums: [EnumType], in scope: String, typeNamesInUse: [String: SourceLocation]) {
    checkNames(enums, kind: "enum", in: scope, name: \.name, location: \.location)
    for enumType in enums {
      if let other = typeNamesInUse[enumType.name] {
        error(
          "enum '\(enumType.name)' has the same Swift type name as the register defined at \(other) in \(scope)",
          at: enumType.location)
      }
      checkNames(
        enumType.values, kind: "enum value", in: "enum '\(enumType.name)'", reserved: SwiftNaming.enumMembers,
        name: \.name, location: \.location)
    }
  }
}
