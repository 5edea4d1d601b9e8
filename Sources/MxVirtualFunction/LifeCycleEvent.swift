import MxCSA
import MxKIQ
import MxVirtualization

/// What a `VirtualFunction` is doing.
public enum LifeCycleState: Equatable, Sendable {
  /// Not brought up, or torn down.
  case off
  /// Bring-up or resume: exclusive work until the release.
  case initializing
  /// Time-sliced; register access goes through the KIQ.
  case runtime
  /// Rebuilding after a host reset or a hang, or — with no operation running — a host reset
  /// announced whose recovery is about to start.
  case recovering
  /// Suspended: the host freed the VF; `resume()` brings it back.
  case suspended
  /// Bring-up or recovery gave up; only `tearDown()` is left.
  case failed
}

/// Why recovery runs.
public enum RecoveryCause: Equatable, Sendable {
  /// The host reset the VF (FLR_NOTIFICATION, then completion).
  case hostReset
  /// The guest found the GPU hung and asked for a reset (REQ_GPU_RESET_ACCESS).
  case hang
  /// A failed attempt of bring-up or recovery, tried again.
  case failedAttempt(VirtualFunctionError)
}

/// One step of the life cycle, as it happened.
public enum LifeCycleEvent: Equatable, Sendable {
  /// BIF_IOV_FUNC_IDENTIFIER (and the PCI ID, when given) said this is a VF of the chip.
  case detected(VirtualFunctionIdentity, chip: VIChip)
  case accessRequested(AccessPhase, attempt: Int)
  case accessGranted(AccessPhase)
  case goldenRegistersApplied(writes: Int)
  /// The CSA is allocated (first time) or cleared (after VRAM was lost) at this address.
  case contextSaveAreaReady(virtualAddress: UInt64, layout: CSAMetadataLayout)
  /// The interrupt ring is programmed and on, at this GPU address.
  case interruptRingReady(gpuAddress: UInt64)
  /// The KIQ is running: from a fresh MQD, or from its backup.
  case kiqReady(restored: Bool)
  case computeQueuesMapped(count: Int, queueMask: UInt64)
  case ringTestsPassed(rings: Int)
  /// The IB tests passed on this many compute rings (the others failed and take no work).
  case indirectBufferTestsPassed(rings: Int)
  /// The GFX ring is programmed, its engines started, its clear-state preamble (this many
  /// dwords) sent and its ring test passed.
  case graphicsRingReady(clearStateDwords: Int)
  case graphicsIndirectBufferTestPassed
  case interruptsEnabled
  /// Exclusive access given back, after holding it this long.
  case accessReleased(AccessPhase, held: Duration)
  case runtime
  case resetAnnounced
  case resetCompleted
  case recoveryStarted(RecoveryCause, attempt: Int)
  case recovered
  case computeQueuesUnmapped(count: Int)
  /// The host reset the VF during suspend or teardown, which drops it from the host's run list:
  /// there is nothing left to hand back (GIM would not answer REQ_GPU_FINI_ACCESS), so the
  /// handshake is left out and the step finishes here.
  case teardownHandshakeSkipped
  case suspended
  case tornDown
  /// A host message the VF did not expect.
  case unexpectedMessage(UInt32)
  case failed(VirtualFunctionError)
}

/// A life-cycle event with the time it happened, from when the `VirtualFunction` was made.
public struct LifeCycleRecord: Equatable, Sendable {
  public var time: Duration
  public var event: LifeCycleEvent
}
