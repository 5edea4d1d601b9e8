import MxPM4
import MxPM4Packets
import MxRuntimeRegisters

/// The kind of ring a gfx_v8 ring function is emitting for (`ring->funcs->type`): some packets
/// differ by it.
public enum RingType: Sendable {
  case gfx
  case compute
  case kiq
}

/// Fence flags (`AMDGPU_FENCE_FLAG_*`, `amdgpu_ring.h`), bit for bit.
public struct FenceFlags: OptionSet, Hashable, Sendable {
  public var rawValue: UInt32
  public init(rawValue: UInt32) { self.rawValue = rawValue }

  /// Write the whole 64-bit sequence, not its low half.
  public static let write64Bit = Self(rawValue: 1 << 0)
  /// Raise the end-of-pipe interrupt once written.
  public static let interrupt = Self(rawValue: 1 << 1)
  /// Write back the texture cache without invalidating it.
  public static let writeBackOnly = Self(rawValue: 1 << 2)
}

/// The GDS, GWS and OA a job's VMID gets (`gfx_v8_0_ring_emit_gds_switch`'s inputs).
public struct GDSAllocation: Equatable, Sendable {
  public var gdsBase, gdsSize, gwsBase, gwsSize, oaBase, oaSize: UInt32

  public init(gdsBase: UInt32, gdsSize: UInt32, gwsBase: UInt32, gwsSize: UInt32, oaBase: UInt32, oaSize: UInt32) {
    (self.gdsBase, self.gdsSize, self.gwsBase, self.gwsSize, self.oaBase, self.oaSize) =
      (gdsBase, gdsSize, gwsBase, gwsSize, oaBase, oaSize)
  }

  /// Nothing: what a VMID is switched to after a GPU reset for a job without GDS.
  public static let none = Self(gdsBase: 0, gdsSize: 0, gwsBase: 0, gwsSize: 0, oaBase: 0, oaSize: 0)
}

/// The gfx_v8 ring functions around a submission (`gfx_v8_0.c`, with `gmc_v8_0.c`'s TLB flush
/// and `vi.c`'s HDP invalidate), each with every input explicit, so that its dwords can be set
/// beside the kernel's for the same inputs. Where the kernel masks a value to fit (an address's
/// low bits, the high half of an IB address), so does each function here, so the dwords are the
/// kernel's; a value the kernel would let spill into a neighbouring field is an error.
public enum RingPackets {
  /// `gfx_v8_0_ring_emit_wreg`: WRITE_DATA of `value` to register `offset`; the control dword
  /// is PFP and write-confirm on the graphics ring, WR_ONE_ADDR alone on the KIQ, write-confirm
  /// on a compute ring. 5 dwords.
  public static func writeRegister(
    _ offset: UInt32, _ value: UInt32, ring: RingType, into sink: inout some PM4Sink
  ) throws(PM4EncodingError) {
    let packet =
      switch ring {
      case .gfx: WRITE_DATA(DST_SEL: .REGISTER, WR_CONFIRM: true, ENGINE_SEL: .PFP, DST_ADDR_LO: offset)
      case .kiq: WRITE_DATA(DST_SEL: .REGISTER, WR_ONE_ADDR: true, DST_ADDR_LO: offset)
      case .compute: WRITE_DATA(DST_SEL: .REGISTER, WR_CONFIRM: true, DST_ADDR_LO: offset)
      }
    try packet.encode(into: &sink, payload: CollectionOfOne(value))
  }

