/// A memory structure laid out by dword index (MQD, CE/DE metadata payloads).
public struct Structure: Sendable, Hashable {
  public struct Member: Sendable, Hashable {
    public var name: String
    public var dword: Int
    /// Number of consecutive dwords.
    public var count: Int
    /// The register whose value this member holds (an MQD field mirrors an HQD register).
    public var register: String?
    public var doc: Documentation?
    public var location: SourceLocation

    public init(
      name: String, dword: Int, count: Int = 1, register: String? = nil,
      doc: Documentation? = nil, location: SourceLocation
    ) {
      self.name = name
      self.dword = dword
      self.count = count
      self.register = register
      self.doc = doc
      self.location = location
    }

    public var dwords: ClosedRange<Int> { dword...(dword + count - 1) }
  }

  public var name: String
  public var sizeInDwords: Int
  public var doc: Documentation?
  public var members: [Member]
  public var location: SourceLocation

  public init(
    name: String, sizeInDwords: Int, doc: Documentation? = nil, members: [Member],
    location: SourceLocation
  ) {
    self.name = name
    self.sizeInDwords = sizeInDwords
    self.doc = doc
    self.members = members
    self.location = location
  }
}
