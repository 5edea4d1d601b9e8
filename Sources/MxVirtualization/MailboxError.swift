import MxMailbox

/// Why a mailbox operation failed. Every wait is bounded, so every failure is one of these.
public enum MailboxError: Error, Equatable, Sendable {
  /// BIF_IOV_FUNC_IDENTIFIER says this function is not an SR-IOV virtual function.
  case notVirtualFunction
  /// The operation is not allowed in the current state (releasing what is not held, …).
  case illegalTransition(from: AccessState, operation: MailboxOperation)
  /// The host did not acknowledge the request (TRN_MSG_ACK) within its timeout.
  case noAcknowledgement(XgpuViRequest)
  /// The host acknowledged but did not send the expected event within the timeout; `lastSeen`
  /// is what RCV_DW0 held while RCV_MSG_VALID was set, if anything.
  case noReply(XgpuViRequest, expected: XgpuViEvent, lastSeen: UInt32?)
  /// The host announced a function-level reset before the request (or release) was through, and
  /// the guest did not get what it asked for: a request the reset ended unanswered even when
  /// made again, REQ_GPU_FINI_ACCESS (never answered after a reset), or a release.
  case resetDuringRequest(XgpuViRequest)
  /// The host is resetting the VF (FLR_NOTIFICATION seen, its completion not yet): nothing is
  /// sent until the reset completes.
  case resetInProgress
  /// A release after the host reset the VF: the access it would give back went with the reset.
  case accessLost
  /// FLR_NOTIFICATION_CMPL did not arrive within its timeout.
  case resetNotCompleted
}