  /// `gfx_v8_0_ring_emit_ib_compute`: INDIRECT_BUFFER of `ib` for `vmid` (VALID, the length, the
  /// VMID), behind a SET_CONFIG_REG of GDS_COMPUTE_MAX_WAVE_ID ← `gdsComputeMaxWaveID` when the
  /// IB asks for it (`resetGDSMaxWaveID`). 4 or 7 dwords. A length of 2^20 dwords or more, or a
  /// VMID over 15, is an error (`valueDoesNotFit`), where the kernel's OR would spill into the
  /// next field.
  public static func indirectBufferCompute(
    _ ib: IndirectBuffer, vmid: UInt32, gdsComputeMaxWaveID: UInt32, into sink: inout some PM4Sink
  ) throws(PM4EncodingError) {
    if ib.flags.contains(.resetGDSMaxWaveID) {
      try SET_CONFIG_REG(REG_OFFSET: UInt16(truncatingIfNeeded: GDS_COMPUTE_MAX_WAVE_ID.info.offset - 0x2000))
        .encode(into: &sink, payload: CollectionOfOne(gdsComputeMaxWaveID))
    }
    try INDIRECT_BUFFER(
      IB_BASE_LO: UInt32(truncatingIfNeeded: ib.gpuAddress) >> 2,
      IB_BASE_HI: UInt16(truncatingIfNeeded: ib.gpuAddress >> 32),
      IB_SIZE: ib.lengthDwords, VALID: true, VMID: UInt8(clamping: vmid)
    ).encode(into: &sink)
  }

  /// `gfx_v8_0_ring_emit_fence_compute`: RELEASE_MEM at the end of the pipe, flushing and
  /// invalidating the texture caches (CACHE_FLUSH_AND_INV_TS_EVENT, event index 5, TCL1, TC and
  /// TC write-back), writing the low 32 bits of `sequence` (all 64 with `write64Bit`) to
  /// `address`, and interrupting after the write is confirmed when `flags` ask for it. 7 dwords.
  public static func fenceCompute(
    address: UInt64, sequence: UInt64, flags: FenceFlags, into sink: inout some PM4Sink
  ) throws(PM4EncodingError) {
    try RELEASE_MEM(
      EVENT_TYPE: UInt8(VGT_EVENT_TYPE.CACHE_FLUSH_AND_INV_TS_EVENT.rawValue), EVENT_INDEX: .END_OF_PIPE,
      TC_WB_ACTION_ENA: true, TCL1_ACTION_ENA: true, TC_ACTION_ENA: true,
      INT_SEL: flags.contains(.interrupt) ? .SEND_INTERRUPT_AFTER_WRITE_CONFIRM : .NONE,
      DATA_SEL: flags.contains(.write64Bit) ? .SEND_64_BIT_DATA : .SEND_32_BIT_LOW,
      ADDRESS_LO: UInt32(truncatingIfNeeded: address) >> 2, ADDRESS_HI: UInt32(truncatingIfNeeded: address >> 32),
      DATA_LO: UInt32(truncatingIfNeeded: sequence), DATA_HI: UInt32(truncatingIfNeeded: sequence >> 32)
    ).encode(into: &sink)
  }

  /// `gfx_v8_0_ring_emit_pipeline_sync`: WAIT_REG_MEM until the ring's fence at `fenceAddress`
  /// equals `sequence` (`fence_drv.sync_seq`, the last one emitted), polled every 4, by the PFP
  /// on the graphics ring and the ME otherwise. 7 dwords.
  public static func pipelineSync(
    fenceAddress: UInt64, sequence: UInt32, ring: RingType, into sink: inout some PM4Sink
  ) throws(PM4EncodingError) {
    try WAIT_REG_MEM(
      FUNCTION: .EQUAL, MEM_SPACE: .MEMORY, ENGINE: ring == .gfx ? .PFP : .ME,
      POLL_ADDRESS_LO: UInt32(truncatingIfNeeded: fenceAddress) & 0xFFFF_FFFC,
      POLL_ADDRESS_HI: UInt32(truncatingIfNeeded: fenceAddress >> 32), REFERENCE: sequence, MASK: 0xFFFF_FFFF,
      POLL_INTERVAL: 4
    ).encode(into: &sink)
  }

