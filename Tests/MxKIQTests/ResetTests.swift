import MxGFX80
import MxKIQ
import MxMMIO
import MxMemory
import MxPM4
import MxSimulator
import MxStructures
import XCTest

/// The KIQ after a GPU reset: VRAM overwritten by the host, the MQD put back from its backup, the
/// ring started over, the queue committed again, as `gfx_v8_0_kiq_init_queue` does in reset.
final class ResetTests: XCTestCase {
  func testTheKIQComesBackFromItsBackupOnBothChips() throws {
    for chip in VIChip.allCases {
      let kiq = try SimulatedKIQ(chip: chip)
      let allocation = try vi_mqd_allocation(in: kiq.mqd.cpu)
      let backup = MQDBackup(of: allocation)
      try ringTest(kiq)
      XCTAssertEqual(kiq.ring.writePointer, 256)

      kiq.memory.clobberVRAM()  // the host's reset does not keep VRAM (the MQD lives there)
      XCTAssertNotEqual(MQDBackup(of: allocation), backup)
      let registers = RecordingBus(recording: kiq.cp.registers)
      KIQBringUp.restoreKIQ(
        allocation, from: backup, ring: kiq.ring, queue: kiq.queue, chip: chip, registers: registers)

      XCTAssertEqual(MQDBackup(of: allocation), backup, "\(chip): the MQD is the one initialised")
      XCTAssertEqual(kiq.ring.writePointer, 0)
      XCTAssertTrue(kiq.ring.buffer.cpu.bindMemory(to: UInt32.self).allSatisfy { $0 == Ring.nop })
      // Announce, select, commit (its only read is the WPTR-poll RMW), deselect: no MQD init reads.
      let reads = registers.trace.compactMap { if case .read(let offset, _) = $0 { offset } else { nil } }
      XCTAssertEqual(reads, [RLC_CP_SCHEDULERS.info.offset, CP_PQ_WPTR_POLL_CNTL.info.offset])
      XCTAssertEqual(registers.trace.last, .write(offset: 0x391, value: 0))
      let active = registers.trace.last { if case .write(0x3247, _) = $0 { true } else { false } }
      XCTAssertEqual(active, .write(offset: 0x3247, value: 1), "\(chip): activated again")

      try ringTest(kiq)
      XCTAssertEqual(kiq.ring.writePointer, 256, "\(chip): the ring runs again from 0")
      XCTAssertEqual(kiq.memory.faults, [])
    }
  }

  func testAComputeQueueIsPutBackAndItsRingClearedForMapping() throws {
    var kiq = try SimulatedKIQ()
    let ring = try Ring(
      name: "comp_1.0.0", sizeInBytes: 8192, doorbellIndex: 0x10, doorbells: kiq.cp.doorbells, memory: kiq.memory,
      writeback: &kiq.writeback)
    let mqd = try kiq.memory.allocate(bytes: vi_mqd_allocation.byteCount, domain: .gtt)
    let eop = try kiq.memory.allocate(bytes: MQDProgramming.eopBytes, domain: .vram)
    let allocation = try vi_mqd_allocation(in: mqd.cpu)
    let queue = QueueDescription(
      kind: .compute(highPriority: true), placement: ComputeTopology.computeQueues()[0], ring: ring, mqd: mqd, eop: eop)
    try KIQBringUp.initializeComputeQueue(allocation, queue: queue, registers: kiq.cp.registers)
    let backup = MQDBackup(of: allocation)
    ring.buffer.cpu.bindMemory(to: UInt32.self)[5] = 0xBAD
    allocation.zero()
    KIQBringUp.restoreComputeQueue(allocation, from: backup, ring: ring)
    XCTAssertEqual(MQDBackup(of: allocation), backup)
    XCTAssertEqual(ring.buffer.cpu.load(fromByteOffset: 20, as: UInt32.self), Ring.nop)
    try KIQBringUp.mapComputeQueues([queue], on: kiq.ring)
    XCTAssertEqual(kiq.cp.queues.map(\.doorbell), [0, 0x10])
  }

  private func ringTest(_ kiq: SimulatedKIQ) throws {
    kiq.cp.registers.write32(KIQPackets.ringTestInitialValue, at: SCRATCH_REG0.info.offset)
    var sink = try kiq.ring.allocate(dwords: 3)
    try KIQPackets.ringTest(into: &sink)
    kiq.ring.commit(sink)
    XCTAssertEqual(kiq.cp.registers.read32(at: SCRATCH_REG0.info.offset), KIQPackets.ringTestValue)
  }
}
