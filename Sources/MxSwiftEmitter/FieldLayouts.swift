import MxSpecModel

/// Registers of one module whose fields are laid out alike — the same names, bits, types,
/// access and documentation, as `CB_COLOR0_INFO` … `CB_COLOR7_INFO` — grouped so that their field
/// descriptors are declared once, in a protocol extension every one of them conforms to.
///
/// Nearly half of the built-in fields repeat another register's, and a field descriptor is a
/// function for the compiler to check and generate; declaring each once cut a cold debug build of
/// the four blocks by a fifth (docs/GeneratedCode.md, "Compile cost").
struct FieldLayouts: Sendable {
  /// A layout several registers share, named after the first of them in declaration order.
  struct Layout: Sendable {
    /// `CB_COLOR0_INFO_Layout`: header names are upper case, so no built-in register or enum
    /// has this name (a spec's own register named so would fail to compile, not be shadowed).
    var protocolName: String
    /// The protocol the registers conform to by their space (`Register`, …), which this refines.
    var conformance: String
    var registers: [Register]
  }

  /// Layouts of two or more registers, in the order of their first register.
  let shared: [Layout]
  private let layoutByRegister: [String: Int]

  /// Groups `registers` by `key`: their conformance and the text of their fields, without the
  /// register's name. A register without fields has no layout.
  init(_ registers: [Register], key: (Register) -> (conformance: String, fields: String)) {
    var groups: [String: Int] = [:]
    var layouts: [Layout] = []
    for register in registers where !register.fields.isEmpty {
      let (conformance, fields) = key(register)
      let text = conformance + "\n" + fields
      if let index = groups[text] {
        layouts[index].registers.append(register)
      } else {
        groups[text] = layouts.count
        layouts.append(
          Layout(
            protocolName: SwiftNaming.identifier(register.name) + "_Layout", conformance: conformance,
            registers: [register]))
      }
    }
    var shared: [Layout] = []
    var layoutByRegister: [String: Int] = [:]
    for layout in layouts where layout.registers.count > 1 {
      for register in layout.registers { layoutByRegister[register.name] = shared.count }
      shared.append(layout)
    }
    self.shared = shared
    self.layoutByRegister = layoutByRegister
  }

  /// The shared layout `register` conforms to, if it has one.
  func layout(of register: Register) -> Layout? {
    layoutByRegister[register.name].map { shared[$0] }
  }
}
