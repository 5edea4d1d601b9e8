/// A 32-bit register at a dword offset in one address space of a block.
public struct Register: Sendable, Hashable {
  public var name: String
  /// Dword offset (`mmFOO` value); the byte offset in the BAR is four times this.
  public var offset: UInt32
  public var space: String
  public var access: Access
  public var resetValue: UInt32
  /// Another register at the same offset that this one knowingly aliases.
  public var aliasOf: String?
  public var doc: Documentation?
  public var fields: [Field]
  public var location: SourceLocation

  public init(
    name: String, offset: UInt32, space: String = AddressSpace.mmioName,
    access: Access = .readWrite, resetValue: UInt32 = 0, aliasOf: String? = nil,
    doc: Documentation? = nil, fields: [Field] = [], location: SourceLocation
  ) {
    self.name = name
    self.offset = offset
    self.space = space
    self.access = access
    self.resetValue = resetValue
    self.aliasOf = aliasOf
    self.doc = doc
    self.fields = fields
    self.location = location
  }

  /// The access of a field, which inherits the register's unless it says otherwise.
  public func access(of field: Field) -> Access { field.access ?? access }
}

/// The registers the register width allows.
public enum RegisterWidth {
  public static let bits = 32
}
