import MxPM4
import MxPM4Packets
import XCTest

final class ErrorTests: XCTestCase {
  func testValuesThatDoNotFitAreRejectedNotTruncated() {
    XCTAssertThrowsError(try encoded { try MAP_QUEUES(VMID: 16).encode(into: &$0) }) { error in
      XCTAssertEqual(
        error as? PM4EncodingError, .valueDoesNotFit(packet: "MAP_QUEUES", field: "VMID", value: 16, width: 4))
    }
    XCTAssertThrowsError(
      try encoded {
        try UNMAP_QUEUES(ORDINAL3: .doorbell(DOORBELL_OFFSET0: 0x20_0000), ORDINAL4: .doorbell(DOORBELL_OFFSET1: 0))
          .encode(into: &$0)
      })
  }

  func testALayoutItsSelectorDoesNotChooseIsRejected() {
    let packet = UNMAP_QUEUES(
      QUEUE_SEL: .PERFORM_REQUEST_ON_SPECIFIED_QUEUES, ORDINAL3: .pasid(PASID: 1),
      ORDINAL4: .doorbell(DOORBELL_OFFSET1: 0))
    XCTAssertThrowsError(try encoded { try packet.encode(into: &$0) }) { error in
      XCTAssertEqual(
        error as? PM4EncodingError,
        .layoutMismatch(packet: "UNMAP_QUEUES", dword: "ORDINAL3", selector: "QUEUE_SEL", value: 0))
    }
  }

  func testAFullBufferGetsNothing() throws {
    XCTAssertThrowsError(try encoded(capacity: 6) { try mapQueues(ring: 0, mqd: 0, wptr: 0).encode(into: &$0) }) {
      error in
      XCTAssertEqual(error as? PM4EncodingError, .noSpace(needed: 7, available: 6))
    }
    // A ring wraps at its mask.
    let storage = UnsafeMutablePointer<UInt32>.allocate(capacity: 8)
    defer { storage.deallocate() }
    var ring = PM4Ring(base: storage, mask: 7, writePointer: 6, allowance: 8)
    try SET_UCONFIG_REG(REG_OFFSET: 0x40).encode(into: &ring, payload: [0xDEAD_BEEF])
    XCTAssertEqual([storage[6], storage[7], storage[0]], [0xC001_7900, 0x40, 0xDEAD_BEEF])
    XCTAssertEqual(ring.writePointer, 9)
  }

  func testDecodingErrorsNameTheDwordIndex() {
    func error(_ stream: [UInt32]) -> PM4DecodingError? {
      do {
        _ = try Pm4ViPacket.decode(stream)
        return nil
      } catch { return error }
    }
    XCTAssertEqual(error([0xFFFF_1000, 0xC000_EE00, 0]), .unknownOpcode(0xEE, dwordIndex: 1))
    XCTAssertEqual(error([0xC005_A200, 0, 0]), .truncated(dwordIndex: 0, needed: 6, available: 2))
    XCTAssertEqual(error([0x4000_0000]), .invalidType(1, dwordIndex: 0))
    XCTAssertEqual(
      error([0xC005_A200, 0x0400_0000, 0, 0, 0, 0, 0]),
      .reservedValue(packet: "MAP_QUEUES", field: "ENGINE_SEL", value: 1, dwordIndex: 1))
    XCTAssertEqual(
      error([0xC006_A000, 0, 0, 0, 0, 0, 0x0001_0000, 0]),
      .reservedBits(packet: "SET_RESOURCES", dword: "ORDINAL7", bits: 0x0001_0000, dwordIndex: 6))
    XCTAssertEqual(
      error([0xC003_A000, 0, 0, 0, 0]),
      .wrongLength(packet: "SET_RESOURCES", dwordIndex: 0, bodyDwords: 4, expected: "7"))
    XCTAssertEqual(
      error([0xC003_3700, 0x0000_0400, 0, 0, 0]),
      .reservedValue(packet: "WRITE_DATA", field: "DST_SEL", value: 4, dwordIndex: 1))
  }

