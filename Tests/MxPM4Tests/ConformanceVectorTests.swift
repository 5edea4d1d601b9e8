import MxPM4
import MxPM4Packets
import XCTest

/// The packets of facts sheet appendix B, built with the generated builders, bit for bit.
final class ConformanceVectorTests: XCTestCase {
  func testSetResources() throws {
    let dwords = try encoded { try SET_RESOURCES(QUEUE_MASK_LO: 0x0303_0303).encode(into: &$0) }
    XCTAssertEqual(dwords, [0xC006_A000, 0, 0x0303_0303, 0, 0, 0, 0, 0])
  }

  func testMapQueuesForTheEightComputeRings() throws {
    let control2: [UInt32] = [
      0x0000_0040, 0x2000_0044, 0x4000_0048, 0x6000_004C, 0x0400_0050, 0x2400_0054, 0x4400_0058, 0x6400_005C,
    ]
    for ring in 0..<8 {
      let dwords = try encoded { try mapQueues(ring: ring, mqd: 0x1_2345_6000, wptr: 0xF_0000_0100).encode(into: &$0) }
      XCTAssertEqual(
        dwords, [0xC005_A200, 0x2000_0000, control2[ring], 0x2345_6000, 0x1, 0x0000_0100, 0xF], "ring \(ring)")
    }
  }

  func testUnmapQueuesResetsByDoorbell() throws {
    for ring in 0..<8 {
      let packet = UNMAP_QUEUES(
        ACTION: .RESET_QUEUES, NUM_QUEUES: 1, ORDINAL3: .doorbell(DOORBELL_OFFSET0: UInt32(0x10 + ring)),
        ORDINAL4: .doorbell(DOORBELL_OFFSET1: 0))
      let dwords = try encoded { try packet.encode(into: &$0) }
      XCTAssertEqual(dwords, [0xC004_A300, 0x2000_0001, UInt32(0x10 + ring) << 2, 0, 0, 0])
    }
  }

  func testKIQFenceReadAndWrite() throws {
    let fence = try encoded {
      try WRITE_DATA(DST_SEL: .MEMORY_ASYNC, WR_CONFIRM: true, DST_ADDR_LO: 0x0040_1000, DST_ADDR_HI: 0x1)
        .encode(into: &$0, payload: CollectionOfOne(0x1234))
    }
    XCTAssertEqual(fence, [0xC003_3700, 0x0010_0500, 0x0040_1000, 0x1, 0x1234])

    let read = try encoded {
      try COPY_DATA(
        SRC_SEL: 0, DST_SEL: .MEMORY_ASYNC, WR_CONFIRM: true, SRC_ADDR_LO: .register(SRC_REG_OFFSET: 0xC040),
        SRC_ADDR_HI: .register, DST_ADDR_LO: .memory(DST_ADDR_LO: 0x0040_2000), DST_ADDR_HI: .memory(DST_ADDR_HI: 0x1)
      ).encode(into: &$0)
    }
    XCTAssertEqual(read, [0xC004_4000, 0x0010_0500, 0xC040, 0, 0x0040_2000, 0x1])

    let write = try encoded {
      try WRITE_DATA(DST_SEL: .REGISTER, WR_ONE_ADDR: true, DST_ADDR_LO: 0xC040).encode(
        into: &$0, payload: [0xCAFE_DEAD])
    }
    XCTAssertEqual(write, [0xC003_3700, 0x0001_0000, 0xC040, 0, 0xCAFE_DEAD])
  }

  func testNopPadIsTheEmptyNop() throws {
    XCTAssertEqual(try encoded { try NOP().encode(into: &$0, payload: EmptyCollection()) }, [0xFFFF_1000])
  }

  func testRingTestSetUconfigReg() throws {
    let dwords = try encoded {
      try SET_UCONFIG_REG(REG_OFFSET: 0xC040 - 0xC000).encode(into: &$0, payload: [0xDEAD_BEEF])
    }
    XCTAssertEqual(dwords, [0xC001_7900, 0x40, 0xDEAD_BEEF])
  }

  func testQueryStatusAsKFDBuildsIt() throws {
    let packet = QUERY_STATUS(
      COMMAND: .FENCE_ONLY_AFTER_WRITE_ACK, ADDR_LO: 0x1000, ADDR_HI: 0x2, DATA_LO: 7, DATA_HI: 0,
      ORDINAL3: .doorbell(DOORBELL_OFFSET: 0, ENG_SEL: .COMPUTE))
    XCTAssertEqual(try encoded { try packet.encode(into: &$0) }, [0xC005_A400, 0x8000_0000, 0, 0x1000, 0x2, 7, 0])
  }

  /// CE and DE metadata in both CSA layouts (facts 4.3), CSA at 0xF_FFE0_0000 (64 GB VM).
  func testCEAndDEMetadata() throws {
    let csa: UInt64 = 0xF_FFE0_0000
    func meta(_ engine: WRITE_DATA_ENGINE_SEL, at address: UInt64, payload: [UInt32]) throws -> [UInt32] {
      try encoded {
        try WRITE_DATA(
          DST_SEL: .PREEMPTION_METADATA, WR_CONFIRM: true, ENGINE_SEL: engine,
          DST_ADDR_LO: UInt32(truncatingIfNeeded: address), DST_ADDR_HI: UInt32(address >> 32)
        ).encode(into: &$0, payload: payload)
      }
    }
    let gds = [UInt32(truncatingIfNeeded: csa + 0x1000), UInt32((csa + 0x1000) >> 32)]
    XCTAssertEqual(
      try meta(.CE, at: csa, payload: Array(repeating: 0, count: 4)),
      [0xC006_3700, 0x8010_0800, 0xFFE0_0000, 0xF, 0, 0, 0, 0])
    XCTAssertEqual(
      try meta(.PFP, at: csa + 0x100, payload: Array(repeating: 0, count: 12) + gds + [0, 0, 0]),
      [0xC013_3700, 0x4010_0800, 0xFFE0_0100, 0xF] + Array(repeating: 0, count: 12) + [0xFFE0_1000, 0xF, 0, 0, 0])
    XCTAssertEqual(
      try meta(.CE, at: csa, payload: Array(repeating: 0, count: 10)),
      [0xC00C_3700, 0x8010_0800, 0xFFE0_0000, 0xF] + Array(repeating: 0, count: 10))
    XCTAssertEqual(
      try meta(.PFP, at: csa + 0x100, payload: Array(repeating: 0, count: 22) + gds + [0, 0, 0]),
      [0xC01D_3700, 0x4010_0800, 0xFFE0_0100, 0xF] + Array(repeating: 0, count: 22) + [0xFFE0_1000, 0xF, 0, 0, 0])
  }
}
