import MxKIQ
import MxPM4

/// What a job brings to a submission (the `amdgpu_job` fields `amdgpu_ib_schedule` and
/// `amdgpu_vm_flush` read), decided by its caller: the kernel's VMID manager and scheduler decide
/// them there.
public struct SubmissionJob: Equatable, Sendable {
  /// The job's scheduler context (`s_fence->scheduled.context`): a change from the ring's last
  /// job is a context switch, and a VF always syncs the pipeline on one.
  public var context: UInt64
  public var vmid: UInt32
  /// The job waits on an earlier fence (`job->sched_sync`) or its VM needs a pipeline sync.
  public var dependencySync = false
  /// `vm_needs_flush`: the page directory to flush the VMID's TLB to.
  public var vmFlush: UInt64?
  /// `pasid_mapping_needed`: the PASID the IH should tag the VMID's interrupts with.
  public var pasidMapping: UInt32?
  /// `gds_switch_needed`: the GDS, GWS and OA the VMID gets.
  public var gdsSwitch: GDSAllocation?
  /// The user fence (`uf_addr`, `uf_sequence`): written with all 64 bits, without interrupt.
  public var userFence: UserFence?
  /// Whether the job has a preamble IB, and its context's first (`preamble_status`; GFX ring).
  public var preambleStatus: ContextStatus = []

  public init(
    context: UInt64, vmid: UInt32, dependencySync: Bool = false, vmFlush: UInt64? = nil, pasidMapping: UInt32? = nil,
    gdsSwitch: GDSAllocation? = nil, userFence: UserFence? = nil, preambleStatus: ContextStatus = []
  ) {
    self.context = context
    self.vmid = vmid
    self.dependencySync = dependencySync
    self.vmFlush = vmFlush
    self.pasidMapping = pasidMapping
    self.gdsSwitch = gdsSwitch
    self.userFence = userFence
    self.preambleStatus = preambleStatus
  }
}

/// A user fence: where and what.
public struct UserFence: Equatable, Sendable {
  public var address: UInt64
  public var sequence: UInt64

  public init(address: UInt64, sequence: UInt64) {
    self.address = address
    self.sequence = sequence
  }
}

/// The compute ring a frame is for, as the frame reads it.
public struct ComputeRingIdentity: Equatable, Sendable {
  public var me: UInt32
  public var pipe: UInt32
  /// The ring's scheduler priority is the high one (`amdgpu_gfx_is_high_priority_compute_queue`:
  /// compute ring 0, when there is more than one): its frames limit the other pipes' waves.
  public var highPriority: Bool
  /// The ring's fence slot (`fence_drv.gpu_addr`).
  public var fenceAddress: UInt64

  public init(me: UInt32, pipe: UInt32, highPriority: Bool, fenceAddress: UInt64) {
    self.me = me
    self.pipe = pipe
    self.highPriority = highPriority
    self.fenceAddress = fenceAddress
  }
}

/// `amdgpu_ib_schedule` on a gfx_v8 compute ring: what the driver emits around the indirect
/// buffers of one submission, in its order, with every input explicit — the frame's dwords can be
/// compared with the kernel's for the same job, IBs, ring and fence state.
///
/// In order: a memory sync when the first IB asks for it; the wave limit on the high-priority
/// ring; with a job, what `amdgpu_vm_flush` emits (pipeline sync, TLB flush, PASID mapping, a
/// fence behind either, GDS switch); the HDP flush; each IB; the HDP invalidate; the job's user
/// fence; the submission's fence (with an interrupt); the wave limit lifted. A VF always syncs
/// the pipeline on a context switch (`amdgpu_sriov_vf && need_ctx_switch`).
public enum SubmissionFrame {
  /// `emit_frame_size` of the gfx_v8 compute ring (the GDS switch, HDP flush and invalidate,
  /// pipeline sync, VM flush, three fences, memory sync, wave limits); `amdgpu_ring_alloc`
  /// asks for it plus `ibDwords` per IB.
  public static let computeFrameDwords = 20 + 7 + 5 + 7 + 3 * 5 + 7 + 7 + 7 + 7 + 7 + 5 + 15
  /// `emit_ib_size` of the compute ring.
  public static let ibDwords = 7

