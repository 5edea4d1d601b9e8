/// A memory structure laid out by dword index (an MQD, CE/DE metadata payloads), as the driver
/// and the command processor share it.
public struct Structure: Sendable, Hashable {
  public struct Member: Sendable, Hashable {
    public var name: String
    public var dword: Int
    /// Number of consecutive dwords (an array, or the size of `type`).
    public var count: Int
    /// The register whose value this member holds (an MQD field mirrors an HQD register), in
    /// the structure's `registerBlock`.
    public var register: String?
    /// The structure this member is an instance of (`vi_mqd` inside `vi_mqd_allocation`).
    public var type: String?
    public var doc: Documentation?
    public var location: SourceLocation

    public init(
      name: String, dword: Int, count: Int = 1, register: String? = nil, type: String? = nil,
      doc: Documentation? = nil, location: SourceLocation
    ) {
      self.name = name
      self.dword = dword
      self.count = count
      self.register = register
      self.type = type
      self.doc = doc
      self.location = location
    }

    public var dwords: ClosedRange<Int> { dword...(dword + count - 1) }
  }

  public var name: String
  public var sizeInDwords: Int
  /// The block (`gfx_8_0`) whose registers members mirror.
  public var registerBlock: String?
  public var doc: Documentation?
  public var members: [Member]
  public var location: SourceLocation

  public init(
    name: String, sizeInDwords: Int, registerBlock: String? = nil, doc: Documentation? = nil, members: [Member],
    location: SourceLocation
  ) {
    self.name = name
    self.sizeInDwords = sizeInDwords
    self.registerBlock = registerBlock
    self.doc = doc
    self.members = members
    self.location = location
  }
}

/// A GPU address a structure holds in two dword members, as the driver stores it: `lo` holds
/// bits 31:0 of `address >> shift`, `hi` the bits above. The hardware ignores the low bits, so
/// the address must be `alignment`-aligned, and it has `bits` significant bits. Kept apart from
/// the imported structure (the headers do not say it): each declaration cites the code that
/// stores the address.
public struct AddressPair: Sendable, Hashable {
  public var structure: String
  public var name: String
  public var lo: String
  public var hi: String
  public var shift: Int
  /// In bytes; a power of two.
  public var alignment: UInt64
  public var bits: Int
  public var doc: Documentation?
  public var location: SourceLocation

  public init(
    structure: String, name: String, lo: String, hi: String, shift: Int, alignment: UInt64, bits: Int,
    doc: Documentation? = nil, location: SourceLocation
  ) {
    self.structure = structure
    self.name = name
    self.lo = lo
    self.hi = hi
    self.shift = shift
    self.alignment = alignment
    self.bits = bits
    self.doc = doc
    self.location = location
  }
}
