import MxPM4
import MxPM4Packets
import MxRuntimeRegisters

/// The KIQ's own packets as gfx_v8 emits them (facts 3.10–3.13, appendix B), into any sink, with
/// every address and value an explicit input.
public enum KIQPackets {
  /// A register read (`gfx_v8_0_ring_emit_rreg`): COPY_DATA from register `offset` to the
  /// writeback dword at `destination`, with write confirm. 6 dwords.
  public static func readRegister(_ offset: UInt32, to destination: UInt64, into sink: inout some PM4Sink)
    throws(PM4EncodingError)
  {
    try COPY_DATA(
      SRC_SEL: 0, DST_SEL: .MEMORY_ASYNC, WR_CONFIRM: true, SRC_ADDR_LO: .register(SRC_REG_OFFSET: offset),
      SRC_ADDR_HI: .register, DST_ADDR_LO: .memory(DST_ADDR_LO: UInt32(truncatingIfNeeded: destination)),
      DST_ADDR_HI: .memory(DST_ADDR_HI: UInt32(destination >> 32))
    ).encode(into: &sink)
  }

  /// A register write from the KIQ (`gfx_v8_0_ring_emit_wreg` on the KIQ ring): WRITE_DATA to a
  /// register with WR_ONE_ADDR only — ME engine, no write confirm (control 0x00010000). 5 dwords.
  public static func writeRegister(_ offset: UInt32, _ value: UInt32, into sink: inout some PM4Sink)
    throws(PM4EncodingError)
  {
    try WRITE_DATA(DST_SEL: .REGISTER, WR_ONE_ADDR: true, DST_ADDR_LO: offset).encode(
      into: &sink, payload: CollectionOfOne(value))
  }

  /// The KIQ's polling fence (`gfx_v8_0_ring_emit_fence_kiq` without an interrupt): WRITE_DATA of
  /// the low 32 bits of `sequence` to `address`, memory, write confirm (control 0x00100500).
  /// 5 dwords.
  public static func fence(at address: UInt64, sequence: UInt64, into sink: inout some PM4Sink)
    throws(PM4EncodingError)
  {
    try WRITE_DATA(
      DST_SEL: .MEMORY_ASYNC, WR_CONFIRM: true, DST_ADDR_LO: UInt32(truncatingIfNeeded: address),
      DST_ADDR_HI: UInt32(address >> 32)
    ).encode(into: &sink, payload: CollectionOfOne(UInt32(truncatingIfNeeded: sequence)))
  }

  /// The ring test's packet (`gfx_v8_0_ring_test_ring`): SET_UCONFIG_REG SCRATCH_REG0 ← 0xDEADBEEF
  /// (the driver first writes 0xCAFEDEAD there by MMIO, then polls for the change). 3 dwords.
  public static func ringTest(into sink: inout some PM4Sink) throws(PM4EncodingError) {
    try SET_UCONFIG_REG(REG_OFFSET: UInt16(SCRATCH_REG0.info.offset - 0xC000)).encode(
      into: &sink, payload: CollectionOfOne(ringTestValue))
  }

  /// What the ring test writes, and what SCRATCH_REG0 holds before it.
  public static let ringTestValue: UInt32 = 0xDEAD_BEEF
  public static let ringTestInitialValue: UInt32 = 0xCAFE_DEAD

  /// A status fence (`pm_query_status_vi`, the only VI user being KFD; facts 3.10): QUERY_STATUS
  /// with context 0, completion interrupt select, command "fence after write ack", control2 0,
  /// writing the 64-bit `value` to `address` once the KIQ's earlier work is done. 7 dwords.
  public static func queryStatus(fence address: UInt64, value: UInt64, into sink: inout some PM4Sink)
    throws(PM4EncodingError)
  {
    try QUERY_STATUS(
      COMMAND: .FENCE_ONLY_AFTER_WRITE_ACK, ADDR_LO: UInt32(truncatingIfNeeded: address),
      ADDR_HI: UInt32(address >> 32),
      DATA_LO: UInt32(truncatingIfNeeded: value), DATA_HI: UInt32(value >> 32),
      ORDINAL3: .doorbell(DOORBELL_OFFSET: 0, ENG_SEL: .COMPUTE)
    ).encode(into: &sink)
  }

  /// Resets a kernel compute queue (`gfx_v8_0_kcq_disable`): UNMAP_QUEUES, action RESET_QUEUES,
  /// by doorbell, one queue. 6 dwords.
  public static func unmapQueue(doorbell: UInt32, into sink: inout some PM4Sink) throws(PM4EncodingError) {
    try UNMAP_QUEUES(
      ACTION: .RESET_QUEUES, NUM_QUEUES: 1, ORDINAL3: .doorbell(DOORBELL_OFFSET0: doorbell),
      ORDINAL4: .doorbell(DOORBELL_OFFSET1: 0)
    ).encode(into: &sink)
  }
}

extension KIQBringUp {
  /// Unmaps the compute queues at teardown: one UNMAP_QUEUES per queue on the KIQ ring.
  ///
  /// Kernel quirk 5, decided: `gfx_v8_0_kcq_disable` writes these packets but never commits them;
  /// they reach the CP only because the KIQ ring test that follows commits its own packet behind
  /// them (in the same 256-dword block). Here they are committed at once, so the queues are
  /// unmapped whether or not a ring test follows: the packets are the kernel's, dword for dword,
  /// but the ring test then starts at the next 256-dword boundary instead of right after them.
  public static func unmapComputeQueues(_ queues: [QueueDescription], on kiq: Ring) throws(KIQError) {
    var sink: PM4Ring
    do {
      sink = try kiq.allocate(dwords: 6 * queues.count)
    } catch {
      throw .ring(error)
    }
    do throws(KIQError) {
      for queue in queues {
        guard let doorbell = queue.doorbellIndex else { throw .noDoorbell(queue.placement) }
        try encoding { () throws(PM4EncodingError) in try KIQPackets.unmapQueue(doorbell: doorbell, into: &sink) }
      }
    } catch {
      kiq.undo()
      throw error
    }
    kiq.commit(sink)
  }
}
