import MxSpecModel

/// Emits a spec enum as a `RegisterEnum` struct over the raw bits with a `static let` per
/// named value (computed: no global initialisers), so unnamed hardware values still read without trapping.
enum EnumEmitter {
  static func emit(_ enumType: EnumType, scope: String, into writer: inout SwiftWriter) {
    writer.doc("`\(enumType.name)`: values of \(scope) fields.", enumType.doc)
    writer.block("public struct \(SwiftNaming.identifier(enumType.name)): RegisterEnum") { body in
      body.line("public var rawValue: UInt32")
      body.line("@inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }")
      for value in enumType.values {
        body.line()
        body.doc("`\(value.name)` = \(value.value).", value.doc)
        // Not `@inlinable`, as field descriptors are not (RegisterEmitter says why).
        body.member(
          "public static var \(SwiftNaming.identifier(value.name)): Self",
          body: "Self(rawValue: \(Hex.literal(value.value)))")
      }
    }
  }
}
