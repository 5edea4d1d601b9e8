/// A clear state (`amdgpu/clearstate_vi.h`): the values the driver loads into the GFX context
/// registers when the GFX ring comes up, between PREAMBLE_CNTL's BEGIN_CLEAR_STATE and
/// END_CLEAR_STATE, in extents of consecutive registers — each one SET_CONTEXT_REG.
public struct ClearState: Sendable, Hashable {
  public var name: String
  /// The block whose registers the values are for (`gfx_8_0`): a named value must be that
  /// register's, at that register's offset.
  public var registerBlock: String
  public var doc: Documentation?
  public var extents: [ClearStateExtent]
  public var location: SourceLocation

  public init(
    name: String, registerBlock: String, doc: Documentation? = nil, extents: [ClearStateExtent],
    location: SourceLocation
  ) {
    self.name = name
    self.registerBlock = registerBlock
    self.doc = doc
    self.extents = extents
    self.location = location
  }
}

/// Consecutive context registers from `start` (a dword offset in MMIO space), one value each.
public struct ClearStateExtent: Sendable, Hashable {
  /// The header's array (`vi_SECT_CONTEXT_def_1`).
  public var header: String
  public var start: UInt32
  public var values: [ClearStateValue]
  public var location: SourceLocation

  public init(header: String, start: UInt32, values: [ClearStateValue], location: SourceLocation) {
    self.header = header
    self.start = start
    self.values = values
    self.location = location
  }
}

/// One dword of an extent: a register's value, or a hole (an offset with no register, sent as 0).
public struct ClearStateValue: Sendable, Hashable {
  /// The register at this offset; nil for a hole.
  public var register: String?
  public var value: UInt32
  public var location: SourceLocation

  public init(register: String?, value: UInt32, location: SourceLocation) {
    self.register = register
    self.value = value
    self.location = location
  }
}