  /// `gfx_v8_0_ring_emit_vm_flush` on a compute ring or the KIQ, with `gmc_v8_0_emit_flush_gpu_tlb`:
  /// VMID `vmid`'s page table base ← `pageDirectory` >> 12 (VM_CONTEXT0…7 or VM_CONTEXT8…15
  /// _PAGE_TABLE_BASE_ADDR), VM_INVALIDATE_REQUEST ← 1 << vmid, then a WAIT_REG_MEM on
  /// VM_INVALIDATE_REQUEST that always passes, polled every 0x20. 17 dwords. (The GFX ring's,
  /// which adds a PFP_SYNC_ME, is `vmFlushGraphics`.)
  public static func vmFlush(
    vmid: UInt32, pageDirectory: UInt64, ring: RingType, into sink: inout some PM4Sink
  ) throws(PM4EncodingError) {
    precondition(ring != .gfx, "the graphics ring's VM flush ends with PFP_SYNC_ME: vmFlushGraphics")
    try flushTLB(vmid: vmid, pageDirectory: pageDirectory, ring: ring, into: &sink)
  }

  /// What every ring's VM flush starts with (`vmFlush`'s 17 dwords), by ring type.
  static func flushTLB(
    vmid: UInt32, pageDirectory: UInt64, ring: RingType, into sink: inout some PM4Sink
  ) throws(PM4EncodingError) {
    precondition(vmid < 16, "VI has 16 VMIDs")
    try writeRegister(
      pageTableBase(vmid: vmid), UInt32(truncatingIfNeeded: pageDirectory >> 12), ring: ring, into: &sink)
    try writeRegister(VM_INVALIDATE_REQUEST.info.offset, 1 << vmid, ring: ring, into: &sink)
    try WAIT_REG_MEM(
      FUNCTION: .ALWAYS, OPERATION: .WAIT_REG_MEM, ENGINE: .ME, POLL_ADDRESS_LO: VM_INVALIDATE_REQUEST.info.offset,
      POLL_INTERVAL: 0x20
    ).encode(into: &sink)
  }

  /// The page table base register of `vmid` (`gmc_v8_0_emit_flush_gpu_tlb`).
  static func pageTableBase(vmid: UInt32) -> UInt32 {
    vmid < 8
      ? VM_CONTEXT0_PAGE_TABLE_BASE_ADDR.info.offset + vmid
      : VM_CONTEXT8_PAGE_TABLE_BASE_ADDR.info.offset + vmid - 8
  }

  /// `gfx_v8_0_ring_emit_hdp_flush`: a WAIT_REG_MEM that writes the ring's bit to
  /// GPU_HDP_FLUSH_REQ and waits for it in GPU_HDP_FLUSH_DONE, polled every 0x20 — CP2 << pipe
  /// for ME 1, CP6 << pipe for ME 2 (compute and KIQ rings, by the ME); CP0 by the PFP for the
  /// graphics ring. A compute ring on another ME emits nothing, as in the kernel. 7 dwords or 0.
  public static func hdpFlush(me: UInt32, pipe: UInt32, ring: RingType, into sink: inout some PM4Sink)
    throws(PM4EncodingError)
  {
    let reference: UInt32
    switch (ring, me) {
    case (.gfx, _): reference = GPU_HDP_FLUSH_DONE.CP0.mask
    case (_, 1): reference = GPU_HDP_FLUSH_DONE.CP2.mask << pipe
    case (_, 2): reference = GPU_HDP_FLUSH_DONE.CP6.mask << pipe
    default: return
    }
    try WAIT_REG_MEM(
      FUNCTION: .EQUAL, OPERATION: .WR_WAIT_WR_REG, ENGINE: ring == .gfx ? .PFP : .ME,
      POLL_ADDRESS_LO: GPU_HDP_FLUSH_REQ.info.offset, POLL_ADDRESS_HI: GPU_HDP_FLUSH_DONE.info.offset,
      REFERENCE: reference, MASK: reference, POLL_INTERVAL: 0x20
    ).encode(into: &sink)
  }

