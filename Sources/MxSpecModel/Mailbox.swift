/// The messages of a guest/host mailbox protocol (`xgpu_vi`).
public struct Mailbox: Sendable, Hashable {
  public var name: String
  public var doc: Documentation?
  public var messages: [Message]
  public var location: SourceLocation

  public init(
    name: String, doc: Documentation? = nil, messages: [Message], location: SourceLocation
  ) {
    self.name = name
    self.doc = doc
    self.messages = messages
    self.location = location
  }
}

public struct Message: Sendable, Hashable {
  /// Who sends it: the guest (`request`, guest → host) or the host (`event`, host → guest).
  public enum Direction: String, Sendable {
    case request
    case event
  }

  public struct PayloadDword: Sendable, Hashable {
    public var name: String
    public var index: Int
    public var doc: Documentation?
    public var location: SourceLocation

    public init(name: String, index: Int, doc: Documentation? = nil, location: SourceLocation) {
      self.name = name
      self.index = index
      self.doc = doc
      self.location = location
    }
  }

  public var name: String
  public var id: UInt32
  public var direction: Direction
  /// The event the host answers this request with, when it answers at all.
  public var reply: String?
  public var timeoutMilliseconds: Int?
  public var pollMilliseconds: Int?
  /// Whether the host raises RCV_MSG_VALID with this event. GIM does not for
  /// FLR_NOTIFICATION_CMPL, so a guest must look for that one in RCV_DW0 alone.
  public var hostSetsValid: Bool
  public var payload: [PayloadDword]
  public var doc: Documentation?
  public var location: SourceLocation

  public init(
    name: String, id: UInt32, direction: Direction, reply: String? = nil,
    timeoutMilliseconds: Int? = nil, pollMilliseconds: Int? = nil, hostSetsValid: Bool = true,
    payload: [PayloadDword] = [],
    doc: Documentation? = nil, location: SourceLocation
  ) {
    self.name = name
    self.id = id
    self.direction = direction
    self.reply = reply
    self.timeoutMilliseconds = timeoutMilliseconds
    self.pollMilliseconds = pollMilliseconds
    self.hostSetsValid = hostSetsValid
    self.payload = payload
    self.doc = doc
    self.location = location
  }
}
