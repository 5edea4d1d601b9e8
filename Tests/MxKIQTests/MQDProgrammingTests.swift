import MxGFX80
import MxKIQ
import MxMMIO
import MxMemory
import MxOSS30
import MxPM4Packets
import MxSimulator
import MxStructures
import XCTest

/// The MQD and the register sequence of the KIQ and compute-queue bring-up, against facts
/// 3.1–3.7 and appendix B (offsets written out here as the facts sheet gives them).
final class MQDProgrammingTests: XCTestCase {
  private let memory = SimulatedGPUMemory()

  /// The KIQ's description with the driver's default placement and sizes.
  private func kiq(mqd: UInt64) -> QueueDescription {
    QueueDescription(
      kind: .kiq, placement: QueuePlacement(me: 2, pipe: 1, queue: 0), mqdAddress: mqd, eopAddress: 0x80_0010_0000,
      ringAddress: 0x80_0020_0000, ringSizeInBytes: 1 << 20, readPointerAddress: 0x80_0000_1000,
      writePointerAddress: 0x80_0000_1020, doorbellIndex: 0)
  }

  private func compute(ring: Int, mqd: UInt64, count: Int = 8) -> QueueDescription {
    QueueDescription(
      kind: .compute(highPriority: ring == 0 && count > 1),
      placement: ComputeTopology.computeQueues(count: count)[ring],
      mqdAddress: mqd, eopAddress: 0x40_0000 + UInt64(ring) * 4096, ringAddress: 0x80_0100_0000 + UInt64(ring) * 8192,
      ringSizeInBytes: 8192, readPointerAddress: 0x80_0000_2000 + UInt64(ring) * 64,
      writePointerAddress: 0x80_0000_2020 + UInt64(ring) * 64, doorbellIndex: 0x10 + UInt32(ring))
  }

  func testPlacementsAreTheDrivers() {
    let rings = ComputeTopology.computeQueues()
    XCTAssertEqual(rings.map(ComputeTopology.bit(of:)), [0, 8, 16, 24, 1, 9, 17, 25])
    XCTAssertEqual(ComputeTopology.queueMask(rings), 0x0303_0303)
    XCTAssertEqual(ComputeTopology.kiqQueue(), QueuePlacement(me: 2, pipe: 1, queue: 0))
    XCTAssertEqual(ComputeTopology.bit(of: QueuePlacement(me: 2, pipe: 1, queue: 0)), 40)
  }

  func testTheKIQMQDHoldsWhatTheDriverWrites() throws {
    let allocation = try memory.allocate(bytes: vi_mqd_allocation.byteCount, domain: .vram)
    let view = try vi_mqd_allocation(in: allocation.cpu)
    // Registers start from values with other bits set, so read-modify-write shows.
    let registers = RegisterFile([
      CP_HQD_EOP_CONTROL.info.offset: 0x0000_1000, CP_MQD_CONTROL.info.offset: 0x0000_0105,
      CP_HQD_PQ_RPTR.info.offset: 0x12, CP_HQD_QUANTUM.info.offset: 0x11,
    ])
    try KIQBringUp.initializeKIQ(view, queue: kiq(mqd: allocation.gpuAddress), chip: .fiji, registers: registers)
    let mqd = Array(allocation.cpu.bindMemory(to: UInt32.self))
    let address = allocation.gpuAddress
    XCTAssertEqual(mqd[0], 0xC031_0800)
    XCTAssertEqual([mqd[11], mqd[23], mqd[24], mqd[26], mqd[27], mqd[32]], [1, ~0, ~0, ~0, ~0, 3])
    XCTAssertEqual(
      [mqd[126], mqd[127]], [UInt32(truncatingIfNeeded: address + 0x808), UInt32((address + 0x808) >> 32)])
    XCTAssertEqual([mqd[165], mqd[166]], [0x8000_1000, 0x0])  // EOP address >> 8
    XCTAssertEqual(mqd[167], 0x0000_1009, "EOP_SIZE 9, other bits kept")
    XCTAssertEqual([mqd[128], mqd[129]], [UInt32(truncatingIfNeeded: address), UInt32(address >> 32)])
    XCTAssertEqual(mqd[162], 0x0000_0100, "CP_MQD_CONTROL.VMID 0, other bits kept")
    XCTAssertEqual([mqd[136], mqd[137]], [0x8000_2000, 0x0])  // ring address >> 8
    XCTAssertEqual(mqd[145], 0xC000_0911, "QUEUE_SIZE 17, RPTR_BLOCK_SIZE 9, PRIV_STATE, KMD_QUEUE")
    XCTAssertEqual([mqd[139], mqd[140], mqd[141], mqd[142]], [0x0000_1000, 0x80, 0x0000_1020, 0x80])
    XCTAssertEqual(mqd[143], 0x4000_0000, "doorbell 0, DOORBELL_EN")
    XCTAssertEqual([mqd[144], mqd[138], mqd[131]], [0, 0x12, 0])
    XCTAssertEqual(mqd[132], 0x53 << 8, "PRELOAD_SIZE 0x53")
    XCTAssertEqual(mqd[149], 3 << 20 | 3 << 27, "MIN_IB_AVAIL_SIZE 3, MTYPE 3")
    XCTAssertEqual(mqd[150], 3 << 27)
    XCTAssertEqual(mqd[173], 3 << 1)
    XCTAssertEqual([mqd[133], mqd[134]], [0, 0], "the KIQ keeps the default priority")
    XCTAssertEqual(mqd[135], 0x11)
    XCTAssertEqual(mqd[130], 1, "only the KIQ is active from its MQD")
    XCTAssertEqual([mqd[514], mqd[515]], [~0, ~0], "dynamic CU and RB masks")
  }

