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
}
