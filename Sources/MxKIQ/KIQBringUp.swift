import MxMMIO
import MxPM4
import MxPM4Packets
import MxRuntimeRegisters
import MxStructures

/// The steps of `gfx_v8_0_kiq_resume` and `gfx_v8_0_kcq_resume` (facts 3.3, 3.5–3.7, 3.10), each
/// with explicit inputs, register for register and dword for dword as the driver does them. A VF
/// runs them in exclusive mode, where every register access is direct MMIO.
public enum KIQBringUp {
  /// Tells the RLC which queue is the KIQ (`gfx_v8_0_kiq_setting`): RLC_CP_SCHEDULERS' low byte
  /// becomes `me << 5 | pipe << 3 | queue`, written once as is and once with bit 7 set.
  public static func announceKIQ(_ kiq: QueuePlacement, registers: some RegisterBus) {
    var value = registers.read32(at: RLC_CP_SCHEDULERS.info.offset) & 0xFFFF_FF00
    value |= kiq.me << 5 | kiq.pipe << 3 | kiq.queue
    registers.write32(value, at: RLC_CP_SCHEDULERS.info.offset)
    registers.write32(value | 0x80, at: RLC_CP_SCHEDULERS.info.offset)
  }

  /// Brings up the KIQ from a fresh MQD (`gfx_v8_0_kiq_init_queue` outside a reset): announce it,
  /// clear the allocation, then with the queue selected fill the MQD and commit it, which starts
  /// the queue.
  public static func initializeKIQ(
    _ allocation: vi_mqd_allocation, queue: QueueDescription, chip: VIChip, registers: some RegisterBus
  ) throws(QueueSetupError) {
    precondition(queue.kind == .kiq, "initializeKIQ is for the KIQ")
    announceKIQ(queue.placement, registers: registers)
    MQDProgramming.clear(allocation)
    try registers.withQueueSelected(queue.placement) { () throws(QueueSetupError) in
      try MQDProgramming.initialize(allocation.mqd, for: queue, registers: registers)
      MQDProgramming.commit(allocation.mqd, chip: chip, registers: registers)
    }
  }

  /// Brings the KIQ back after a GPU reset (`gfx_v8_0_kiq_init_queue` in reset): announce it,
  /// put the MQD back from `backup` (what `initializeKIQ` produced, kept in CPU memory because
  /// VRAM does not survive the host's reset), start the ring over, and commit with the queue
  /// selected. Nothing is read from the registers: they hold whatever the reset left.
  public static func restoreKIQ(
    _ allocation: vi_mqd_allocation, from backup: MQDBackup, ring: Ring, queue: QueueDescription, chip: VIChip,
    registers: some RegisterBus
  ) {
    precondition(queue.kind == .kiq, "restoreKIQ is for the KIQ")
    announceKIQ(queue.placement, registers: registers)
    backup.restore(into: allocation)
    ring.reset()
    registers.withQueueSelected(queue.placement) {
      MQDProgramming.commit(allocation.mqd, chip: chip, registers: registers)
    }
  }

  /// Prepares a kernel compute queue's MQD (`gfx_v8_0_kcq_init_queue` outside a reset or
  /// suspend): cleared and filled with the queue selected, not committed — MAP_QUEUES maps it.
  public static func initializeComputeQueue(
    _ allocation: vi_mqd_allocation, queue: QueueDescription, registers: some RegisterBus
  ) throws(QueueSetupError) {
    MQDProgramming.clear(allocation)
    try registers.withQueueSelected(queue.placement) { () throws(QueueSetupError) in
      try MQDProgramming.initialize(allocation.mqd, for: queue, registers: registers)
    }
  }

  /// A kernel compute queue after a GPU reset (`gfx_v8_0_kcq_init_queue` in reset): its MQD put
  /// back from `backup` and its ring started over; MAP_QUEUES maps it again.
  public static func restoreComputeQueue(_ allocation: vi_mqd_allocation, from backup: MQDBackup, ring: Ring) {
    backup.restore(into: allocation)
    ring.reset()
  }