  func testComputeQueueMQDs() throws {
    for ring in 0..<8 {
      let allocation = try memory.allocate(bytes: vi_mqd_allocation.byteCount, domain: .gtt)
      let registers = RecordingBus(recording: RegisterFile())
      try KIQBringUp.initializeComputeQueue(
        try vi_mqd_allocation(in: allocation.cpu), queue: compute(ring: ring, mqd: allocation.gpuAddress),
        registers: registers)
      let mqd = Array(allocation.cpu.bindMemory(to: UInt32.self))
      XCTAssertEqual(mqd[145], 0xC000_090A, "QUEUE_SIZE 10 for an 8 KiB ring")
      XCTAssertEqual(mqd[143], 0x4000_0000 | (0x10 + UInt32(ring)) << 2)
      XCTAssertEqual(mqd[130], 0, "mapped by MAP_QUEUES, not active from its MQD")
      XCTAssertEqual([mqd[133], mqd[134]], ring == 0 ? [2, 15] : [0, 0])
      // Selected, filled (reads only), deselected; nothing committed.
      let srbm = SRBM_GFX_CNTL.info.offset
      let placement = ComputeTopology.computeQueues()[ring]
      XCTAssertEqual(
        registers.trace.first, .write(offset: srbm, value: placement.pipe | placement.me << 2 | placement.queue << 8))
      XCTAssertEqual(registers.trace.last, .write(offset: srbm, value: 0))
      XCTAssertEqual(registers.trace.dropFirst().dropLast().filter { if case .write = $0 { true } else { false } }, [])
    }
    // A single compute ring is not high priority.
    let allocation = try memory.allocate(bytes: vi_mqd_allocation.byteCount, domain: .gtt)
    try KIQBringUp.initializeComputeQueue(
      try vi_mqd_allocation(in: allocation.cpu), queue: compute(ring: 0, mqd: allocation.gpuAddress, count: 1),
      registers: RegisterFile())
    XCTAssertEqual(allocation.cpu.load(fromByteOffset: 133 * 4, as: UInt32.self), 0)
  }

