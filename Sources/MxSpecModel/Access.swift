/// How software may access a register or a field.
public enum Access: String, Sendable, CaseIterable {
  /// No source says: what a spec without an `access` attribute means, and so every register the
  /// kernel headers give (they carry no access modes) until an overlay cites one. Generated code
  /// treats it as read-write, and its documentation says that it is unknown.
  case unknown
  /// Read and write.
  case readWrite = "rw"
  /// Read only: writes are ignored by hardware, so generated code offers no setter.
  case readOnly = "ro"
  /// Write only: reads return no meaningful value.
  case writeOnly = "wo"
  /// Write 1 to clear: writing 0 leaves the bit alone, so read-modify-write must write 0 here.
  case writeOneToClear = "w1c"
  /// Write 1 to set: writing 0 leaves the bit alone.
  case writeOneToSet = "w1s"
  /// Reading clears the value.
  case readToClear = "rc"

  public var isReadable: Bool { self != .writeOnly }
  public var isWritable: Bool { self != .readOnly }

  /// For documentation: `rw`, `ro`, … or `access unknown`.
  public var summary: String { self == .unknown ? "access unknown" : rawValue }
}