  /// Un-halts both MECs (`gfx_v8_0_cp_compute_enable(true)`: CP_MEC_CNTL ← 0). The driver then
  /// waits 50 µs before touching a queue; so must the caller.
  public static func enableCompute(registers: some RegisterBus) {
    registers.write32(0, at: CP_MEC_CNTL.info.offset)
  }

  /// The MEC doorbell range and doorbell enable (`gfx_v8_0_set_mec_doorbell_range`), on chips
  /// after Tonga only (quirk 7, see `VIChip.programsMECDoorbellRange`): the range from the KIQ's
  /// doorbell to `mec_ring7`'s. Kernel parity, decided: the top is the eighth compute ring's
  /// doorbell however many compute rings there are (`num_kcq`), as the kernel writes it — not the
  /// last ring in use; a range wider than the rings rung costs nothing. Then
  /// CP_PQ_STATUS.DOORBELL_ENABLE on every chip.
  public static func enableDoorbells(
    chip: VIChip, lower: UInt32 = VIDoorbell.kiq, upper: UInt32 = VIDoorbell.mecRing7, registers: some RegisterBus
  ) {
    if chip.programsMECDoorbellRange {
      registers.write32(lower << 2, at: CP_MEC_DOORBELL_RANGE_LOWER.info.offset)
      registers.write32(upper << 2, at: CP_MEC_DOORBELL_RANGE_UPPER.info.offset)
    }
    registers.modify(CP_PQ_STATUS.self) { $0[CP_PQ_STATUS.DOORBELL_ENABLE] = true }
  }

  /// SET_RESOURCES with the compute queues' mask, then one MAP_QUEUES per queue, committed on the
  /// KIQ ring (`gfx_v8_0_kiq_kcq_enable`). Completion is seen by the KIQ ring test that follows.
  public static func mapComputeQueues(_ queues: [QueueDescription], on kiq: Ring) throws(KIQError) {
    var sink: PM4Ring
    do {
      sink = try kiq.allocate(dwords: 8 * queues.count + 8)
    } catch {
      throw .ring(error)
    }
    do {
      try encodeMapping(queues, into: &sink)
    } catch {
      kiq.undo()
      throw error
    }
    kiq.commit(sink)
  }

  private static func encodeMapping(_ queues: [QueueDescription], into sink: inout PM4Ring) throws(KIQError) {
    let mask = ComputeTopology.queueMask(queues.map(\.placement))
    try encoding { () throws(PM4EncodingError) in
      try SET_RESOURCES(QUEUE_MASK_LO: UInt32(truncatingIfNeeded: mask), QUEUE_MASK_HI: UInt32(mask >> 32))
        .encode(into: &sink)
    }
    for queue in queues {
      guard let doorbell = queue.doorbellIndex else { throw .noDoorbell(queue.placement) }
      // Kernel quirk 4, decided: a source comment promises "vidmem: 1", but no such bit is set,
      // and none is set here.
      try encoding { () throws(PM4EncodingError) in
        try MAP_QUEUES(
          NUM_QUEUES: 1, DOORBELL_OFFSET: doorbell, QUEUE: UInt8(queue.placement.queue),
          PIPE: UInt8(queue.placement.pipe), ME: queue.placement.me != 1,
          MQD_ADDR_LO: UInt32(truncatingIfNeeded: queue.mqdAddress), MQD_ADDR_HI: UInt32(queue.mqdAddress >> 32),
          WPTR_ADDR_LO: UInt32(truncatingIfNeeded: queue.writePointerAddress),
          WPTR_ADDR_HI: UInt32(queue.writePointerAddress >> 32)
        ).encode(into: &sink)
      }
    }
  }

  /// `body`'s encoding error as a `KIQError`.
  static func encoding(_ body: () throws(PM4EncodingError) -> Void) throws(KIQError) {
    do {
      try body()
    } catch {
      throw .encoding(error)
    }
  }
}

/// Why KIQ work failed.
public enum KIQError: Error, Equatable, Sendable {
  case ring(RingError)
  /// A packet could not be built (a value that does not fit its field).
  case encoding(PM4EncodingError)
  case queueSetup(QueueSetupError)
  /// A compute queue without a doorbell cannot be mapped.
  case noDoorbell(QueuePlacement)
}