  /// `vi_invalidate_hdp` on a ring that can write registers: HDP_DEBUG0 ← 1. 5 dwords.
  public static func invalidateHDP(ring: RingType, into sink: inout some PM4Sink) throws(PM4EncodingError) {
    try writeRegister(HDP_DEBUG0.info.offset, 1, ring: ring, into: &sink)
  }

  /// `gfx_v8_0_emit_mem_sync_compute`: ACQUIRE_MEM over all of memory (size 0xFFFFFFFF and
  /// 0xFF, base 0) acting on TCL1, TC, TC write-back and the shader K and I caches, polled every
  /// 0xA. 7 dwords.
  public static func memorySyncCompute(into sink: inout some PM4Sink) throws(PM4EncodingError) {
    try ACQUIRE_MEM(
      TC_WB_ACTION_ENA: true, TCL1_ACTION_ENA: true, TC_ACTION_ENA: true, SH_KCACHE_ACTION_ENA: true,
      SH_ICACHE_ACTION_ENA: true, COHER_SIZE: 0xFFFF_FFFF, COHER_SIZE_HI: 0xFF, COHER_BASE: 0, COHER_BASE_HI: 0,
      POLL_INTERVAL: 0xA
    ).encode(into: &sink)
  }

  /// What `gfx_v8_0_emit_wave_limit` writes back when the limit is lifted: the kernel's own
  /// defaults for SPI_WCL_PIPE_PERCENT_GFX and _CS (defined in `gfx_v8_0.c`, not in a header).
  public static let wavesGFXDefault: UInt32 = 0x07FF_FFFF
  public static let wavesComputeDefault: UInt32 = 0x7F

  /// `gfx_v8_0_emit_wave_limit` for the high-priority compute ring on `pipe`: graphics waves
  /// limited to 0x1F (about a quarter) and every other pipe of the first MEC's compute waves to
  /// 1 — or both back to their defaults. 20 dwords.
  public static func waveLimit(
    pipe: UInt32, enable: Bool, pipesPerMEC: UInt32 = 4, ring: RingType = .compute, into sink: inout some PM4Sink
  ) throws(PM4EncodingError) {
    try writeRegister(
      SPI_WCL_PIPE_PERCENT_GFX.info.offset, enable ? 0x1F : wavesGFXDefault, ring: ring, into: &sink)
    for other in 0..<min(pipesPerMEC, 4) where other != pipe {
      try writeRegister(computeWaveLimits[Int(other)], enable ? 1 : wavesComputeDefault, ring: ring, into: &sink)
    }
  }

  /// SPI_WCL_PIPE_PERCENT_CS0 … CS3.
  static let computeWaveLimits = [
    SPI_WCL_PIPE_PERCENT_CS0.info.offset, SPI_WCL_PIPE_PERCENT_CS1.info.offset,
    SPI_WCL_PIPE_PERCENT_CS2.info.offset, SPI_WCL_PIPE_PERCENT_CS3.info.offset,
  ]

  /// `gfx_v8_0_ring_emit_gds_switch`: VMID `vmid`'s GDS base and size, GWS (size << SIZE's shift
  /// | base) and OA (the mask of `oaSize` bits from `oaBase`), each a WRITE_DATA to a register with
  /// control 0 (ME, no confirm). 20 dwords.
  public static func gdsSwitch(vmid: UInt32, _ gds: GDSAllocation, into sink: inout some PM4Sink)
    throws(PM4EncodingError)
  {
    precondition(vmid < 16, "VI has 16 VMIDs")
    let registers = gdsRegisters[Int(vmid)]
    let oa = (UInt32(1) << (gds.oaSize + gds.oaBase)) &- (UInt32(1) << gds.oaBase)
    let values = [gds.gdsBase, gds.gdsSize, gds.gwsSize << GDS_GWS_VMID0.SIZE.shift | gds.gwsBase, oa]
    for (register, value) in zip(registers, values) {
      try WRITE_DATA(DST_SEL: .REGISTER, DST_ADDR_LO: register).encode(into: &sink, payload: CollectionOfOne(value))
    }
  }