  /// The decoder accepts only what re-encodes to itself: bits 7:2 of a type-3 header and bits
  /// 29:0 of a type-2 filler must be 0, and a type-0 header's low bits are its register, not
  /// the shader-type and predicate flags.
  func testHeaderBitsThatCannotBeReencodedAreRejected() throws {
    XCTAssertThrowsError(try Pm4ViPacket.decode([0xC001_7904, 0x40, 1])) { error in
      XCTAssertEqual(
        error as? PM4DecodingError, .reservedBits(packet: "TYPE3", dword: "HEADER", bits: 0x4, dwordIndex: 0))
    }
    XCTAssertThrowsError(try Pm4ViPacket.decode([0xFFFF_1000, 0x8000_0001])) { error in
      XCTAssertEqual(
        error as? PM4DecodingError, .reservedBits(packet: "TYPE2", dword: "HEADER", bits: 0x1, dwordIndex: 1))
    }
    let type0 = try XCTUnwrap(Pm4ViPacket.decode([0x0000_C043, 7]).first)
    XCTAssertEqual(type0.packet, .type0(register: 0xC043))
    XCTAssertFalse(type0.shaderType)
    XCTAssertFalse(type0.predicate)
    let flagged = try XCTUnwrap(Pm4ViPacket.decode([0xC001_7903, 0x40, 1]).first)
    XCTAssertTrue(flagged.shaderType)
    XCTAssertTrue(flagged.predicate)
    XCTAssertEqual(
      try encoded {
        try flagged.packet.encode(into: &$0, payload: [1], shaderType: flagged.shaderType, predicate: flagged.predicate)
      }, [0xC001_7903, 0x40, 1])
  }

  func testReencodingChecksThePayloadEachPacketTakes() {
    XCTAssertThrowsError(try encoded { try Pm4ViPacket.MAP_QUEUES(MAP_QUEUES()).encode(into: &$0, payload: [1]) }) {
      XCTAssertEqual($0 as? PM4EncodingError, .payloadLength(packet: "MAP_QUEUES", dwords: 1, allowed: 0...0))
    }
    XCTAssertThrowsError(try encoded { try Pm4ViPacket.type0(register: 0x40).encode(into: &$0, payload: []) }) {
      XCTAssertEqual($0 as? PM4EncodingError, .payloadLength(packet: "TYPE0", dwords: 0, allowed: 1...0x4000))
    }
    XCTAssertThrowsError(try encoded { try Pm4ViPacket.type0(register: 0x1_0000).encode(into: &$0, payload: [1]) }) {
      XCTAssertEqual(
        $0 as? PM4EncodingError, .valueDoesNotFit(packet: "TYPE0", field: "REGISTER", value: 0x1_0000, width: 16))
    }
    XCTAssertThrowsError(try encoded { try Pm4ViPacket.type2.encode(into: &$0, payload: [0]) }) {
      XCTAssertEqual($0 as? PM4EncodingError, .payloadLength(packet: "TYPE2", dwords: 1, allowed: 0...0))
    }
  }

  /// A NOP's count 0x3FFF means the one-dword pad, so a NOP can carry at most 0x3FFF filler
  /// dwords; any other packet 0x4000.
  func testANopLongEnoughToReadAsThePadIsRejected() throws {
    let filler = [UInt32](repeating: 0, count: 0x4000)
    XCTAssertThrowsError(try encoded(capacity: 0x4001) { try NOP().encode(into: &$0, payload: filler) }) {
      XCTAssertEqual($0 as? PM4EncodingError, .tooLong(packet: "NOP", bodyDwords: 0x4000))
    }
    let longest = try encoded(capacity: 0x4000) { try NOP().encode(into: &$0, payload: filler.dropLast()) }
    XCTAssertEqual(longest.first, 0xFFFE_1000)
    XCTAssertEqual(try Pm4ViPacket.decode(longest).map(\.dwordCount), [0x4000])
    XCTAssertNoThrow(
      try encoded(capacity: 0x4001) { try SET_UCONFIG_REG().encode(into: &$0, payload: filler.dropLast()) })
  }
}
