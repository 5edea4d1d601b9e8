import MxCSA
import MxKIQ
import MxPM4

/// The GFX ring a frame is for, as the frame reads it.
public struct GraphicsRingIdentity: Equatable, Sendable {
  /// The ring's fence slot (`fence_drv.gpu_addr`).
  public var fenceAddress: UInt64
  /// The ring's conditional-execution slot (`cond_exe_gpu_addr`): 1 while the ring's work is
  /// wanted.
  public var conditionalExecutionAddress: UInt64
  /// The CSA the CE and DE metadata go to, at its virtual address in every VM.
  public var csa: ContextSaveArea
  public var metadataLayout: CSAMetadataLayout

  public init(
    fenceAddress: UInt64, conditionalExecutionAddress: UInt64, csa: ContextSaveArea, metadataLayout: CSAMetadataLayout
  ) {
    self.fenceAddress = fenceAddress
    self.conditionalExecutionAddress = conditionalExecutionAddress
    self.csa = csa
    self.metadataLayout = metadataLayout
  }
}

/// `amdgpu_ib_schedule` on a VF's gfx_v8 GFX ring.
extension SubmissionFrame {
  /// The GFX ring's `emit_frame_size` (172 dwords, `gfx_v8_0_ring_funcs_gfx`). It counts one DE
  /// metadata, and a second COND_EXEC and a double SWITCH_BUFFER that the 6.1 driver no longer
  /// emits.
  public static let graphicsFrameDwords = 5 + 7 + (3 * 5 + 9) + 12 + 20 + 4 + 5 + 7 + 4 + 14 + 31 + 3 + 5 + 24 + 2 + 5

  /// What an IB takes on the GFX ring, allocated per IB. Kernel quirk, decided: the driver's
  /// `emit_ib_size` is 4 and its frame size counts the DE metadata once, though a VF writes the
  /// metadata before every preemptible IB with a VMID — a job of several such IBs writes past what
  /// it allocated. Here every IB is given room for its metadata (4 + 31); the dwords written are
  /// the kernel's, and only the NOP padding after them can differ.
  public static let graphicsIBDwords = 4 + 31

  /// Emits the frame for `ibs` on the GFX ring `ring` of a VF into `sink`, as
  /// `amdgpu_ib_schedule` does. `lastSequence`, `contextSwitch` as for `compute`.
  ///
  /// In order: a memory sync when the first IB asks for it (SURFACE_SYNC); with a job, what
  /// `amdgpu_vm_flush` emits (the pipeline sync by the PFP, the TLB flush with PFP_SYNC_ME, the
  /// PASID mapping, a fence behind either, the GDS switch) and a COND_EXEC on the ring's
  /// conditional-execution slot over the rest of the frame; the HDP flush; with a job,
  /// `emit_cntxcntl` (the CE metadata into the CSA, on a context switch the VGT flush, then
  /// CONTEXT_CONTROL); each IB, as a VF emits it (`GFXIndirectBuffer`: the DE metadata before a
  /// preemptible IB with a VMID, PRE_ENB); the HDP invalidate; the user fence; the submission's
  /// fence, with an interrupt; the COND_EXEC's count patched; with a VM (a job with a VMID other
  /// than 0 — the kernel refuses a VM job without one), SWITCH_BUFFER.
  ///
  /// A VF never drops a preamble IB (`amdgpu_ib_schedule` keeps them under SR-IOV); a frame for
  /// a GPU that is not a VF is not what this emits.
  public static func graphics(
    _ ibs: some Collection<IndirectBuffer>, job: SubmissionJob?, ring: GraphicsRingIdentity, lastSequence: UInt32,
    contextSwitch: Bool, into sink: inout some PM4PatchableSink
  ) throws(PM4EncodingError) -> Emitted {
    precondition(!ibs.isEmpty, "a submission has at least one IB")
    var sequence = lastSequence
    let pipelineSync = job.map { $0.dependencySync || contextSwitch } ?? false
    if ibs.first!.flags.contains(.emitMemorySync) { try RingPackets.memorySyncGraphics(into: &sink) }
    let vmFence = try vmFlush(
      job, pipelineSync: pipelineSync, ring: .gfx, fenceAddress: ring.fenceAddress, sequence: &sequence, into: &sink)
    let placeholder =
      job == nil
      ? nil : try RingPackets.conditionalExecution(address: ring.conditionalExecutionAddress, into: &sink)
    try RingPackets.hdpFlush(me: 0, pipe: 0, ring: .gfx, into: &sink)
    if let job {
      var status = job.preambleStatus
      if contextSwitch { status.insert(.contextSwitch) }
      try RingPackets.contextControl(status, csa: ring.csa, layout: ring.metadataLayout, into: &sink)
    }
    let vmid = job?.vmid ?? 0
    precondition(vmid < 16, "VI has 16 VMIDs")
    for ib in ibs {
      try GFXIndirectBuffer(
        address: ib.gpuAddress, lengthDwords: ib.lengthDwords, vmid: UInt8(vmid),
        constantEngine: ib.flags.contains(.constantEngine), preemptible: ib.flags.contains(.preempt)
      ).emit(csa: ring.csa, layout: ring.metadataLayout, into: &sink)
    }
    try fences(ibs, job: job, ring: .gfx, fenceAddress: ring.fenceAddress, sequence: &sequence, into: &sink)
    if let placeholder { RingPackets.patchConditionalExecution(at: placeholder, in: &sink) }
    if vmid != 0 { try RingPackets.switchBuffer(into: &sink) }
    return Emitted(vmFence: vmFence, fence: sequence)
  }

  /// A GFX submission's frame written onto `ring` and committed, its fences noted in `fences`
  /// (`write(_:job:on:identity:fences:contextSwitch:)` for the GFX ring). Nothing is written
  /// when it throws.
  public static func write(
    _ ibs: some Collection<IndirectBuffer>, job: SubmissionJob?, on ring: Ring, identity: GraphicsRingIdentity,
    fences: FenceDriver, contextSwitch: Bool
  ) throws(SubmissionError) -> Emitted {
    try write(on: ring, dwords: graphicsFrameDwords + ibs.count * graphicsIBDwords, fences: fences) {
      (sink) throws(PM4EncodingError) in
      try graphics(
        ibs, job: job, ring: identity, lastSequence: fences.lastEmitted, contextSwitch: contextSwitch, into: &sink)
    }
  }
}
