/// A named bit range of a register or of a packet dword.
public struct Field: Sendable, Hashable {
  /// Hardware name, kept exactly as the headers spell it (`TRN_MSG_VALID`, `scheduler0`).
  public var name: String
  public var bits: BitRange
  /// Overrides the register's access for this field.
  public var access: Access?
  /// The public source of `access`, when an overlay set it.
  public var accessSource: String?
  /// Name of an enum of the same block or packet set that gives the field's values meaning.
  public var enumName: String?
  public var doc: Documentation?
  public var location: SourceLocation

  public init(
    name: String, bits: BitRange, access: Access? = nil, enumName: String? = nil,
    doc: Documentation? = nil, location: SourceLocation
  ) {
    self.name = name
    self.bits = bits
    self.access = access
    self.enumName = enumName
    self.doc = doc
    self.location = location
  }
}
