import MxGFX80
import MxKIQ
import MxMMIO
import MxMemory
import MxPM4
import MxPM4Packets
import MxSimulator
import MxStructures
import XCTest

/// The KIQ and compute-queue bring-up run against the command-processor simulation, for Tonga and
/// Fiji: the KIQ comes up from its committed MQD, SET_RESOURCES and MAP_QUEUES on it map the eight
/// compute queues, the ring test passes; and the CP's faults surface as typed errors.
final class BringUpSimulationTests: XCTestCase {
  /// A device with its KIQ up (`SimulatedKIQ`), and what the bring-up does on it next.
  private struct Device {
    var kiq: SimulatedKIQ
    var cp: CommandProcessorSimulation { kiq.cp }
    var memory: SimulatedGPUMemory { kiq.memory }
    var kiqRing: Ring { kiq.ring }

    init(chip: VIChip = .fiji, faults: CommandProcessorSimulation.Faults = .init()) throws {
      kiq = try SimulatedKIQ(chip: chip, faults: faults)
    }

    /// The eight compute queues with their own rings, MQDs and EOP buffers, MQDs initialised.
    mutating func computeQueues(count: Int = 8) throws -> [QueueDescription] {
      let eop = try memory.allocate(bytes: count * MQDProgramming.eopBytes, domain: .vram)
      return try ComputeTopology.computeQueues(count: count).enumerated().map { ring, placement in
        let buffer = try Ring(
          name: "comp_\(placement)", sizeInBytes: Ring.sizeInBytes(submissionDepth: 2),
          doorbellIndex: 0x10 + UInt32(ring), doorbells: cp.doorbells, memory: memory, writeback: &kiq.writeback)
        let mqd = try memory.allocate(bytes: vi_mqd_allocation.byteCount, domain: .gtt)
        let queue = QueueDescription(
          kind: .compute(highPriority: ring == 0 && count > 1), placement: placement, ring: buffer, mqd: mqd, eop: eop,
          eopOffset: ring * MQDProgramming.eopBytes)
        try KIQBringUp.initializeComputeQueue(try vi_mqd_allocation(in: mqd.cpu), queue: queue, registers: cp.registers)
        return queue
      }
    }

    /// The KIQ ring test: SCRATCH_REG0 ← 0xCAFEDEAD by MMIO, SET_UCONFIG_REG ← 0xDEADBEEF by the ring.
    func ringTest() throws -> UInt32 {
      cp.registers.write32(KIQPackets.ringTestInitialValue, at: SCRATCH_REG0.info.offset)
      var sink = try kiqRing.allocate(dwords: 3)
      try KIQPackets.ringTest(into: &sink)
      kiqRing.commit(sink)
      return cp.registers.read32(at: SCRATCH_REG0.info.offset)
    }
  }

  func testTheWholeBringUpOnBothChips() throws {
    for chip in VIChip.allCases {
      var device = try Device(chip: chip)
      XCTAssertEqual(device.cp.queues.map(\.doorbell), [0], "\(chip): the KIQ is active after its commit")
      XCTAssertEqual(device.cp.queues.first?.ringDwords, 262_144)

      let queues = try device.computeQueues()
      KIQBringUp.enableCompute(registers: device.cp.registers)
      KIQBringUp.enableDoorbells(chip: chip, registers: device.cp.registers)
      try KIQBringUp.mapComputeQueues(queues, on: device.kiqRing)
      XCTAssertEqual(device.cp.queueMask, 0x0303_0303)
      XCTAssertEqual(device.cp.queues.map(\.doorbell), [0] + (0x10...0x17).map { UInt32($0) })
      XCTAssertEqual(
        device.cp.queues.dropFirst().map { QueuePlacement(me: $0.me, pipe: $0.pipe, queue: $0.queue) },
        ComputeTopology.computeQueues())
      XCTAssertEqual(try device.kiqRing.readPointer(), 256, "the CP consumed the whole allocation")

      XCTAssertEqual(try device.ringTest(), 0xDEAD_BEEF, "\(chip): KIQ ring test")
      XCTAssertEqual(device.memory.faults, [])
      XCTAssertEqual(device.cp.hangs, [])
    }
  }

