import MxKIQ
import MxMemory
import MxSubmission
import MxVirtualization

/// Why a life-cycle step failed.
public indirect enum VirtualFunctionError: Error, Equatable, Sendable {
  /// BIF_IOV_FUNC_IDENTIFIER does not say VF.
  case notVirtualFunction(VirtualFunctionIdentity)
  /// The PCI device ID is not one of the chip's.
  case unknownDevice(UInt16)
  case mailbox(MailboxError)
  /// Every attempt at exclusive access went unanswered (the last error is kept).
  case accessNotGranted(AccessPhase, attempts: Int, last: MailboxError)
  case memory(GPUMemoryError)
  case ring(RingError)
  case kiq(KIQError)
  case queueSetup(QueueSetupError)
  /// SCRATCH_REG0 did not change to 0xDEADBEEF within the ring test's time.
  case ringTestFailed(ring: String, read: UInt32)
  /// A ring's IB test failed; the ring takes no work.
  case indirectBufferTestFailed(ring: String, IndirectBufferTestFailure)
  /// Exclusive work ran past its budget and gave the GPU back.
  case exclusiveBudgetExceeded(used: Duration, budget: Duration)
  /// The host reset the VF during exclusive work.
  case resetDuringExclusiveWork
  /// The operation makes no sense in this state.
  case notAllowed(LifeCycleState)
  /// Every attempt failed; the last failure is kept.
  case attemptsExhausted(Int, last: VirtualFunctionError)
}

/// How an IB test failed (`gfx_v8_0_ring_test_ib`).
public enum IndirectBufferTestFailure: Equatable, Sendable {
  /// The IB could not be submitted.
  case submission(SubmissionError)
  /// Its fence did not signal (in time, or at all).
  case fence(FenceError)
  /// The fence signalled, but the slot holds this instead of 0xDEADBEEF.
  case wrongValue(UInt32)
}

extension VirtualFunctionError {
  /// What a block's software init threw while allocating (GPU memory, a ring, a writeback slot),
  /// as the VF reports it.
  static func allocating(_ error: any Error) -> Self {
    switch error {
    case let error as VirtualFunctionError: error
    case let error as GPUMemoryError: .memory(error)
    case let error as RingError: .ring(error)
    default: preconditionFailure("software init allocates and throws nothing else: \(error)")
    }
  }
}
