/// A set of named values shared by name among fields (`SurfaceEndian`, `WRITE_DATA_DST_SEL`).
public struct EnumType: Sendable, Hashable {
  public struct Value: Sendable, Hashable {
    public var name: String
    public var value: UInt64
    public var doc: Documentation?
    public var location: SourceLocation

    public init(name: String, value: UInt64, doc: Documentation? = nil, location: SourceLocation) {
      self.name = name
      self.value = value
      self.doc = doc
      self.location = location
    }
  }

  public var name: String
  public var values: [Value]
  public var doc: Documentation?
  public var location: SourceLocation

  public init(name: String, values: [Value], doc: Documentation? = nil, location: SourceLocation) {
    self.name = name
    self.values = values
    self.doc = doc
    self.location = location
  }

  /// Whether `other` has the same values under the same names, in the same order: two blocks'
  /// copies of one `*_enum.h` enum, which a module that holds both declares once.
  public func definesAlike(_ other: EnumType) -> Bool {
    values.map { [$0.name: $0.value] } == other.values.map { [$0.name: $0.value] }
  }
}
