import MxSpecModel

/// A ring read from a device, decoded for a person, as UMR shows one: what the CP has still to
/// run (from the read pointer to the write pointer), what the driver wrote that the CP has not
/// seen (up to the driver's own write pointer), and what lies before the read pointer as history. Every region
/// is decoded leniently (a hung ring holds packets the spec has no layout for, and the history
/// starts wherever its window does); a run of NOP pads is one entry; the registers a packet
/// touches and the indirect buffers it names come with it, each buffer decoded where its memory
/// can be read.
public struct RingListing: Sendable {
  public enum Region: String, Sendable, Codable {
    case history, pending, unseen
  }

  public struct Entry: Equatable, Sendable {
    public var region: Region
    /// A dword of the ring, or of the indirect buffer the entry is in.
    public var position: Int
    /// The packet, undecoded packet or garbage, its index the position.
    public var item: PacketDisassembler.Item
    /// More than 0: a run of this many one-dword NOP pads, `item` the first.
    public var pads = 0
    public var registers: [PacketRegisters.Access] = []
    /// The buffer an INDIRECT_BUFFER or INDIRECT_BUFFER_CONST names.
    public var indirectBuffer: IndirectBuffer?

    /// The item's line, or `0012: NOP pad × 20` for a run of pads.
    public var line: String {
      pads > 0 ? PacketDisassembler.Item.position(position) + ": NOP pad × \(pads)" : item.line
    }
  }

  public struct IndirectBuffer: Equatable, Sendable {
    public var address: UInt64
    public var dwords: Int
    /// Its packets, when its memory could be read.
    public var entries: [Entry]?
  }

  /// Where the dwords of an indirect buffer come from: nil when they cannot be read.
  public typealias Memory = @Sendable (_ address: UInt64, _ dwords: Int) -> [UInt32]?

  public let ringDwords: Int
  public let readPointer: Int
  public let writePointer: Int
  public let driverWritePointer: Int
  /// The history shown: at most this many dwords before the read pointer.
  public let historyDwords: Int
  public let entries: [Entry]

  /// Indirect buffers inside indirect buffers are followed this deep (a chain's next link is one).
  static let deepestBuffer = 4

  public init(
    ring: [UInt32], readPointer: Int, writePointer: Int, driverWritePointer: Int, history: Int,
    disassembler: PacketDisassembler, registers: PacketRegisters?, memory: Memory?
  ) {
    precondition(ring.count.nonzeroBitCount == 1, "a ring is a power of two of dwords")
    let mask = ring.count - 1
    (ringDwords, self.readPointer, self.writePointer) = (ring.count, readPointer & mask, writePointer & mask)
    self.driverWritePointer = driverWritePointer & mask
    let pending = (self.writePointer - self.readPointer) & mask
    let unseen = (self.driverWritePointer - self.writePointer) & mask
    historyDwords = min(history, ring.count - pending - unseen)
    let decoder = Decoder(disassembler: disassembler, registers: registers, memory: memory)
    func region(_ region: Region, from start: Int, count: Int) -> [Entry] {
      let dwords = (0..<count).map { ring[(start + $0) & mask] }
      return decoder.entries(of: dwords, region: region, depth: 0) { (start + $0) & mask }
    }
    entries =
      region(.history, from: self.readPointer - historyDwords, count: historyDwords)
      + region(.pending, from: self.readPointer, count: pending)
      + region(.unseen, from: self.writePointer, count: unseen)
  }