  /// `amdgpu_gds_reg_offset`: per VMID, GDS_VMIDn_BASE, _SIZE, GDS_GWS_VMIDn, GDS_OA_VMIDn.
  static let gdsRegisters: [[UInt32]] = [
    [GDS_VMID0_BASE.info.offset, GDS_VMID0_SIZE.info.offset, GDS_GWS_VMID0.info.offset, GDS_OA_VMID0.info.offset],
    [GDS_VMID1_BASE.info.offset, GDS_VMID1_SIZE.info.offset, GDS_GWS_VMID1.info.offset, GDS_OA_VMID1.info.offset],
    [GDS_VMID2_BASE.info.offset, GDS_VMID2_SIZE.info.offset, GDS_GWS_VMID2.info.offset, GDS_OA_VMID2.info.offset],
    [GDS_VMID3_BASE.info.offset, GDS_VMID3_SIZE.info.offset, GDS_GWS_VMID3.info.offset, GDS_OA_VMID3.info.offset],
    [GDS_VMID4_BASE.info.offset, GDS_VMID4_SIZE.info.offset, GDS_GWS_VMID4.info.offset, GDS_OA_VMID4.info.offset],
    [GDS_VMID5_BASE.info.offset, GDS_VMID5_SIZE.info.offset, GDS_GWS_VMID5.info.offset, GDS_OA_VMID5.info.offset],
    [GDS_VMID6_BASE.info.offset, GDS_VMID6_SIZE.info.offset, GDS_GWS_VMID6.info.offset, GDS_OA_VMID6.info.offset],
    [GDS_VMID7_BASE.info.offset, GDS_VMID7_SIZE.info.offset, GDS_GWS_VMID7.info.offset, GDS_OA_VMID7.info.offset],
    [GDS_VMID8_BASE.info.offset, GDS_VMID8_SIZE.info.offset, GDS_GWS_VMID8.info.offset, GDS_OA_VMID8.info.offset],
    [GDS_VMID9_BASE.info.offset, GDS_VMID9_SIZE.info.offset, GDS_GWS_VMID9.info.offset, GDS_OA_VMID9.info.offset],
    [GDS_VMID10_BASE.info.offset, GDS_VMID10_SIZE.info.offset, GDS_GWS_VMID10.info.offset, GDS_OA_VMID10.info.offset],
    [GDS_VMID11_BASE.info.offset, GDS_VMID11_SIZE.info.offset, GDS_GWS_VMID11.info.offset, GDS_OA_VMID11.info.offset],
    [GDS_VMID12_BASE.info.offset, GDS_VMID12_SIZE.info.offset, GDS_GWS_VMID12.info.offset, GDS_OA_VMID12.info.offset],
    [GDS_VMID13_BASE.info.offset, GDS_VMID13_SIZE.info.offset, GDS_GWS_VMID13.info.offset, GDS_OA_VMID13.info.offset],
    [GDS_VMID14_BASE.info.offset, GDS_VMID14_SIZE.info.offset, GDS_GWS_VMID14.info.offset, GDS_OA_VMID14.info.offset],
    [GDS_VMID15_BASE.info.offset, GDS_VMID15_SIZE.info.offset, GDS_GWS_VMID15.info.offset, GDS_OA_VMID15.info.offset],
  ]

  /// `gmc_v8_0_emit_pasid_mapping`: IH_VMID_<vmid>_LUT ← `pasid`, so the IH tags the VMID's
  /// interrupts with it. 5 dwords.
  public static func pasidMapping(vmid: UInt32, pasid: UInt32, ring: RingType, into sink: inout some PM4Sink)
    throws(PM4EncodingError)
  {
    precondition(vmid < 16, "VI has 16 VMIDs")
    try writeRegister(IH_VMID_0_LUT.info.offset + vmid, pasid, ring: ring, into: &sink)
  }
}
