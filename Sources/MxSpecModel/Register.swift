/// A 32-bit register at a dword offset in one address space of a block.
public struct Register: Sendable, Hashable {
  public var name: String
  /// Dword offset (`mmFOO` value); the byte offset in the BAR is four times this.
  public var offset: UInt32
  public var space: String
  public var access: Access
  /// The value after reset; nil when no source gives it (the kernel headers give none).
  public var resetValue: UInt32?
  /// The public sources of `access` and `resetValue`, when an overlay set them.
  public var accessSource: String?
  public var resetSource: String?
  /// Another register at the same offset that this one knowingly aliases.
  public var aliasOf: String?
  public var doc: Documentation?
  public var fields: [Field]
  public var location: SourceLocation

  public init(
    name: String, offset: UInt32, space: String = AddressSpace.mmioName,
    access: Access = .unknown, resetValue: UInt32? = nil, aliasOf: String? = nil,
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

  /// For documentation: `rw`, `access unknown`, or `access per field` when every field's access
  /// is given although the register's is not.
  public var accessSummary: String {
    access == .unknown && !fields.isEmpty && fields.allSatisfy({ $0.access != nil })
      ? "access per field" : access.summary
  }
}

/// The registers the register width allows.
public enum RegisterWidth {
  public static let bits = 32
}
