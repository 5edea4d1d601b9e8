/// The interrupt sources of an interrupt handler (`include/ivsrcid/ivsrcid_vislands30.h`): what
/// an IV entry's source ID says raised it and, where several sources share one source ID, the
/// extended ID that tells them apart.
public struct InterruptSourceSet: Sendable, Hashable {
  public var name: String
  public var doc: Documentation?
  public var sources: [InterruptSource]
  public var location: SourceLocation

  public init(name: String, doc: Documentation? = nil, sources: [InterruptSource], location: SourceLocation) {
    self.name = name
    self.doc = doc
    self.sources = sources
    self.location = location
  }
}

public struct InterruptSource: Sendable, Hashable {
  /// The name code uses (`CP_END_OF_PIPE`).
  public var name: String
  /// The header's macro (`VISLANDS30_IV_SRCID_CP_END_OF_PIPE`).
  public var header: String
  /// `src_id`: 8 bits.
  public var id: UInt32
  /// `ext_id`, for a source that shares its source ID.
  public var extendedID: UInt32?
  public var doc: Documentation?
  public var location: SourceLocation

  public init(
    name: String, header: String, id: UInt32, extendedID: UInt32? = nil, doc: Documentation? = nil,
    location: SourceLocation
  ) {
    self.name = name
    self.header = header
    self.id = id
    self.extendedID = extendedID
    self.doc = doc
    self.location = location
  }
}