  /// What a frame emitted: the sequence of the fence behind the VM flush or PASID mapping, if
  /// it had one, and the submission's.
  public struct Emitted: Equatable, Sendable {
    public var vmFence: UInt32?
    public var fence: UInt32

    public init(vmFence: UInt32?, fence: UInt32) {
      self.vmFence = vmFence
      self.fence = fence
    }
  }

  /// Emits the frame for `ibs` on `ring` into `sink`. `lastSequence` is the ring's fence
  /// `sync_seq` before it; each fence the frame emits takes the next one. `contextSwitch`:
  /// the job's context differs from the ring's last (`ring->current_ctx != fence_ctx`);
  /// `virtualFunction` is true for a VF. `gdsComputeMaxWaveID` is what an IB asking for it
  /// resets GDS_COMPUTE_MAX_WAVE_ID to (`adev->gds.gds_compute_max_wave_id`).
  public static func compute(
    _ ibs: some Collection<IndirectBuffer>, job: SubmissionJob?, ring: ComputeRingIdentity, lastSequence: UInt32,
    contextSwitch: Bool, virtualFunction: Bool = true, gdsComputeMaxWaveID: UInt32 = 0,
    into sink: inout some PM4Sink
  ) throws(PM4EncodingError) -> Emitted {
    precondition(!ibs.isEmpty, "a submission has at least one IB")
    var sequence = lastSequence
    let pipelineSync = job.map { $0.dependencySync || (virtualFunction && contextSwitch) } ?? false
    if ibs.first!.flags.contains(.emitMemorySync) { try RingPackets.memorySyncCompute(into: &sink) }
    if ring.highPriority { try RingPackets.waveLimit(pipe: ring.pipe, enable: true, into: &sink) }
    let vmFence = try vmFlush(
      job, pipelineSync: pipelineSync, ring: .compute, fenceAddress: ring.fenceAddress, sequence: &sequence,
      into: &sink)
    try RingPackets.hdpFlush(me: ring.me, pipe: ring.pipe, ring: .compute, into: &sink)
    for ib in ibs {
      try RingPackets.indirectBufferCompute(
        ib, vmid: job?.vmid ?? 0, gdsComputeMaxWaveID: gdsComputeMaxWaveID, into: &sink)
    }
    try fences(ibs, job: job, ring: .compute, fenceAddress: ring.fenceAddress, sequence: &sequence, into: &sink)
    if ring.highPriority { try RingPackets.waveLimit(pipe: ring.pipe, enable: false, into: &sink) }
    return Emitted(vmFence: vmFence, fence: sequence)
  }

  /// What `amdgpu_vm_flush` emits for `job` on a ring of type `ring`, if anything: the pipeline
  /// sync, the TLB flush, the PASID mapping, a fence behind either of those two (taking the next
  /// `sequence`, which it returns) and the GDS switch. Nothing unless a pipeline sync, a TLB
  /// flush or a GDS switch is needed: a PASID mapping alone waits for the next job that needs
  /// one of them, as in the kernel.
  static func vmFlush(
    _ job: SubmissionJob?, pipelineSync: Bool, ring: RingType, fenceAddress: UInt64, sequence: inout UInt32,
    into sink: inout some PM4Sink
  ) throws(PM4EncodingError) -> UInt32? {
    guard let job, pipelineSync || job.vmFlush != nil || job.gdsSwitch != nil else { return nil }
    if pipelineSync {
      try RingPackets.pipelineSync(fenceAddress: fenceAddress, sequence: sequence, ring: ring, into: &sink)
    }
    if let pageDirectory = job.vmFlush {
      if ring == .gfx {
        try RingPackets.vmFlushGraphics(vmid: job.vmid, pageDirectory: pageDirectory, into: &sink)
      } else {
        try RingPackets.vmFlush(vmid: job.vmid, pageDirectory: pageDirectory, ring: ring, into: &sink)
      }
    }
    if let pasid = job.pasidMapping {
      try RingPackets.pasidMapping(vmid: job.vmid, pasid: pasid, ring: ring, into: &sink)
    }
    var vmFence: UInt32?
    if job.vmFlush != nil || job.pasidMapping != nil {
      sequence &+= 1
      vmFence = sequence
      try RingPackets.fence(ring, address: fenceAddress, sequence: UInt64(sequence), flags: .interrupt, into: &sink)
    }
    if let gds = job.gdsSwitch { try RingPackets.gdsSwitch(vmid: job.vmid, gds, into: &sink) }
    return vmFence
  }

