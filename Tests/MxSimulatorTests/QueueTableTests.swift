import MxGFX80
import MxMMIO
import MxPM4
import MxPM4Packets
import MxSimulator
import XCTest

/// The CP's queue table while queues run: a packet that maps or unmaps queues (the KIQ's), or a
/// register write that starts or stops the GFX ring, changes the table under the queues being
/// run, and every queue still runs as itself — found by an hour's soak, where a world switch ran
/// a KIQ whose UNMAP_QUEUES emptied the table behind it and the simulator crashed.
final class QueueTableTests: XCTestCase {
  func testAKIQThatUnmapsQueuesWhileEveryQueueRunsAfterAWorldSwitch() throws {
    let test = TestCP()
    var kiq = try test.queue(doorbell: 0)
    let mqd = try test.memory.allocate(bytes: 2048, domain: .gtt)
    try test.submit(&kiq) { sink in
      for doorbell: UInt32 in [0x10, 0x11, 0x12] {
        try MAP_QUEUES(
          NUM_QUEUES: 1, DOORBELL_OFFSET: doorbell, QUEUE: UInt8(doorbell - 0x10), PIPE: 1,
          MQD_ADDR_LO: UInt32(truncatingIfNeeded: mqd.gpuAddress), MQD_ADDR_HI: UInt32(mqd.gpuAddress >> 32)
        ).encode(into: &sink)
      }
    }
    XCTAssertEqual(test.cp.queues.map(\.doorbell), [0, 0x10, 0x11, 0x12])
    test.cp.setRunning(false)  // switched out: the KIQ's next work waits for the switch in
    try test.submit(&kiq) { sink in
      for doorbell: UInt32 in [0x10, 0x11, 0x12] {
        try UNMAP_QUEUES(
          ACTION: .RESET_QUEUES, NUM_QUEUES: 1, ORDINAL3: .doorbell(DOORBELL_OFFSET0: doorbell),
          ORDINAL4: .doorbell(DOORBELL_OFFSET1: 0)
        ).encode(into: &sink)
      }
      try MAP_QUEUES(
        NUM_QUEUES: 1, DOORBELL_OFFSET: 0x13, QUEUE: 3, PIPE: 1,
        MQD_ADDR_LO: UInt32(truncatingIfNeeded: mqd.gpuAddress), MQD_ADDR_HI: UInt32(mqd.gpuAddress >> 32)
      ).encode(into: &sink)
    }
    test.cp.setRunning(true)
    XCTAssertEqual(test.cp.queues.map(\.doorbell), [0, 0x13])
    XCTAssertEqual(test.readPointer(kiq), UInt32(kiq.writePointer), "the KIQ ran all of it, as itself")
    XCTAssertEqual(test.cp.hangs, [])
  }

  func testARingThatHaltsTheMEFromItsOwnPacketsStops() throws {
    let test = TestCP()
    var queue = try test.queue(doorbell: 0x10)
    try test.submit(&queue) { sink in
      // Start the GFX ring (no ring memory: it is never given work), then stop it again.
      try WRITE_DATA(DST_SEL: .REGISTER, DST_ADDR_LO: CP_ME_CNTL.info.offset).encode(into: &sink, payload: [0])
      try WRITE_DATA(DST_SEL: .REGISTER, DST_ADDR_LO: CP_ME_CNTL.info.offset)
        .encode(into: &sink, payload: [1 << 28])
      try SET_UCONFIG_REG(REG_OFFSET: UInt16(SCRATCH_REG0.info.offset - 0xC000)).encode(into: &sink, payload: [7])
    }
    XCTAssertEqual(test.cp.queues.map(\.me), [1])
    XCTAssertEqual(test.cp.registers.read32(at: SCRATCH_REG0.info.offset), 7)
    XCTAssertEqual(test.readPointer(queue), UInt32(queue.writePointer))
  }
}
