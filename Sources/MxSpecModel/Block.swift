/// A versioned IP block (`bif` 5.0, `gca/gfx` 8.0): registers, their address spaces and enums.
/// Chips are composed from blocks, so a block shared by two chips is defined once.
public struct Block: Sendable, Hashable {
  public var name: String
  public var version: String
  public var doc: Documentation?
  public var spaces: [AddressSpace]
  public var enums: [EnumType]
  public var registers: [Register]
  public var location: SourceLocation

  public init(
    name: String, version: String, doc: Documentation? = nil, spaces: [AddressSpace] = [],
    enums: [EnumType] = [], registers: [Register] = [], location: SourceLocation
  ) {
    self.name = name
    self.version = version
    self.doc = doc
    self.spaces = spaces
    self.enums = enums
    self.registers = registers
    self.location = location
  }

  /// `bif_5_0`: the name the kernel headers use for this block and version.
  public var id: String { name + "_" + version.replacingOccurrences(".", with: "_") }

  /// Name of the Swift module generated for this block: `MxBIF50` for `bif_5_0`.
  public var moduleName: String {
    "Mx" + name.uppercased() + version.filter { $0 != "." }
  }
}

extension String {
  /// Foundation-free replacement of every occurrence of one character.
  func replacingOccurrences(_ old: Character, with new: String) -> String {
    var out = ""
    for c in self { if c == old { out += new } else { out.append(c) } }
    return out
  }
}
