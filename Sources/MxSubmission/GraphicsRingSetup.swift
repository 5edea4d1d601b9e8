import MxClearState
import MxKIQ
import MxMMIO
import MxPM4
import MxPM4Packets
import MxRuntimeRegisters

/// The GFX ring's bring-up (`gfx_v8_0_cp_gfx_resume` and `gfx_v8_0_cp_gfx_start`), each step with
/// explicit inputs, register for register and dword for dword as the driver does it. A VF runs
/// them in exclusive mode, where every register access is direct MMIO. Between `programPointers`
/// and `programBase` the driver waits 1 ms (`mdelay(1)`), and after `startEngines` 50 µs
/// (`gfx_v8_0_cp_gfx_enable`'s `udelay(50)`); so must the caller.
public enum GraphicsRingSetup {
  /// `max_hw_contexts` of every VI part.
  public static let hardwareContexts: UInt32 = 8
  /// `AMDGPU_DOORBELL_GFX_RING0`: the GFX ring's doorbell, the bottom of the GFX doorbell range.
  public static let doorbell: UInt32 = 0x020

  /// The ring's control word: RB_BUFSZ = log2(size / 8 bytes), RB_BLKSZ two below, MTYPE 3
  /// (uncached), MIN_IB_AVAILSZ 1 (BUF_SWAP stays 0: the driver sets it on big-endian hosts only).
  public static func control(for ring: Ring) -> RegisterValue<CP_RB0_CNTL> {
    var size = 0
    while 8 << size < ring.sizeInDwords * 4 { size += 1 }
    var control = RegisterValue<CP_RB0_CNTL>(rawValue: 0)
    control[CP_RB0_CNTL.RB_BUFSZ] = UInt8(size)
    control[CP_RB0_CNTL.RB_BLKSZ] = UInt8(size - 2)
    control[CP_RB0_CNTL.MTYPE] = .MTYPE_UC
    control[CP_RB0_CNTL.MIN_IB_AVAILSZ] = 1
    return control
  }

  /// The first half of `gfx_v8_0_cp_gfx_resume`: no write-pointer delay, VMID 0, the ring's size,
  /// the pointers zeroed (the ring started over: `ring->wptr = 0`, its dwords NOPs again), and
  /// the read pointer's report address and the write pointer's poll address.
  public static func programPointers(ring: Ring, registers: some RegisterBus) {
    registers.write32(0, at: CP_RB_WPTR_DELAY.info.offset)
    registers.write32(0, at: CP_RB_VMID.info.offset)
    let control = control(for: ring)
    registers.write(control)
    var enabled = control
    enabled[CP_RB0_CNTL.RB_RPTR_WR_ENA] = true
    registers.write(enabled)
    ring.reset()
    registers.write32(0, at: CP_RB0_WPTR.info.offset)
    let readPointer = ring.readPointerSlot.gpuAddress
    registers.write32(UInt32(truncatingIfNeeded: readPointer), at: CP_RB0_RPTR_ADDR.info.offset)
    registers.write32(UInt32(truncatingIfNeeded: readPointer >> 32) & 0xFF, at: CP_RB0_RPTR_ADDR_HI.info.offset)
    let writePointer = ring.writePointerSlot.gpuAddress
    registers.write32(UInt32(truncatingIfNeeded: writePointer), at: CP_RB_WPTR_POLL_ADDR_LO.info.offset)
    registers.write32(UInt32(truncatingIfNeeded: writePointer >> 32), at: CP_RB_WPTR_POLL_ADDR_HI.info.offset)
  }

  /// The second half, after the 1 ms wait: the control word again (RB_RPTR_WR_ENA off), the
  /// ring's base in 256-byte units, and its doorbell (`gfx_v8_0_set_cpg_door_bell`: the offset,
  /// HIT cleared, enabled; the GFX doorbell range from the ring's doorbell to the top).
  public static func programBase(ring: Ring, registers: some RegisterBus) {
    registers.write(control(for: ring))
    let base = ring.buffer.gpuAddress >> 8
    registers.write32(UInt32(truncatingIfNeeded: base), at: CP_RB0_BASE.info.offset)
    registers.write32(UInt32(truncatingIfNeeded: base >> 32), at: CP_RB0_BASE_HI.info.offset)
    registers.modify(CP_RB_DOORBELL_CONTROL.self) {
      $0[CP_RB_DOORBELL_CONTROL.DOORBELL_OFFSET] = ring.doorbellIndex
      $0[CP_RB_DOORBELL_CONTROL.DOORBELL_HIT] = false
      $0[CP_RB_DOORBELL_CONTROL.DOORBELL_EN] = true
    }
    registers.write(CP_RB_DOORBELL_RANGE_LOWER.self) { $0[CP_RB_DOORBELL_RANGE_LOWER.DOORBELL_RANGE_LOWER] = doorbell }
    let upper = CP_RB_DOORBELL_RANGE_UPPER.DOORBELL_RANGE_UPPER.mask  // the field's mask, as the driver writes it
    registers.write32(upper, at: CP_RB_DOORBELL_RANGE_UPPER.info.offset)
  }

  /// The MMIO of `gfx_v8_0_cp_gfx_start`: CP_MAX_CONTEXT (the last context), endian swap off,
  /// device ID 1, and the ME, PFP and CE un-halted (`gfx_v8_0_cp_gfx_enable(true)`).
  public static func startEngines(registers: some RegisterBus) {
    registers.write32(hardwareContexts - 1, at: CP_MAX_CONTEXT.info.offset)
    registers.write32(0, at: CP_ENDIAN_SWAP.info.offset)
    registers.write32(1, at: CP_DEVICE_ID.info.offset)
    registers.modify(CP_ME_CNTL.self) {
      $0[CP_ME_CNTL.ME_HALT] = false
      $0[CP_ME_CNTL.PFP_HALT] = false
      $0[CP_ME_CNTL.CE_HALT] = false
    }
  }

