/// Everything loaded from a specs folder: the generator's intermediate representation.
/// It has no XML in it, so any front end (XML, header import) can produce it.
public struct Spec: Sendable, Hashable {
  public var blocks: [Block]
  public var chips: [Chip]
  public var packetSets: [PacketSet]
  public var mailboxes: [Mailbox]
  public var interruptSources: [InterruptSourceSet]
  public var opcodeNames: [OpcodeNames]
  public var clearStates: [ClearState]
  public var structures: [Structure]
  public var addressPairs: [AddressPair]
  /// Changes to registers that public sources support; `applyOverlays` makes them.
  public var overlays: [Overlay]

  public init(
    blocks: [Block] = [], chips: [Chip] = [], packetSets: [PacketSet] = [],
    mailboxes: [Mailbox] = [], interruptSources: [InterruptSourceSet] = [], clearStates: [ClearState] = [],
    structures: [Structure] = [], addressPairs: [AddressPair] = [], overlays: [Overlay] = [],
    opcodeNames: [OpcodeNames] = []
  ) {
    self.blocks = blocks
    self.chips = chips
    self.packetSets = packetSets
    self.mailboxes = mailboxes
    self.interruptSources = interruptSources
    self.clearStates = clearStates
    self.structures = structures
    self.addressPairs = addressPairs
    self.overlays = overlays
    self.opcodeNames = opcodeNames
  }

  public mutating func merge(_ other: Spec) {
    blocks += other.blocks
    chips += other.chips
    packetSets += other.packetSets
    mailboxes += other.mailboxes
    interruptSources += other.interruptSources
    clearStates += other.clearStates
    structures += other.structures
    addressPairs += other.addressPairs
    overlays += other.overlays
    opcodeNames += other.opcodeNames
  }

  public func block(named name: String, version: String) -> Block? {
    blocks.first { $0.name == name && $0.version == version }
  }

  /// The block with id `id` (`gfx_8_0`).
  public func block(id: String) -> Block? { blocks.first { $0.id == id } }
}
