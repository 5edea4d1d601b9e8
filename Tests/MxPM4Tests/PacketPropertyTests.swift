import MxGenerator
import MxPM4
import MxPM4Packets
import MxSpecModel
import XCTest

/// Properties of every packet of Specs/packets, driven by the spec model so that a packet added
/// to the spec is covered without a test change: random in-range field values (every layout of
/// every dword, payloads of random length, random header bits) are packed into dwords by the
/// spec, decoded by the generated decoder to one packet whose fields the disassembler reads back
/// as chosen, and re-encoded by the generated builders to the same dwords.
final class PacketPropertyTests: XCTestCase {
  static let specs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Specs/packets").path

  func testRandomPacketsOfEveryKindAndLayoutDecodeAndReencodeToThemselves() throws {
    let (spec, diagnostics) = Generator().check(specsAt: Self.specs)
    XCTAssertFalse(diagnostics.hasErrors)
    let set = try XCTUnwrap(spec.packetSets.first)
    XCTAssertEqual(set.packets.count, 37)
    let disassembler = PacketDisassembler(set: set)
    var source = RandomPackets(set: set, seed: 0x5EED_0F_9A)
    var layoutsSeen = Set<String>()
    for packet in set.packets {
      for _ in 0..<300 {
        let made = source.make(packet)
        layoutsSeen.formUnion(made.layouts)
        let decoded = try Pm4ViPacket.decode(made.dwords)
        XCTAssertEqual(decoded.count, 1, "\(packet.name): \(made.dwords)")
        let (read, error) = disassembler.decode(made.dwords)
        XCTAssertNil(error, "\(packet.name)")
        XCTAssertEqual(read.first?.fields.map(\.name), made.fields.map(\.name), packet.name)
        XCTAssertEqual(read.first?.fields.map(\.value), made.fields.map(\.value), packet.name)
        XCTAssertEqual(read.first?.payload, made.payload, packet.name)

        let first = try XCTUnwrap(decoded.first)
        let reencoded = try encoded(capacity: made.dwords.count) {
          try first.packet.encode(
            into: &$0, payload: made.dwords[first.payload], shaderType: first.shaderType, predicate: first.predicate)
        }
        XCTAssertEqual(reencoded, made.dwords, packet.name)
        XCTAssertEqual(try Pm4ViPacket.decode(reencoded), decoded, packet.name)
      }
    }
    let everyLayout = Set(
      set.packets.flatMap { packet in
        packet.dwords.flatMap { dword in dword.layouts.map { "\(packet.name).\(dword.name).\($0.name)" } }
      })
    XCTAssertEqual(layoutsSeen, everyLayout, "layouts never generated: \(everyLayout.subtracting(layoutsSeen))")
  }

  /// Streams of many random packets back to back (type 0 and type 2 among them) re-encode whole.
  func testRandomStreamsReencodeToThemselves() throws {
    let (spec, _) = Generator().check(specsAt: Self.specs)
    var source = RandomPackets(set: try XCTUnwrap(spec.packetSets.first), seed: 42)
    for _ in 0..<200 {
      var stream: [UInt32] = []
      for _ in 0..<Int.random(in: 1...12, using: &source.generator) {
        switch Int.random(in: 0..<10, using: &source.generator) {
        case 0: stream += [PM4Header.type2]
        case 1:
          let count = Int.random(in: 1...4, using: &source.generator)
          stream += [PM4Header.type0(register: .random(in: 0...0xFFFF, using: &source.generator), bodyDwords: count)]
          stream += (0..<count).map { _ in UInt32.random(in: 0...UInt32.max, using: &source.generator) }
        default: stream += source.make(source.set.packets.randomElement(using: &source.generator)!).dwords
        }
      }
      let decoded = try Pm4ViPacket.decode(stream)
      let reencoded = try encoded(capacity: stream.count) { sink in
        for packet in decoded {
          try packet.packet.encode(
            into: &sink, payload: stream[packet.payload], shaderType: packet.shaderType, predicate: packet.predicate)
        }
      }
      XCTAssertEqual(reencoded, stream)
    }
  }
}

/// Random packets made from the spec model alone: every field gets a random value that fits its
/// width (a defined value where it has an enum), each dword's layout follows its selector as the
/// hardware reads it, and the tail gets 0–5 random dwords.
struct RandomPackets {
  let set: PacketSet
  let enums: [String: EnumType]
  var generator: SplitMix64

  init(set: PacketSet, seed: UInt64) {
    self.set = set
    enums = Dictionary(set.enums.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    generator = SplitMix64(seed: seed)
  }

  struct Made {
    var dwords: [UInt32]
    /// Every field in order, with its value: what the disassembler must read back.
    var fields: [(name: String, value: UInt64)]
    var payload: [UInt32]
    /// `PACKET.DWORD.LAYOUT` of each dword that has layouts.
    var layouts: [String]
  }

  mutating func make(_ packet: Packet) -> Made {
    var made = Made(dwords: [], fields: [], payload: [], layouts: [])
    let restricted = selectorsWithoutDefault(packet)
    var body: [UInt32] = []
    for dword in packet.dwords {
      var fields = dword.fields
      if !dword.layouts.isEmpty {
        let selector = dword.layouts.compactMap(\.selector).first
        let value = made.fields.first { $0.name == selector }?.value
        let layout =
          dword.layouts.first { $0.selector != nil && value.map($0.values.contains) == true }
          ?? dword.layouts.first { $0.selector == nil }!
        made.layouts.append("\(packet.name).\(dword.name).\(layout.name)")
        fields = layout.fields
      }
      var word: UInt64 = 0
      for field in fields {
        let value = randomValue(for: field, allowed: restricted[field.name])
        made.fields.append((field.name, value))
        word |= value << UInt64(field.bits.lsb)
      }
      body.append(UInt32(word))
    }
    if packet.tail != nil {
      made.payload = (0..<Int.random(in: 0...5, using: &generator)).map { _ in
        UInt32.random(in: 0...UInt32.max, using: &generator)
      }
      body += made.payload
    }
    // A NOP with count 0x3FFF is the one-dword pad; no other body is empty.
    let header = PM4Header.type3(
      opcode: packet.opcode!, bodyDwords: body.count, shaderType: .random(using: &generator),
      predicate: .random(using: &generator))
    made.dwords = [header] + body
    return made
  }

  private mutating func randomValue(for field: Field, allowed: [UInt64]?) -> UInt64 {
    if let allowed { return allowed.randomElement(using: &generator)! }
    if let values = field.enumName.flatMap({ enums[$0] })?.values {
      return values.randomElement(using: &generator)!.value
    }
    return UInt64.random(in: 0...field.bits.mask >> UInt64(field.bits.lsb), using: &generator)
  }

  /// Selector fields whose dword has no default layout may only take the values a layout lists.
  private func selectorsWithoutDefault(_ packet: Packet) -> [String: [UInt64]] {
    var result: [String: [UInt64]] = [:]
    for dword in packet.dwords where !dword.layouts.isEmpty && !dword.layouts.contains(where: { $0.selector == nil }) {
      if let selector = dword.layouts.compactMap(\.selector).first {
        result[selector] = dword.layouts.flatMap(\.values)
      }
    }
    return result
  }
}

/// A small seeded generator, so that a failing round can be replayed.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