  /// The listing as text: a heading with the pointers, then each region under its marker, an
  /// indirect buffer's packets indented under the packet that names it.
  public func lines(name: String) -> [String] {
    var out = [
      "\(name): \(ringDwords) dwords; read pointer \(readPointer), write pointer \(writePointer), driver's write "
        + "pointer \(driverWritePointer)"
    ]
    func region(_ region: Region, _ heading: String) {
      let shown = entries.filter { $0.region == region }
      guard !shown.isEmpty || region == .pending else { return }
      out.append(heading)
      for entry in shown { Self.append(entry, indent: "  ", to: &out) }
    }
    region(.history, "history: the \(historyDwords) dwords before the read pointer")
    region(
      .pending,
      readPointer == writePointer
        ? "read pointer \(readPointer) = write pointer: nothing to run"
        : "read pointer \(readPointer): to run, up to the write pointer \(writePointer)")
    region(
      .unseen, "write pointer \(writePointer): written by the driver, not seen by the CP, up to \(driverWritePointer)")
    return out
  }

  private static func append(_ entry: Entry, indent: String, to out: inout [String]) {
    out.append(indent + entry.line)
    for access in entry.registers { out.append(indent + "    " + access.line) }
    guard let buffer = entry.indirectBuffer else { return }
    let heading = "\(indent)    indirect buffer at \(Hex.literal(buffer.address)), \(buffer.dwords) dwords"
    guard let entries = buffer.entries else {
      out.append(heading + ": its memory is not readable here")
      return
    }
    out.append(heading + ":")
    for inner in entries { append(inner, indent: indent + "      ", to: &out) }
  }

  /// Decodes a run of dwords into entries.
  private struct Decoder {
    let disassembler: PacketDisassembler
    let registers: PacketRegisters?
    let memory: Memory?

    func entries(of dwords: [UInt32], region: Region, depth: Int, position: (Int) -> Int) -> [Entry] {
      var entries: [Entry] = []
      for item in disassembler.decodeLeniently(dwords) {
        let at = position(item.range.lowerBound)
        if case .packet(let packet) = item, packet.isPad {
          if let last = entries.last, last.pads > 0 {
            entries[entries.count - 1].pads += 1
          } else {
            entries.append(Entry(region: region, position: at, item: item.moved(to: at), pads: 1))
          }
          continue
        }
        var entry = Entry(region: region, position: at, item: item.moved(to: at))
        if case .packet(let packet) = item {
          entry.registers = registers?.accesses(of: packet) ?? []
          entry.indirectBuffer = buffer(named: packet, region: region, depth: depth)
        }
        entries.append(entry)
      }
      return entries
    }

    /// The buffer INDIRECT_BUFFER or INDIRECT_BUFFER_CONST names, decoded if its memory reads.
    private func buffer(named packet: PacketDisassembler.Packet, region: Region, depth: Int) -> IndirectBuffer? {
      guard packet.name == "INDIRECT_BUFFER" || packet.name == "INDIRECT_BUFFER_CONST" else { return nil }
      func field(_ name: String) -> UInt64 { packet.fields.first { $0.name == name }?.value ?? 0 }
      let address = field("IB_BASE_HI") << 32 | field("IB_BASE_LO") << 2
      var buffer = IndirectBuffer(address: address, dwords: Int(field("IB_SIZE")))
      if depth < RingListing.deepestBuffer, let dwords = memory?(address, buffer.dwords) {
        buffer.entries = entries(of: dwords, region: region, depth: depth + 1) { $0 }
      }
      return buffer
    }
  }
}

extension PacketDisassembler.Packet {
  /// `PACKET3(NOP, 0x3FFF)`, the one-dword pad that fills a ring to its alignment.
  var isPad: Bool { name == "NOP" && count == 0x3FFF && dwordCount == 1 }

  func moved(to index: Int) -> Self {
    var packet = self
    packet.index = index
    return packet
  }
}

extension PacketDisassembler.Item {
  /// The same item at another index.
  func moved(to index: Int) -> Self {
    switch self {
    case .packet(let packet): .packet(packet.moved(to: index))
    case .undecoded(let packet, let reason): .undecoded(packet.moved(to: index), reason: reason)
    case .garbage(_, let count, let reason): .garbage(index: index, count: count, reason: reason)
    }
  }
}