  /// `gfx_v8_0_get_csb_size`: the clear-state preamble's dwords (the begin and end markers,
  /// CONTEXT_CONTROL, one SET_CONTEXT_REG per extent, the raster configuration, CLEAR_STATE).
  public static func clearStateDwords(_ extents: [ClearStateExtent]) -> Int {
    2 + 3 + extents.reduce(0) { $0 + 2 + $1.values.count } + 4 + 2 + 2
  }

  /// The ring part of `gfx_v8_0_cp_gfx_start`, committed: the clear state between PREAMBLE_CNTL's
  /// markers (CONTEXT_CONTROL loading and shadowing nothing but LOAD_ENABLE and its shadow
  /// twin, every extent, the raster configuration), CLEAR_STATE, and the CE partitions
  /// (SET_BASE CE_PARTITION_BASE, 0x8000 and 0x8000).
  public static func emitClearState(
    on ring: Ring, extents: [ClearStateExtent], raster: RasterConfiguration
  ) throws(RingError) {
    var sink = try ring.allocate(dwords: clearStateDwords(extents) + 4)
    do {
      try PREAMBLE_CNTL(COMMAND: .BEGIN_CLEAR_STATE).encode(into: &sink)
      try CONTEXT_CONTROL(LOAD_ENABLE: true, SHADOW_ENABLE: true).encode(into: &sink)
      for extent in extents {
        try SET_CONTEXT_REG(REG_OFFSET: UInt16(extent.registerOffset - SetContextRegister.windowStart))
          .encode(into: &sink, payload: extent.values)
      }
      try SET_CONTEXT_REG(REG_OFFSET: UInt16(PA_SC_RASTER_CONFIG.info.offset - SetContextRegister.windowStart))
        .encode(into: &sink, payload: [raster.config.rawValue, raster.config1.rawValue])
      try PREAMBLE_CNTL(COMMAND: .END_CLEAR_STATE).encode(into: &sink)
      try CLEAR_STATE().encode(into: &sink)
      try SET_BASE(BASE_INDEX: .CE_PARTITION_BASE, ADDRESS_LO: 0x8000, ADDRESS_HI: 0x8000).encode(into: &sink)
    } catch {
      ring.undo()
      preconditionFailure("the clear state fits the dwords gfx_v8_0_get_csb_size counts: \(error)")
    }
    ring.commit(sink)
  }
}

/// `PACKET3_SET_CONTEXT_REG_START`: the register SET_CONTEXT_REG's REG_OFFSET counts from.
enum SetContextRegister {
  static let windowStart: UInt32 = 0xA000
}

/// PA_SC_RASTER_CONFIG and PA_SC_RASTER_CONFIG_1 as the clear state sends them (`rb_config[0][0]`,
/// what `gfx_v8_0_setup_rb` wrote and read back).
public struct RasterConfiguration: Equatable, Sendable {
  public var config: RegisterValue<PA_SC_RASTER_CONFIG>
  public var config1: RegisterValue<PA_SC_RASTER_CONFIG_1>

  public init(config: RegisterValue<PA_SC_RASTER_CONFIG>, config1: RegisterValue<PA_SC_RASTER_CONFIG_1>) {
    self.config = config
    self.config1 = config1
  }

  /// `gfx_v8_0_raster_config` for `chip` with every render backend enabled — what
  /// `gfx_v8_0_setup_rb` writes on a part that is not harvested. Decided: the VF takes these
  /// rather than reading the registers back (`constants_init` is not modelled); a harvested part
  /// would need the values its registers hold.
  public static func allRenderBackends(_ chip: VIChip) -> Self {
    var config = RegisterValue<PA_SC_RASTER_CONFIG>(rawValue: 0)
    var config1 = RegisterValue<PA_SC_RASTER_CONFIG_1>(rawValue: 0)
    config[PA_SC_RASTER_CONFIG.RB_MAP_PKR0] = 2
    config[PA_SC_RASTER_CONFIG.RB_XSEL2] = 1
    config[PA_SC_RASTER_CONFIG.SE_MAP] = 2
    config1[PA_SC_RASTER_CONFIG_1.SE_PAIR_MAP] = 2
    switch chip {
    case .tonga:
      config[PA_SC_RASTER_CONFIG.SE_XSEL] = 1
      config[PA_SC_RASTER_CONFIG.SE_YSEL] = 1
      config1[PA_SC_RASTER_CONFIG_1.SE_PAIR_XSEL] = 2
      config1[PA_SC_RASTER_CONFIG_1.SE_PAIR_YSEL] = 2
    case .fiji:
      config[PA_SC_RASTER_CONFIG.RB_MAP_PKR1] = 2
      config[PA_SC_RASTER_CONFIG.PKR_MAP] = 2
      config[PA_SC_RASTER_CONFIG.PKR_XSEL] = 1
      config[PA_SC_RASTER_CONFIG.PKR_YSEL] = 1
      config[PA_SC_RASTER_CONFIG.SE_XSEL] = 2
      config[PA_SC_RASTER_CONFIG.SE_YSEL] = 3
      config1[PA_SC_RASTER_CONFIG_1.SE_PAIR_XSEL] = 3
      config1[PA_SC_RASTER_CONFIG_1.SE_PAIR_YSEL] = 2
    }
    return RasterConfiguration(config: config, config1: config1)
  }
}
