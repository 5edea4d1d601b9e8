import MxGFX80
import MxKIQ
import MxMMIO
import MxMemory
import MxPM4
import MxPM4Packets
import MxSimulator
import MxStructures
import XCTest

/// The KIQ's packets dword for dword (appendix B), and what the simulated CP does with them.
final class KIQPacketTests: XCTestCase {
  private func dwords(_ build: (inout PM4Buffer) throws -> Void) rethrows -> [UInt32] {
    let storage = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)
    defer { storage.deallocate() }
    var buffer = PM4Buffer(base: storage, capacity: 64)
    try build(&buffer)
    return Array(UnsafeBufferPointer(start: storage, count: buffer.count))
  }

  func testPacketsAreAppendixB() throws {
    XCTAssertEqual(
      try dwords { try KIQPackets.readRegister(0xC040, to: 0x80_0000_2040, into: &$0) },
      [0xC004_4000, 0x0010_0500, 0xC040, 0, 0x0000_2040, 0x80])
    XCTAssertEqual(
      try dwords { try KIQPackets.writeRegister(0xC040, 0x1234_5678, into: &$0) },
      [0xC003_3700, 0x0001_0000, 0xC040, 0, 0x1234_5678])
    XCTAssertEqual(
      try dwords { try KIQPackets.fence(at: 0x80_0000_1040, sequence: 0x1_0000_0007, into: &$0) },
      [0xC003_3700, 0x0010_0500, 0x0000_1040, 0x80, 7])
    XCTAssertEqual(try dwords { try KIQPackets.ringTest(into: &$0) }, [0xC001_7900, 0x40, 0xDEAD_BEEF])
    XCTAssertEqual(
      try dwords { try KIQPackets.queryStatus(fence: 0x80_0000_3000, value: 0x2_0000_0001, into: &$0) },
      [0xC005_A400, 0x8000_0000, 0, 0x0000_3000, 0x80, 1, 2])
    for ring in 0..<8 {
      XCTAssertEqual(
        try dwords { try KIQPackets.unmapQueue(doorbell: 0x10 + UInt32(ring), into: &$0) },
        [0xC004_A300, 0x2000_0001, (0x10 + UInt32(ring)) << 2, 0, 0, 0])
    }
  }

  func testTheSimulatedCPRunsThemAsTheHardwareWould() throws {
    var kiq = try SimulatedKIQ()
    let (cp, ring, memory) = (kiq.cp, kiq.ring, kiq.memory)
    let scratch = try XCTUnwrap(kiq.writeback.allocate())
    cp.registers.write32(0xFACE, at: SCRATCH_REG0.info.offset)
    var sink = try ring.allocate(dwords: 32)
    try KIQPackets.readRegister(SCRATCH_REG0.info.offset, to: scratch.gpuAddress, into: &sink)
    try KIQPackets.writeRegister(SCRATCH_REG1.info.offset, 0x55, into: &sink)
    try KIQPackets.fence(at: ring.fenceSlot.gpuAddress, sequence: 1, into: &sink)
    try KIQPackets.queryStatus(fence: scratch.gpuAddress + 8, value: 0x2_0000_0001, into: &sink)
    ring.commit(sink)
    XCTAssertEqual(
      [memory.read32(at: scratch.gpuAddress + 8), memory.read32(at: scratch.gpuAddress + 12)], [1, 2],
      "QUERY_STATUS wrote its 64-bit fence")
    XCTAssertEqual(scratch.value, 0xFACE, "COPY_DATA put the register's value in the slot")
    XCTAssertEqual(cp.registers.read32(at: SCRATCH_REG1.info.offset), 0x55, "WRITE_DATA landed")
    XCTAssertEqual(ring.fenceSlot.value, 1, "the fence signalled")
    XCTAssertEqual(try ring.readPointer(), 256)
    XCTAssertEqual(memory.faults, [])
  }

  func testUnmappingRemovesTheComputeQueuesAndIsCommittedAtOnce() throws {
    var recorder: RecordingBus<CommandProcessorSimulation.Doorbells>?
    let kiq = try SimulatedKIQ(chip: .tonga) { doorbells in
      let bus = RecordingBus(recording: doorbells)
      recorder = bus
      return bus
    }
    let (cp, ring, memory, doorbells) = (kiq.cp, kiq.ring, kiq.memory, try XCTUnwrap(recorder))
    let eop = try memory.allocate(bytes: 4096, domain: .gtt)
    let queues = try ComputeTopology.computeQueues(count: 2).enumerated().map { index, placement in
      let queueMQD = try memory.allocate(bytes: vi_mqd_allocation.byteCount, domain: .gtt)
      let queueRing = try memory.allocate(bytes: 8192, domain: .gtt)
      let queue = QueueDescription(
        kind: .compute(highPriority: index == 0), placement: placement, mqdAddress: queueMQD.gpuAddress,
        eopAddress: eop.gpuAddress, ringAddress: queueRing.gpuAddress, ringSizeInBytes: 8192,
        readPointerAddress: scratchAddress(kiq.writeback.memory, index),
        writePointerAddress: scratchAddress(kiq.writeback.memory, index) + 4,
        doorbellIndex: 0x10 + UInt32(index))
      try KIQBringUp.initializeComputeQueue(
        try vi_mqd_allocation(in: queueMQD.cpu), queue: queue, registers: cp.registers)
      return queue
    }
    try KIQBringUp.mapComputeQueues(queues, on: ring)
    XCTAssertEqual(cp.queues.count, 3)
    try KIQBringUp.unmapComputeQueues(queues, on: ring)
    XCTAssertEqual(cp.queues.map(\.doorbell), [0], "only the KIQ is left")
    XCTAssertEqual(doorbells.trace.last, .write(offset: 0, value: 512), "committed without waiting for a ring test")
    let unmap = Array(ring.buffer.cpu.bindMemory(to: UInt32.self)[256..<268])
    XCTAssertEqual(unmap, [0xC004_A300, 0x2000_0001, 0x40, 0, 0, 0, 0xC004_A300, 0x2000_0001, 0x44, 0, 0, 0])
  }

  /// A spare dword of the writeback buffer past the ring's slots.
  private func scratchAddress(_ writeback: GPUAllocation, _ index: Int) -> UInt64 {
    writeback.gpuAddress(atByte: 4096 + index * 32)
  }
}