  /// What every frame ends its IBs with: the HDP invalidate, the job's user fence (all 64 bits,
  /// no interrupt) and the submission's fence (the next `sequence`, with an interrupt), both
  /// with the last IB's write-back-only wish.
  static func fences(
    _ ibs: some Collection<IndirectBuffer>, job: SubmissionJob?, ring: RingType, fenceAddress: UInt64,
    sequence: inout UInt32, into sink: inout some PM4Sink
  ) throws(PM4EncodingError) {
    try RingPackets.invalidateHDP(ring: ring, into: &sink)
    var flags: FenceFlags = []
    for ib in ibs { flags = ib.flags.contains(.writeBackNotInvalidate) ? .writeBackOnly : [] }
    if let userFence = job?.userFence {
      try RingPackets.fence(
        ring, address: userFence.address, sequence: userFence.sequence, flags: flags.union(.write64Bit), into: &sink)
    }
    sequence &+= 1
    try RingPackets.fence(
      ring, address: fenceAddress, sequence: UInt64(sequence), flags: flags.union(.interrupt), into: &sink)
  }

  /// A submission's frame written onto `ring` and committed (write pointer, doorbell), its
  /// fences noted in `fences`: the synchronous heart of `SubmissionRing.submit`, for a driver that
  /// serialises submissions itself. The caller makes sure a fence slot is free
  /// (`FenceDriver.waitForSlot`). Nothing is written when it throws.
  public static func write(
    _ ibs: some Collection<IndirectBuffer>, job: SubmissionJob?, on ring: Ring, identity: ComputeRingIdentity,
    fences: FenceDriver, contextSwitch: Bool
  ) throws(SubmissionError) -> Emitted {
    try write(on: ring, dwords: computeFrameDwords + ibs.count * ibDwords, fences: fences) {
      (sink) throws(PM4EncodingError) in
      try compute(
        ibs, job: job, ring: identity, lastSequence: fences.lastEmitted, contextSwitch: contextSwitch, into: &sink)
    }
  }

  /// Allocates `dwords` on `ring`, lets `emit` write a frame there, notes its fences and commits
  /// it; undoes the allocation when `emit` throws.
  static func write(
    on ring: Ring, dwords: Int, fences: FenceDriver, _ emit: (inout PM4Ring) throws(PM4EncodingError) -> Emitted
  ) throws(SubmissionError) -> Emitted {
    var sink: PM4Ring
    do {
      sink = try ring.allocate(dwords: dwords)
    } catch {
      throw .ring(error)
    }
    let emitted: Emitted
    do {
      emitted = try emit(&sink)
    } catch {
      ring.undo()
      throw .encoding(error)
    }
    fences.emitted(through: emitted.fence)
    ring.commit(sink)
    return emitted
  }

  /// One IB, without a job (`write(_:job:on:identity:fences:contextSwitch:)` for the common case).
  public static func write(_ ib: IndirectBuffer, on ring: Ring, identity: ComputeRingIdentity, fences: FenceDriver)
    throws(SubmissionError) -> Emitted
  {
    try write(CollectionOfOne(ib), job: nil, on: ring, identity: identity, fences: fences, contextSwitch: false)
  }
}