  /// The whole KIQ init as MMIO, per chip: RLC_CP_SCHEDULERS 0x48 then 0xC8, SRBM 0x9, the MQD's
  /// reads in the driver's order, the commit (Tonga without EOP RPTR/WPTR/WPTR_MEM), SRBM 0.
  func testKIQInitMMIOSequencePerChip() throws {
    for chip in VIChip.allCases {
      let allocation = try memory.allocate(bytes: vi_mqd_allocation.byteCount, domain: .vram)
      let registers = RecordingBus(recording: RegisterFile([0xECAA: 0x1234_5600]))
      try KIQBringUp.initializeKIQ(
        try vi_mqd_allocation(in: allocation.cpu), queue: kiq(mqd: allocation.gpuAddress), chip: chip,
        registers: registers)
      let mqd = allocation.cpu.bindMemory(to: UInt32.self)
      let reads: [UInt32] = [
        0x326C, 0x3254, 0x3267, 0x3256, 0x3254, 0x324F, 0x3249, 0x325A, 0x325B, 0x3272, 0x326D, 0x326E, 0x3270,
        0x3271, 0x3273, 0x3274, 0x3275, 0x3276, 0x326F, 0x3278, 0x3279, 0x327A, 0x324C,
      ]
      var writes: [UInt32] = Array(0x3248...0x326C)
      if chip == .fiji { writes += [0x326D, 0x326E, 0x3279] }
      writes += Array(0x326F...0x3278) + [0x3245, 0x3246, 0x3247]
      var expected: [BusAccess] = [
        .read(offset: 0xECAA, value: 0x1234_5600), .write(offset: 0xECAA, value: 0x1234_5648),
        .write(offset: 0xECAA, value: 0x1234_56C8), .write(offset: 0x391, value: 0x9),
      ]
      expected += reads.map { .read(offset: $0, value: 0) }
      expected += [.read(offset: 0x3083, value: 0), .write(offset: 0x3083, value: 0)]
      expected += writes.map { .write(offset: $0, value: mqd[128 + Int($0 - 0x3245)]) }
      expected += [.write(offset: 0x391, value: 0)]
      XCTAssertEqual(registers.trace, expected, "\(chip)")
      XCTAssertEqual(registers.trace.last { $0.offset == 0x3247 }, .write(offset: 0x3247, value: 1), "activated last")
    }
  }

  func testDoorbellsPerChip() {
    for chip in VIChip.allCases {
      let registers = RecordingBus(recording: RegisterFile([0x30B8: 0x1]))
      KIQBringUp.enableDoorbells(chip: chip, registers: registers)
      var expected: [BusAccess] = []
      if chip == .fiji { expected += [.write(offset: 0x305C, value: 0x0), .write(offset: 0x305D, value: 0x5C)] }
      expected += [.read(offset: 0x30B8, value: 0x1), .write(offset: 0x30B8, value: 0x3)]
      XCTAssertEqual(registers.trace, expected, "\(chip)")
    }
  }

  func testSetResourcesAndMapQueuesAreAppendixB() throws {
    var writeback = try WritebackSlots(gpuMemory: memory)
    let doorbells = RecordingBus(recording: RegisterFile())
    let ring = try Ring(
      name: "kiq", sizeInBytes: Ring.sizeInBytes(submissionDepth: 256), doorbellIndex: 0, doorbells: doorbells,
      memory: memory, writeback: &writeback)
    let queues = (0..<8).map { compute(ring: $0, mqd: 0x80_0300_0000 + UInt64($0) * 4096) }
    try KIQBringUp.mapComputeQueues(queues, on: ring)
    let dwords = Array(ring.buffer.cpu.bindMemory(to: UInt32.self).prefix(256))
    XCTAssertEqual(Array(dwords[0..<8]), [0xC006_A000, 0, 0x0303_0303, 0, 0, 0, 0, 0])
    let control2: [UInt32] = [
      0x0000_0040, 0x2000_0044, 0x4000_0048, 0x6000_004C, 0x0400_0050, 0x2400_0054, 0x4400_0058, 0x6400_005C,
    ]
    for index in 0..<8 {
      let packet = Array(dwords[(8 + 7 * index)..<(15 + 7 * index)])
      XCTAssertEqual(
        packet,
        [
          0xC005_A200, 0x2000_0000, control2[index], 0x0300_0000 + UInt32(index) * 4096, 0x80,
          0x0000_2020 + UInt32(index) * 64, 0x80,
        ])
    }
    XCTAssertTrue(dwords[64...].allSatisfy { $0 == 0xFFFF_1000 }, "padded to 256 with NOPs")
    XCTAssertEqual(doorbells.trace, [.write(offset: 0, value: 256)])
  }

  func testAnAddressTheMQDCannotHoldIsATypedError() throws {
    let allocation = try memory.allocate(bytes: vi_mqd_allocation.byteCount, domain: .vram)
    var queue = kiq(mqd: allocation.gpuAddress)
    queue.ringAddress += 0x80
    XCTAssertThrowsError(
      try KIQBringUp.initializeKIQ(
        try vi_mqd_allocation(in: allocation.cpu), queue: queue, chip: .tonga, registers: RegisterFile())
    ) {
      XCTAssertEqual(
        $0 as? QueueSetupError,
        .address("cp_hqd_pq_base", .misaligned(address: 0x80_0020_0080, alignment: 256)))
    }
  }
}

extension BusAccess {
  fileprivate var offset: UInt32 {
    switch self {
    case .read(let offset, _), .write(let offset, _): offset
    }
  }
}
