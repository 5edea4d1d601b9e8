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
  /// The host announced a function-level reset while the guest waited for a reply.
  case resetDuringRequest(XgpuViRequest)
  /// FLR_NOTIFICATION_CMPL did not arrive within its timeout.
  case resetNotCompleted
}
