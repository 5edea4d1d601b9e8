import MxSpecModel

/// The Swift type a field is read as: Bool for one bit, its enum where the spec gives one,
/// otherwise the smallest unsigned integer that holds it.
enum FieldTyping {
  /// `module` qualifies enum types, for code where a member of the same name would shadow them
  /// (a packet field `ENGINE_SEL` of enum type `ENGINE_SEL`).
  static func valueType(of field: Field, module: String? = nil) -> String {
    if let enumName = field.enumName { return (module.map { $0 + "." } ?? "") + SwiftNaming.identifier(enumName) }
    switch field.bits.width {
    case 1: return "Bool"
    case ...8: return "UInt8"
    case ...16: return "UInt16"
    default: return "UInt32"
    }
  }
}
