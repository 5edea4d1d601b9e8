import MxSpecModel

/// The Swift type a field is read as: Bool for one bit, its enum where the spec gives one,
/// otherwise the smallest unsigned integer that holds it.
enum FieldTyping {
  static func valueType(of field: Field) -> String {
    if let enumName = field.enumName { return SwiftNaming.identifier(enumName) }
    switch field.bits.width {
    case 1: return "Bool"
    case ...8: return "UInt8"
    case ...16: return "UInt16"
    default: return "UInt32"
    }
  }
}
