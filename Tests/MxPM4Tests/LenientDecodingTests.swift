import Foundation
import MxGenerator
import XCTest

/// `decodeLeniently`, the decoder for dumps: it never stops, covers every dword once, names what
/// it knows and picks up after garbage.
final class LenientDecodingTests: XCTestCase {
  private static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/PM4Corpus")

  private func disassembler() throws -> PacketDisassembler {
    let (spec, diagnostics) = Generator().check(specsAt: DisassemblerAgreementTests.specs)
    XCTAssertFalse(diagnostics.hasErrors)
    return PacketDisassembler(set: try XCTUnwrap(spec.packetSets.first { $0.name == "pm4_vi" }), in: spec)
  }

  private func corpus(_ name: String) throws -> [UInt32] {
    let bytes = [UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent(name)))
    var dwords: [UInt32] = []
    for offset in stride(from: 0, to: bytes.count - 3, by: 4) {
      let low = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
      dwords.append(low | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24)
    }
    return dwords
  }

  /// Every dword in exactly one item, in order.
  private func assertCovers(
    _ items: [PacketDisassembler.Item], _ count: Int, file: StaticString = #filePath, line: UInt = #line
  ) {
    var next = 0
    for item in items {
      XCTAssertEqual(item.range.lowerBound, next, "\(item)", file: file, line: line)
      XCTAssertFalse(item.range.isEmpty, "\(item)", file: file, line: line)
      next = item.range.upperBound
    }
    XCTAssertEqual(next, count, file: file, line: line)
  }

  func testAValidStreamDecodesAsTheStrictDecoderDecodesIt() throws {
    let decoder = try disassembler()
    for name in ["kiq-bring-up.bin", "csa-meta-chained.bin", "type0-and-type2.bin", "unmap-queues.bin"] {
      let stream = try corpus(name)
      let strict = decoder.decode(stream)
      XCTAssertNil(strict.error, name)
      XCTAssertEqual(decoder.decodeLeniently(stream), strict.packets.map { .packet($0) }, name)
    }
  }

  func testAnOpcodeWithoutALayoutIsNamedWithItsBodyRawAndAnUnnamedOneIsGarbage() throws {
    // DRAW_INDEX_AUTO (0x2D: vid.h names it, the spec has no layout), then a NOP pad, opcode 0x01
    // (no name anywhere), a WRITE_DATA, a type-0 header counting past the end, a CONTEXT_CONTROL.
    let stream: [UInt32] = [
      0xC001_2D00, 3, 2, 0xFFFF_1000, 0xC000_0100, 7, 0xC003_3700, 0x0010_0500, 0x1040, 0x80, 0xDEAD_BEEF, 0x1234_5678,
      0xC001_2800, 0x8000_0000, 0,
    ]
    let items = try disassembler().decodeLeniently(stream)
    assertCovers(items, stream.count)
    XCTAssertEqual(
      items.map(\.line),
      [
        "0000: DRAW_INDEX_AUTO, not decoded (no layout for opcode 0x2D in pm4_vi): body=[0x3, 0x2]", "0003: NOP",
        "0004: 2 dwords of garbage (unknown opcode 0x1)",
        "0006: WRITE_DATA DST_SEL=MEMORY_ASYNC(5) WR_ONE_ADDR=0 WR_CONFIRM=1 CACHE_POLICY=LRU(0) ENGINE_SEL=ME(0) DST_ADDR_LO=0x1040 DST_ADDR_HI=0x80 payload=[0xDEADBEEF]",
        "0011: 1 dword of garbage (header counts 4661 body dwords but only 3 follow)",
        "0012: CONTEXT_CONTROL LOAD_GLOBAL_CONFIG=0 LOAD_PER_CONTEXT_STATE=0 LOAD_GLOBAL_UCONFIG=0 LOAD_GFX_SH_REGS=0 LOAD_CS_SH_REGS=0 LOAD_CE_RAM=0 LOAD_ENABLE=1 SHADOW_GLOBAL_CONFIG=0 SHADOW_PER_CONTEXT_STATE=0 SHADOW_GLOBAL_UCONFIG=0 SHADOW_GFX_SH_REGS=0 SHADOW_CS_SH_REGS=0 SHADOW_ENABLE=0",
      ])
  }

  func testAKnownPacketWhoseBodyDoesNotFitIsNamedWithItsBodyRaw() throws {
    let decoder = try disassembler()
    for name in ["error-reserved-bits.bin", "error-reserved-value.bin", "error-wrong-length.bin"] {
      let stream = try corpus(name)
      let strict = decoder.decode(stream)
      let error = try XCTUnwrap(strict.error, name)
      let items = decoder.decodeLeniently(stream)
      assertCovers(items, stream.count)
      guard case .undecoded(let packet, let reason) = items[strict.packets.count] else {
        return XCTFail("\(name): \(items)")
      }
      XCTAssertEqual(reason, error.message, name)
      XCTAssertFalse(packet.name.hasPrefix("TYPE"), name)
      XCTAssertEqual(packet.payload, Array(stream[(packet.index + 1)..<(packet.index + packet.dwordCount)]), name)
    }
  }

  /// Streams of real packets cut at random places and with random dwords overwritten: decoding
  /// covers every dword, and finds the packets the damage left whole — all but a few, which a
  /// damaged dword that looks like a long packet header swallows.
  func testCutAndCorruptedStreamsAreCoveredAndTheWholePacketsFound() throws {
    let decoder = try disassembler()
    var base: [UInt32] = []
    for name in [
      "kiq-bring-up.bin", "csa-meta-chained.bin", "kiq-register-read.bin", "unmap-queues.bin",
      "query-status.bin", "type0-and-type2.bin", "csa-meta-regular.bin", "kiq-register-write.bin",
    ] {
      base += try corpus(name)
    }
    let packets = decoder.decode(base)
    XCTAssertNil(packets.error)
    var random = SplitMix64(seed: 0x5EED_0020)
    var (whole, found) = (0, 0)
    for _ in 0..<400 {
      let start = Int.random(in: 0..<base.count / 2, using: &random)
      let end = Int.random(in: start + 1...base.count, using: &random)
      var stream = Array(base[start..<end])
      var damaged = Set<Int>()
      for _ in 0..<Int.random(in: 0...3, using: &random) {
        let at = Int.random(in: 0..<stream.count, using: &random)
        stream[at] = UInt32.random(in: 0 ... .max, using: &random)
        damaged.insert(at)
      }
      let items = decoder.decodeLeniently(stream)
      assertCovers(items, stream.count)
      let decoded = Set(items.compactMap { if case .packet(let packet) = $0 { packet.index } else { nil } })
      // The packets wholly inside the cut, none of their dwords damaged, after the first damage.
      let firstDamage = damaged.min() ?? 0
      for packet in packets.packets {
        let range = (packet.index - start)..<(packet.index - start + packet.dwordCount)
        guard range.lowerBound >= 0, range.upperBound <= stream.count, range.lowerBound > firstDamage,
          !damaged.contains(where: range.contains)
        else { continue }
        whole += 1
        if decoded.contains(range.lowerBound) { found += 1 }
      }
    }
    XCTAssertGreaterThan(whole, 1_000)
    XCTAssertGreaterThanOrEqual(Double(found) / Double(whole), 0.99, "\(found) of \(whole)")
  }
}
