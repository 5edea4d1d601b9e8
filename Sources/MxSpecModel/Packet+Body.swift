extension Packet {
  /// The dwords after the header that every packet of this kind has, in order (a repeated
  /// group's dwords once each).
  public var dwords: [PacketDword] {
    body.flatMap { item -> [PacketDword] in
      switch item {
      case .dword(let dword): [dword]
      case .repeated(let group): group.dwords
      case .tail: []
      }
    }
  }

  /// The variable-length tail the packet ends with, if any.
  public var tail: PacketTail? {
    body.lazy.compactMap { if case .tail(let tail) = $0 { tail } else { nil } }.first
  }
}
