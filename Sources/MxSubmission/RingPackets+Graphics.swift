import MxCSA
import MxPM4
import MxPM4Packets
import MxRuntimeRegisters

/// What `amdgpu_ib_schedule` tells `emit_cntxcntl` and `emit_ib` about a submission
/// (`AMDGPU_PREAMBLE_IB_PRESENT`, `_PRESENT_FIRST`, `AMDGPU_HAVE_CTX_SWITCH`, `amdgpu.h`), bit
/// for bit.
public struct ContextStatus: OptionSet, Hashable, Sendable {
  public var rawValue: UInt32
  public init(rawValue: UInt32) { self.rawValue = rawValue }

  /// The job has a preamble IB.
  public static let preamblePresent = Self(rawValue: 1 << 0)
  /// The job has a preamble IB, and it is its context's first.
  public static let preamblePresentFirst = Self(rawValue: 1 << 1)
  /// The job's context differs from the ring's last.
  public static let contextSwitch = Self(rawValue: 1 << 2)
}

/// The gfx_v8 GFX ring's own functions (`gfx_v8_0.c`), inputs explicit as in `RingPackets`.
extension RingPackets {
  /// `gfx_v8_0_ring_emit_fence_gfx`: two EVENT_WRITE_EOPs flushing and invalidating the texture
  /// caches at the end of the pipe (CACHE_FLUSH_AND_INV_TS_EVENT, event index 5, TCL1, TC and TC
  /// write-back) — the kernel's workaround for cache flushes: a first one writing `sequence - 1`
  /// without interrupt, then the real one writing `sequence` (all 64 bits with `write64Bit`),
  /// interrupting after the write is confirmed when `flags` ask for it. 12 dwords, written
  /// together or not at all. (The GFX fence has no write-back-only form.)
  public static func fenceGraphics(address: UInt64, sequence: UInt64, flags: FenceFlags, into sink: inout some PM4Sink)
    throws(PM4EncodingError)
  {
    func endOfPipe(_ value: UInt64, data: EOP_DATA_SEL, interrupt: EOP_INT_SEL) -> EVENT_WRITE_EOP {
      EVENT_WRITE_EOP(
        EVENT_TYPE: UInt8(VGT_EVENT_TYPE.CACHE_FLUSH_AND_INV_TS_EVENT.rawValue), EVENT_INDEX: .END_OF_PIPE,
        TC_WB_ACTION_EN: true, TCL1_ACTION_EN: true, TC_ACTION_EN: true,
        ADDRESS_LO: UInt32(truncatingIfNeeded: address) >> 2, ADDRESS_HI: UInt16(truncatingIfNeeded: address >> 32),
        INT_SEL: interrupt, DATA_SEL: data, DATA_LO: UInt32(truncatingIfNeeded: value),
        DATA_HI: UInt32(truncatingIfNeeded: value >> 32))
    }
    try sink.reserve(fenceGraphicsDwords)
    try endOfPipe(sequence &- 1, data: .SEND_32_BIT_LOW, interrupt: .NONE).encode(into: &sink)
    try endOfPipe(
      sequence, data: flags.contains(.write64Bit) ? .SEND_64_BIT_DATA : .SEND_32_BIT_LOW,
      interrupt: flags.contains(.interrupt) ? .INTERRUPT_AFTER_WRITE_CONFIRM : .NONE
    ).encode(into: &sink)
  }

  /// The GFX fence's size.
  public static let fenceGraphicsDwords = 12

  /// The ring's `emit_fence`: `fenceGraphics` on the GFX ring, `fenceCompute` on the others.
  public static func fence(
    _ ring: RingType, address: UInt64, sequence: UInt64, flags: FenceFlags, into sink: inout some PM4Sink
  ) throws(PM4EncodingError) {
    if ring == .gfx {
      try fenceGraphics(address: address, sequence: sequence, flags: flags, into: &sink)
    } else {
      try fenceCompute(address: address, sequence: sequence, flags: flags, into: &sink)
    }
  }

  /// `gfx_v8_0_ring_emit_vm_flush` on the GFX ring: the compute ring's flush (`vmFlush`, its
  /// register writes from the PFP with write confirm), then PFP_SYNC_ME, so that the PFP reads
  /// nothing through the old translation. 19 dwords.
  public static func vmFlushGraphics(vmid: UInt32, pageDirectory: UInt64, into sink: inout some PM4Sink)
    throws(PM4EncodingError)
  {
    try flushTLB(vmid: vmid, pageDirectory: pageDirectory, ring: .gfx, into: &sink)
    try PFP_SYNC_ME().encode(into: &sink)
  }

  /// `gfx_v8_0_ring_emit_vgt_flush`: EVENT_WRITE VS_PARTIAL_FLUSH (event index 4), then
  /// EVENT_WRITE VGT_FLUSH (index 0). 4 dwords.
  public static func vgtFlush(into sink: inout some PM4Sink) throws(PM4EncodingError) {
    try sink.reserve(4)
    try EVENT_WRITE(EVENT_TYPE: UInt8(VGT_EVENT_TYPE.VS_PARTIAL_FLUSH.rawValue), EVENT_INDEX: .PARTIAL_FLUSH)
      .encode(into: &sink, payload: EmptyCollection())
    try EVENT_WRITE(EVENT_TYPE: UInt8(VGT_EVENT_TYPE.VGT_FLUSH.rawValue), EVENT_INDEX: .ANY_NON_TS)
      .encode(into: &sink, payload: EmptyCollection())
  }

