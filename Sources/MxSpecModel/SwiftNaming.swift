/// How hardware names become Swift identifiers. Names are kept exactly as the hardware spells
/// them (so `TRN_MSG_VALID` is greppable in both worlds); a Swift keyword gets a trailing `_`.
/// The validator rejects names that are not identifiers or that collide after this mapping.
public enum SwiftNaming {
  /// Words that cannot be used bare as a type or member name.
  public static let keywords: Set<String> = [
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import",
    "init", "inout", "internal", "let", "open", "operator", "private", "precedencegroup",
    "protocol", "public", "rethrows", "static", "struct", "subscript", "typealias", "var",
    "break", "case", "catch", "continue", "default", "defer", "do", "else", "fallthrough", "for",
    "guard", "if", "in", "repeat", "return", "throw", "throws", "switch", "where", "while", "Any",
    "as", "await", "false", "is", "nil", "self", "Self", "super", "true", "try", "Type",
    "Protocol", "_", "some", "any",
  ]

  /// Members every generated register type already has; a field may not take these names.
  public static let registerMembers: Set<String> = ["info", "Index", "Data", "init"]

  /// Members every generated enum type already has; an enum value may not take these names.
  public static let enumMembers: Set<String> = ["rawValue", "name", "description", "allKnown", "init"]

  /// Types the generated code refers to from the runtime module.
  public static let runtimeTypes: Set<String> = [
    "Register", "RegisterDefinition", "RegisterInfo", "RegisterValue", "RegisterField", "ReadOnlyField",
    "FieldValue", "RegisterBus", "RegisterEnum", "IndirectRegister", "Swift", "MxMMIO", "UInt32", "UInt16",
    "UInt8", "Bool", "String", "Int", "StaticString",
  ]

  /// Whether `name` is an ASCII identifier: a letter or `_`, then letters, digits or `_`.
  public static func isIdentifier(_ name: String) -> Bool {
    guard let first = name.utf8.first, !(first >= 0x30 && first <= 0x39) else { return false }
    return name.utf8.allSatisfy {
      ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A)
        || $0 == 0x5F
    }
  }

  /// The Swift identifier for a valid hardware name.
  public static func identifier(_ name: String) -> String {
    keywords.contains(name) ? name + "_" : name
  }
}
