import MxSpecModel

/// Decoding a dump. A ring or IB read after a hang holds packets the spec has no layout for,
/// packets cut short and garbage; the strict decoder stops at the first of them, this one never
/// does. Every dword of the input ends up in exactly one item, in order:
///
/// - a packet the strict rules decode, as `decode` gives it;
/// - a type-3 packet of a named opcode (vid.h names them all) that the set has no layout for, or
///   whose body does not fit its layout (a reserved bit, a value no enum has, the wrong length),
///   by name with its body raw, as long as the header's count says;
/// - garbage: a run of dwords that begin no packet, reported once with why its first dword does
///   not. Decoding picks up at the next plausible header: one that begins a packet the strict
///   rules decode whole (a type-3 packet or the type-2 filler), or a type-3 header of a named
///   opcode without a layout whose body lies inside the stream. A type-0 header is a quarter of
///   all random dwords, so one is trusted only where the stream is otherwise in step; a header
///   whose layout rejects its body is not trusted either (that is what garbage looks like).
extension PacketDisassembler {
  public enum Item: Equatable, Sendable {
    case packet(Packet)
    /// A packet by name whose body is shown raw, and why its layout did not decode it.
    case undecoded(Packet, reason: String)
    /// `count` dwords from `index` that are no packet; `reason` says why the first is not.
    case garbage(index: Int, count: Int, reason: String)

    /// Where the item starts and how many dwords it covers.
    public var range: Range<Int> {
      switch self {
      case .packet(let packet), .undecoded(let packet, _): packet.index..<packet.index + packet.dwordCount
      case .garbage(let index, let count, _): index..<index + count
      }
    }
  }

  /// Every dword of `dwords`, in packets, undecoded packets and runs of garbage.
  public func decodeLeniently(_ dwords: [UInt32]) -> [Item] {
    var items: [Item] = []
    var index = 0
    while index < dwords.count {
      switch packet(at: index, in: dwords) {
      case .success(let packet):
        items.append(.packet(packet))
        index += packet.dwordCount
      case .failure(let error):
        if let raw = rawPacket(at: index, in: dwords) {
          let layout = raw.opcode.flatMap(definition(of:))
          items.append(.undecoded(raw, reason: layout == nil ? noLayout(raw.opcode!) : error.message))
          index += raw.dwordCount
        } else {
          let next = resumption(after: index, in: dwords)
          items.append(.garbage(index: index, count: next - index, reason: error.message))
          index = next
        }
      }
    }
    return items
  }

  /// A type-3 header of a named opcode, reserved bits clear, whose body lies inside the stream:
  /// the packet by name, its body raw.
  private func rawPacket(at index: Int, in dwords: [UInt32]) -> Packet? {
    let header = dwords[index]
    let opcode = UInt8(truncatingIfNeeded: header >> 8)
    guard header >> 30 == 3, header & 0xFC == 0, let name = name(of: opcode) else { return nil }
    let count = Int((header >> 16) & 0x3FFF)
    let bodyDwords = opcode == 0x10 && count == 0x3FFF ? 0 : count + 1
    guard dwords.count - index - 1 >= bodyDwords else { return nil }
    return Packet(
      index: index, dwordCount: 1 + bodyDwords, name: name, type: 3, count: count, opcode: opcode,
      shaderType: header & 2 != 0, predicate: header & 1 != 0, fields: [],
      payload: Array(dwords[(index + 1)..<(index + 1 + bodyDwords)]))
  }

  /// The first plausible header after `index` (see the type's comment), or the end.
  private func resumption(after index: Int, in dwords: [UInt32]) -> Int {
    for next in (index + 1)..<dwords.count {
      let header = dwords[next]
      guard header >> 30 == 3 || header == 0x8000_0000 else { continue }
      if case .success = packet(at: next, in: dwords) { return next }
      let opcode = UInt8(truncatingIfNeeded: header >> 8)
      if header >> 30 == 3, definition(of: opcode) == nil, rawPacket(at: next, in: dwords) != nil { return next }
    }
    return dwords.count
  }
}

extension PacketDisassembler.Item {
  /// A packet's `line`; `0012: WRITE_DATA, not decoded (…): body=[…]`; `0020: 3 dwords of garbage (…)`.
  public var line: String {
    switch self {
    case .packet(let packet):
      return packet.line
    case .undecoded(let packet, let reason):
      let body = packet.payload.map { Hex.plain($0) }.joined(separator: ", ")
      return "\(Self.position(packet.index)): \(packet.name), not decoded (\(reason)): body=[\(body)]"
    case .garbage(let index, let count, let reason):
      return "\(Self.position(index)): \(count) dword\(count == 1 ? "" : "s") of garbage (\(reason))"
    }
  }

  static func position(_ index: Int) -> String {
    String(repeating: "0", count: max(0, 4 - String(index).count)) + String(index)
  }
}