  /// `gfx_v8_ring_emit_cntxcntl` for a VF: the CE metadata into `csa` (`layout`), then — on a
  /// context switch — the VGT flush and a CONTEXT_CONTROL loading the global config and
  /// uconfig, the per-context state and the gfx and compute SH registers (and the CE RAM when
  /// the job has a preamble); without one, a CONTEXT_CONTROL loading only the CE RAM, and that
  /// only for a context's first preamble. LOAD_ENABLE is always set: without it the packet is
  /// a NOP. 11 or 17 dwords plus the CE metadata's.
  public static func contextControl(
    _ status: ContextStatus, csa: ContextSaveArea, layout: CSAMetadataLayout, into sink: inout some PM4Sink
  ) throws(PM4EncodingError) {
    try CSAMetadata.emitConstantEngine(csa: csa, layout: layout, into: &sink)
    let contextSwitch = status.contains(.contextSwitch)
    if contextSwitch { try vgtFlush(into: &sink) }
    try CONTEXT_CONTROL(
      LOAD_GLOBAL_CONFIG: contextSwitch, LOAD_PER_CONTEXT_STATE: contextSwitch, LOAD_GLOBAL_UCONFIG: contextSwitch,
      LOAD_GFX_SH_REGS: contextSwitch, LOAD_CS_SH_REGS: contextSwitch,
      LOAD_CE_RAM: status.contains(contextSwitch ? .preamblePresent : .preamblePresentFirst), LOAD_ENABLE: true
    ).encode(into: &sink)
  }

  /// `gfx_v8_ring_emit_sb`: SWITCH_BUFFER, which flips the CE's and DE's buffers. 2 dwords.
  public static func switchBuffer(into sink: inout some PM4Sink) throws(PM4EncodingError) {
    try SWITCH_BUFFER().encode(into: &sink)
  }

  /// `gfx_v8_0_emit_mem_sync`: SURFACE_SYNC over all of memory (size 0xFFFFFFFF, base 0) on
  /// TCL1, TC, TC write-back and the shader K and I caches, polled every 0xA. 5 dwords.
  public static func memorySyncGraphics(into sink: inout some PM4Sink) throws(PM4EncodingError) {
    try SURFACE_SYNC(
      TC_WB_ACTION_ENA: true, TCL1_ACTION_ENA: true, TC_ACTION_ENA: true, SH_KCACHE_ACTION_ENA: true,
      SH_ICACHE_ACTION_ENA: true, COHER_SIZE: 0xFFFF_FFFF, COHER_BASE: 0, POLL_INTERVAL: 0xA
    ).encode(into: &sink)
  }

  /// The placeholder `gfx_v8_0_ring_emit_init_cond_exec` leaves for the count it patches later.
  public static let conditionalExecutionPlaceholder: UInt32 = 0x55AA_55AA

  /// `gfx_v8_0_ring_emit_init_cond_exec`: COND_EXEC on the dword at `address` (the ring's
  /// `cond_exe_gpu_addr`: when it is 0 the CP discards what follows), its count a placeholder
  /// that `patchConditionalExecution` fills in once the frame is written. Returns where the
  /// placeholder is. 5 dwords.
  public static func conditionalExecution(address: UInt64, into sink: inout some PM4PatchableSink)
    throws(PM4EncodingError) -> UInt64
  {
    try COND_EXEC(
      ADDRESS_LO: UInt32(truncatingIfNeeded: address), ADDRESS_HI: UInt32(truncatingIfNeeded: address >> 32),
      EXEC_COUNT: conditionalExecutionPlaceholder
    ).encode(into: &sink)
    return sink.dwordsWritten - 1
  }

  /// `gfx_v8_0_ring_emit_patch_cond_exec`: the COND_EXEC at `placeholder` covers every dword
  /// written after it so far.
  public static func patchConditionalExecution(at placeholder: UInt64, in sink: inout some PM4PatchableSink) {
    precondition(sink.dword(at: placeholder) == conditionalExecutionPlaceholder, "no COND_EXEC placeholder there")
    sink.rewrite(UInt32(truncatingIfNeeded: sink.dwordsWritten - 1 - placeholder), at: placeholder)
  }
}

/// A sink whose written dwords can be read and rewritten — the ring, where the kernel patches a
/// COND_EXEC's count once it knows it.
public protocol PM4PatchableSink: PM4Sink {
  /// Dwords written so far (the ring's unmasked write pointer).
  var dwordsWritten: UInt64 { get }
  /// The dword written at `position` (a value `dwordsWritten` had).
  func dword(at position: UInt64) -> UInt32
  /// Rewrites the dword written at `position`.
  mutating func rewrite(_ value: UInt32, at position: UInt64)
}

extension PM4Buffer: PM4PatchableSink {
  public var dwordsWritten: UInt64 { UInt64(count) }
  public func dword(at position: UInt64) -> UInt32 {
    precondition(position < dwordsWritten, "not written yet")
    return base[Int(position)]
  }
  public mutating func rewrite(_ value: UInt32, at position: UInt64) {
    precondition(position < dwordsWritten, "not written yet")
    base[Int(position)] = value
  }
}

extension PM4Ring: PM4PatchableSink {
  public var dwordsWritten: UInt64 { writePointer }
  public func dword(at position: UInt64) -> UInt32 { base[Int(truncatingIfNeeded: position & mask)] }
  public mutating func rewrite(_ value: UInt32, at position: UInt64) {
    base[Int(truncatingIfNeeded: position & mask)] = value
  }
}
