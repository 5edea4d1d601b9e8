import MxMMIO
import MxMemory
import MxRuntimeRegisters
import MxStructures

/// Everything the driver takes from allocations and the chip to describe one queue to the CP:
/// explicit inputs, so that the MQD, the register accesses and the ring dwords can be compared
/// with the kernel's own functions on the same numbers.
public struct QueueDescription: Equatable, Sendable {
  public enum Kind: Equatable, Sendable {
    /// The kernel interface queue: its MQD is committed by MMIO and activated at once.
    case kiq
    /// A kernel compute queue, mapped later by MAP_QUEUES; `highPriority` for compute ring 0 when
    /// there is more than one (`amdgpu_gfx_is_high_priority_compute_queue`).
    case compute(highPriority: Bool)
  }

  public var kind: Kind
  public var placement: QueuePlacement
  /// GPU address of the queue's `vi_mqd_allocation`.
  public var mqdAddress: UInt64
  /// GPU address of its end-of-pipe (HPD) buffer, 4 KiB (`GFX8_MEC_HPD_SIZE`).
  public var eopAddress: UInt64
  /// GPU address and size of its ring buffer.
  public var ringAddress: UInt64
  public var ringSizeInBytes: Int
  /// GPU addresses of its read- and write-pointer writeback slots.
  public var readPointerAddress: UInt64
  public var writePointerAddress: UInt64
  /// Its doorbell (dword index into BAR 2), if it uses one (every gfx_v8 KIQ and compute ring does).
  public var doorbellIndex: UInt32?

  public init(
    kind: Kind, placement: QueuePlacement, mqdAddress: UInt64, eopAddress: UInt64, ringAddress: UInt64,
    ringSizeInBytes: Int, readPointerAddress: UInt64, writePointerAddress: UInt64, doorbellIndex: UInt32?
  ) {
    self.kind = kind
    self.placement = placement
    self.mqdAddress = mqdAddress
    self.eopAddress = eopAddress
    self.ringAddress = ringAddress
    self.ringSizeInBytes = ringSizeInBytes
    self.readPointerAddress = readPointerAddress
    self.writePointerAddress = writePointerAddress
    self.doorbellIndex = doorbellIndex
  }
}

/// Why a queue could not be described to the CP.
public enum QueueSetupError: Error, Equatable, Sendable {
  /// An address that the MQD cannot hold as the hardware reads it.
  case address(String, AddressError)
  /// A ring size that is not a power of two of at least 256 bytes.
  case ringSize(Int)
}

/// The MQD work of `gfx_v8_0_mqd_init` and `gfx_v8_0_mqd_commit` (facts 3.5, 3.6), register for
/// register in the driver's order. Both expect the queue selected (`withQueueSelected`).
public enum MQDProgramming {
  /// The EOP buffer of every gfx_v8 queue: `GFX8_MEC_HPD_SIZE`.
  public static let eopBytes = 4096
  /// `MQD header`: a PM4 type-3 header the CP checks (facts appendix B).
  public static let header: UInt32 = 0xC031_0800

  /// Prepares a fresh allocation as the driver does before `mqd_init`: all zero, then the
  /// dynamic CU and RB masks all ones.
  public static func clear(_ allocation: vi_mqd_allocation) {
    allocation.zero()
    allocation.dynamic_cu_mask = 0xFFFF_FFFF
    allocation.dynamic_rb_mask = 0xFFFF_FFFF
  }

