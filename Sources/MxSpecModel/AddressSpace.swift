/// A register address space of a block. `mmio` (BAR 5, dword offsets) always exists; indirect
/// spaces are reached through an index/data register pair of the `mmio` space where that is known.
public struct AddressSpace: Sendable, Hashable {
  public static let mmioName = "mmio"

  public var name: String
  /// Register written with the offset, when the pair is known.
  public var indexRegister: String?
  /// Register that then reads or writes the value.
  public var dataRegister: String?
  public var doc: Documentation?
  public var location: SourceLocation

  public init(
    name: String, indexRegister: String? = nil, dataRegister: String? = nil,
    doc: Documentation? = nil, location: SourceLocation
  ) {
    self.name = name
    self.indexRegister = indexRegister
    self.dataRegister = dataRegister
    self.doc = doc
    self.location = location
  }

  public var isDirect: Bool { name == Self.mmioName }
}