  func testACPThatHangsLeavesTheReadPointerWhereItStopped() throws {
    var faults = CommandProcessorSimulation.Faults()
    faults.hangAfterPackets = 3  // SET_RESOURCES and two MAP_QUEUES
    var device = try Device(chip: .tonga, faults: faults)
    try KIQBringUp.mapComputeQueues(try device.computeQueues(), on: device.kiqRing)
    XCTAssertEqual(device.cp.queues.count, 3)
    XCTAssertEqual(device.cp.hangs, ["hang injected after 3 packets"])
    XCTAssertEqual(try device.kiqRing.readPointer(), 0, "nothing reported")
    XCTAssertNotEqual(try device.ringTest(), 0xDEAD_BEEF, "a hung KIQ runs nothing more")
  }

  func testAGarbageReadPointerIsATypedError() throws {
    var faults = CommandProcessorSimulation.Faults()
    faults.readPointer = 0xFFFF_FFFF
    var device = try Device(chip: .fiji, faults: faults)
    try KIQBringUp.mapComputeQueues(try device.computeQueues(count: 1), on: device.kiqRing)
    XCTAssertThrowsError(try device.kiqRing.readPointer()) {
      XCTAssertEqual($0 as? RingError, .invalidReadPointer(reported: 0xFFFF_FFFF, committed: 256))
    }
    XCTAssertThrowsError(try device.kiqRing.allocate(dwords: 3), "no room is assumed from a bad read pointer")
  }

  func testDroppedPacketsAndBadMQDsDoNotMapQueues() throws {
    var faults = CommandProcessorSimulation.Faults()
    faults.droppedPackets = [1]  // the first MAP_QUEUES
    var device = try Device(chip: .fiji, faults: faults)
    var queues = try device.computeQueues(count: 2)
    queues[1].mqdAddress = 0x7F_0000_0000  // no memory there
    try KIQBringUp.mapComputeQueues(queues, on: device.kiqRing)
    XCTAssertEqual(device.cp.queues.map(\.doorbell), [0], "one dropped, one refused")
    XCTAssertEqual(device.cp.executed.map(\.dropped), [false, true, false])
    XCTAssertEqual(device.cp.hangs, ["doorbell 0: MAP_QUEUES: MQD at 0x7f00000000 lies outside memory"])
    XCTAssertEqual(device.memory.faults.first?.address, 0x7F_0000_0000 + 128 * 4)
  }

  func testAPacketTheCPDoesNotRunHangsTheQueue() throws {
    let device = try Device(chip: .fiji)
    var sink = try device.kiqRing.allocate(dwords: 16)
    try MAP_PROCESS().encode(into: &sink)
    device.kiqRing.commit(sink)
    XCTAssertEqual(device.cp.queues.first?.hung, true)
    XCTAssertEqual(device.cp.hangs.count, 1)
    XCTAssertTrue(device.cp.hangs.first?.contains("MAP_PROCESS") == true, "\(device.cp.hangs)")
  }

  func testAQueueWhoseRingIsLargerThanTheCPTakesComesUpHung() {
    // A guest's garbage HQD: QUEUE_SIZE 63 (a ring of 2^64 dwords), committed and rung.
    let cp = CommandProcessorSimulation(memory: SimulatedGPUMemory())
    var control = RegisterValue<CP_HQD_PQ_CONTROL>(rawValue: 0)
    control[CP_HQD_PQ_CONTROL.QUEUE_SIZE] = 63
    cp.registers.write32(control.rawValue, at: CP_HQD_PQ_CONTROL.info.offset)
    cp.registers.write32(1, at: CP_HQD_ACTIVE.info.offset)
    cp.doorbells.write32(0xFFFF_FFFF, at: 0)
    XCTAssertEqual(cp.queues.map(\.hung), [true])
    XCTAssertEqual(cp.hangs, ["queue 0.0.0: a ring of 2^64 dwords (QUEUE_SIZE 63)"])
    XCTAssertEqual(cp.executed, [])
  }
}