  /// Fills `mqd` for `queue`, reading the registers it starts from (the queue must be selected).
  public static func initialize(_ mqd: vi_mqd, for queue: QueueDescription, registers: some RegisterBus)
    throws(QueueSetupError)
  {
    guard queue.ringSizeInBytes >= 256, queue.ringSizeInBytes & (queue.ringSizeInBytes - 1) == 0 else {
      throw .ringSize(queue.ringSizeInBytes)
    }
    mqd.header = header
    mqd.compute_pipelinestat_enable = RegisterValue(rawValue: 1)
    mqd.compute_static_thread_mgmt_se0 = RegisterValue(rawValue: 0xFFFF_FFFF)
    mqd.compute_static_thread_mgmt_se1 = RegisterValue(rawValue: 0xFFFF_FFFF)
    mqd.compute_static_thread_mgmt_se2 = RegisterValue(rawValue: 0xFFFF_FFFF)
    mqd.compute_static_thread_mgmt_se3 = RegisterValue(rawValue: 0xFFFF_FFFF)
    mqd.compute_misc_reserved = RegisterValue(rawValue: 3)
    try set(mqd.dynamic_cu_mask_addr, queue.mqdAddress + 0x808, "dynamic_cu_mask_addr")
    try set(mqd.cp_hqd_eop_base_addr, queue.eopAddress, "cp_hqd_eop_base_addr")

    var eopControl = registers.read(CP_HQD_EOP_CONTROL.self)
    eopControl[CP_HQD_EOP_CONTROL.EOP_SIZE] = UInt8(log2(eopBytes / 4) - 1)  // 2^(EOP_SIZE+1) dwords
    mqd.cp_hqd_eop_control = eopControl

    var doorbell = registers.read(CP_HQD_PQ_DOORBELL_CONTROL.self)
    doorbell[CP_HQD_PQ_DOORBELL_CONTROL.DOORBELL_EN] = queue.doorbellIndex != nil
    mqd.cp_hqd_pq_doorbell_control = doorbell

    try set(mqd.cp_mqd_base_addr, queue.mqdAddress & ~3, "cp_mqd_base_addr")
    var mqdControl = registers.read(CP_MQD_CONTROL.self)
    mqdControl[CP_MQD_CONTROL.VMID] = 0
    mqd.cp_mqd_control = mqdControl

    try set(mqd.cp_hqd_pq_base, queue.ringAddress, "cp_hqd_pq_base")
    var control = registers.read(CP_HQD_PQ_CONTROL.self)
    control[CP_HQD_PQ_CONTROL.QUEUE_SIZE] = UInt8(log2(queue.ringSizeInBytes / 4) - 1)
    control[CP_HQD_PQ_CONTROL.RPTR_BLOCK_SIZE] = UInt8(log2(4096 / 4) - 1)
    // ENDIAN_SWAP stays as read: the driver sets it only on big-endian hosts.
    control[CP_HQD_PQ_CONTROL.UNORD_DISPATCH] = false
    control[CP_HQD_PQ_CONTROL.ROQ_PQ_IB_FLIP] = false
    control[CP_HQD_PQ_CONTROL.PRIV_STATE] = true
    control[CP_HQD_PQ_CONTROL.KMD_QUEUE] = true
    mqd.cp_hqd_pq_control = control

    try set(mqd.cp_hqd_pq_rptr_report_addr, queue.readPointerAddress & ~3, "cp_hqd_pq_rptr_report_addr")
    try set(mqd.cp_hqd_pq_wptr_poll_addr, queue.writePointerAddress & ~3, "cp_hqd_pq_wptr_poll_addr")

    var doorbellControl = RegisterValue<CP_HQD_PQ_DOORBELL_CONTROL>(rawValue: 0)
    if let index = queue.doorbellIndex {
      doorbellControl = registers.read(CP_HQD_PQ_DOORBELL_CONTROL.self)
      doorbellControl[CP_HQD_PQ_DOORBELL_CONTROL.DOORBELL_OFFSET] = index
      doorbellControl[CP_HQD_PQ_DOORBELL_CONTROL.DOORBELL_EN] = true
      doorbellControl[CP_HQD_PQ_DOORBELL_CONTROL.DOORBELL_SOURCE] = false
      doorbellControl[CP_HQD_PQ_DOORBELL_CONTROL.DOORBELL_HIT] = false
    }
    mqd.cp_hqd_pq_doorbell_control = doorbellControl

    mqd.cp_hqd_pq_wptr = RegisterValue(rawValue: 0)
    mqd.cp_hqd_pq_rptr = registers.read(CP_HQD_PQ_RPTR.self)
    mqd.cp_hqd_vmid = RegisterValue(rawValue: 0)

    var persistent = registers.read(CP_HQD_PERSISTENT_STATE.self)
    persistent[CP_HQD_PERSISTENT_STATE.PRELOAD_SIZE] = 0x53
    mqd.cp_hqd_persistent_state = persistent

    var ibControl = registers.read(CP_HQD_IB_CONTROL.self)
    ibControl[CP_HQD_IB_CONTROL.MIN_IB_AVAIL_SIZE] = 3
    ibControl[CP_HQD_IB_CONTROL.MTYPE] = .MTYPE_UC
    mqd.cp_hqd_ib_control = ibControl
    var timer = registers.read(CP_HQD_IQ_TIMER.self)
    timer[CP_HQD_IQ_TIMER.MTYPE] = .MTYPE_UC
    mqd.cp_hqd_iq_timer = timer
    var saveControl = registers.read(CP_HQD_CTX_SAVE_CONTROL.self)
    saveControl[CP_HQD_CTX_SAVE_CONTROL.MTYPE] = .MTYPE_UC
    mqd.cp_hqd_ctx_save_control = saveControl

    // The rest as the hardware holds it now.
    mqd.cp_hqd_eop_rptr = registers.read(CP_HQD_EOP_RPTR.self)
    mqd.cp_hqd_eop_wptr = registers.read(CP_HQD_EOP_WPTR.self)
    mqd.cp_hqd_ctx_save_base_addr_lo = registers.read(CP_HQD_CTX_SAVE_BASE_ADDR_LO.self)
    mqd.cp_hqd_ctx_save_base_addr_hi = registers.read(CP_HQD_CTX_SAVE_BASE_ADDR_HI.self)
    mqd.cp_hqd_cntl_stack_offset = registers.read(CP_HQD_CNTL_STACK_OFFSET.self)
    mqd.cp_hqd_cntl_stack_size = registers.read(CP_HQD_CNTL_STACK_SIZE.self)
    mqd.cp_hqd_wg_state_offset = registers.read(CP_HQD_WG_STATE_OFFSET.self)
    mqd.cp_hqd_ctx_save_size = registers.read(CP_HQD_CTX_SAVE_SIZE.self)
    mqd.cp_hqd_eop_done_events = registers.read(CP_HQD_EOP_EVENTS.self)
    mqd.cp_hqd_error = registers.read(CP_HQD_ERROR.self)
    mqd.cp_hqd_eop_wptr_mem = registers.read(CP_HQD_EOP_WPTR_MEM.self)
    mqd.cp_hqd_eop_dones = registers.read(CP_HQD_EOP_DONES.self)

    if case .compute(highPriority: true) = queue.kind {
      mqd.cp_hqd_pipe_priority = RegisterValue(rawValue: 2)  // AMDGPU_GFX_PIPE_PRIO_HIGH
      mqd.cp_hqd_queue_priority = RegisterValue(rawValue: 15)  // AMDGPU_GFX_QUEUE_PRIORITY_MAXIMUM
    }
    mqd.cp_hqd_quantum = registers.read(CP_HQD_QUANTUM.self)
    if queue.kind == .kiq { mqd.cp_hqd_active = RegisterValue(rawValue: 1) }
  }

