/// A chip (Tonga, Fiji): the blocks it is built from and data that is the chip's own.
public struct Chip: Sendable, Hashable {
  /// A block this chip uses, by name and version.
  public struct BlockUse: Sendable, Hashable {
    public var block: String
    public var version: String
    public var location: SourceLocation

    public init(block: String, version: String, location: SourceLocation) {
      self.block = block
      self.version = version
      self.location = location
    }
  }

  /// Which PCI function a device ID names.
  public enum FunctionKind: String, Sendable {
    case physical = "pf"
    case virtual = "vf"
    case unknown
  }

  public struct PCIID: Sendable, Hashable {
    public var vendor: UInt16
    public var device: UInt16
    public var function: FunctionKind
    public var doc: Documentation?
    public var location: SourceLocation

    public init(
      vendor: UInt16, device: UInt16, function: FunctionKind, doc: Documentation? = nil,
      location: SourceLocation
    ) {
      self.vendor = vendor
      self.device = device
      self.function = function
      self.doc = doc
      self.location = location
    }
  }

  /// One step of a golden sequence: `reg = (reg & ~andMask) | orMask`, or a plain write of
  /// `orMask` when `andMask` is all ones.
  public struct GoldenWrite: Sendable, Hashable {
    public var register: String
    public var andMask: UInt32
    public var orMask: UInt32
    public var location: SourceLocation

    public init(register: String, andMask: UInt32, orMask: UInt32, location: SourceLocation) {
      self.register = register
      self.andMask = andMask
      self.orMask = orMask
      self.location = location
    }
  }

  public struct GoldenSequence: Sendable, Hashable {
    public var name: String
    public var doc: Documentation?
    public var writes: [GoldenWrite]
    public var location: SourceLocation

    public init(
      name: String, doc: Documentation? = nil, writes: [GoldenWrite], location: SourceLocation
    ) {
      self.name = name
      self.doc = doc
      self.writes = writes
      self.location = location
    }
  }

  public var name: String
  public var family: String?
  public var doc: Documentation?
  public var uses: [BlockUse]
  public var pciIDs: [PCIID]
  public var goldenSequences: [GoldenSequence]
  public var location: SourceLocation

  public init(
    name: String, family: String? = nil, doc: Documentation? = nil, uses: [BlockUse] = [],
    pciIDs: [PCIID] = [], goldenSequences: [GoldenSequence] = [], location: SourceLocation
  ) {
    self.name = name
    self.family = family
    self.doc = doc
    self.uses = uses
    self.pciIDs = pciIDs
    self.goldenSequences = goldenSequences
    self.location = location
  }
}