  /// Writes `mqd` into the selected queue's HQD registers in the driver's order, ending with
  /// CP_HQD_ACTIVE, which starts the queue (`gfx_v8_0_mqd_commit`).
  public static func commit(_ mqd: vi_mqd, chip: VIChip, registers: some RegisterBus) {
    registers.modify(CP_PQ_WPTR_POLL_CNTL.self) { $0[CP_PQ_WPTR_POLL_CNTL.EN] = false }
    let first = CP_MQD_BASE_ADDR.info.offset
    func write(_ range: ClosedRange<UInt32>) {
      for offset in range { registers.write32(mqd[dword: 128 + Int(offset - first)], at: offset) }
    }
    write(CP_HQD_VMID.info.offset...CP_HQD_EOP_CONTROL.info.offset)
    if chip.commitsEOPPointers {
      registers.write(mqd.cp_hqd_eop_rptr)
      registers.write(mqd.cp_hqd_eop_wptr)
      registers.write(mqd.cp_hqd_eop_wptr_mem)
    }
    write(CP_HQD_EOP_EVENTS.info.offset...CP_HQD_ERROR.info.offset)
    write(first...CP_HQD_ACTIVE.info.offset)
  }

  private static func set(_ field: AddressField, _ address: UInt64, _ name: String) throws(QueueSetupError) {
    do {
      try field.set(address)
    } catch {
      throw .address(name, error)
    }
  }

  /// log2 of a power of two (`order_base_2`).
  private static func log2(_ value: Int) -> Int { Int.bitWidth - 1 - value.leadingZeroBitCount }
}

extension QueueDescription {
  /// A queue whose ring, MQD and EOP buffer are these: every address is taken from them (the
  /// read- and write-pointer addresses are the ring's writeback slots, the doorbell the ring's).
  public init(
    kind: Kind, placement: QueuePlacement, ring: Ring, mqd: GPUAllocation, eop: GPUAllocation, eopOffset: Int = 0
  ) {
    self.init(
      kind: kind, placement: placement, mqdAddress: mqd.gpuAddress, eopAddress: eop.gpuAddress(atByte: eopOffset),
      ringAddress: ring.buffer.gpuAddress, ringSizeInBytes: ring.buffer.size,
      readPointerAddress: ring.readPointerSlot.gpuAddress, writePointerAddress: ring.writePointerSlot.gpuAddress,
      doorbellIndex: ring.doorbellIndex)
  }
}
