import MxInterruptSources

/// Constants of the VI mailbox that are not properties of one message.
public struct MailboxConfiguration: Sendable {
  /// IH source of "host message valid" (VISLANDS30_IV_SRCID_BIF_PF_VF_MSGBUF_VALID), client 0.
  public var receiveInterruptSource = Vislands30InterruptSource.BIF_PF_VF_MSGBUF_VALID.sourceID
  /// IH source of "host acknowledged" (VISLANDS30_IV_SRCID_BIF_VF_PF_MSGBUF_ACK), client 0.
  public var acknowledgeInterruptSource = Vislands30InterruptSource.BIF_VF_PF_MSGBUF_ACK.sourceID
  /// After acknowledging an event the guest polls for RCV_MSG_VALID to drop: 1 ms steps,
  /// 12 s in all (xgpu_vi_mailbox_send_ack).
  public var acknowledgeClearPoll: Duration = .milliseconds(1)
  public var acknowledgeClearTimeout: Duration = .milliseconds(12000)
  /// The same poll step when interrupts are on. No interrupt tells the guest that the host took
  /// its acknowledgement, and GIM takes it in its ISR within microseconds, so a 1 ms step would
  /// dominate an interrupt-driven handshake; with interrupts off the kernel's step is kept.
  public var acknowledgeClearPollWithInterrupts: Duration = .microseconds(25)
  /// The least time between a release and the next request. GIM keeps one waiting message per
  /// VF and a new one overwrites it: a request sent before the host's work queue took the
  /// release would erase the release, leave the VF the owner, and wait behind itself until the
  /// exclusive limit resets it. GIM's work queue runs within microseconds; 10 ms is ample.
  public var spacingAfterRelease: Duration = .milliseconds(10)
  /// Used for messages whose spec gives no timeout or poll interval (VI_MAILBOX_TIMEDOUT, mdelay(5)).
  public var defaultTimeout: Duration = .milliseconds(12000)
  public var defaultPoll: Duration = .milliseconds(5)

  public init() {}
}

/// What the mailbox tells its owner about the host, outside of request/reply.
public enum MailboxEvent: Equatable, Sendable {
  /// The host announced a function-level reset (FLR_NOTIFICATION, acknowledged).
  case resetAnnounced
  /// The host reported the reset done (FLR_NOTIFICATION_CMPL): the VF must request
  /// initialisation access again.
  case resetCompleted
  /// FLR_NOTIFICATION_CMPL did not come within its timeout.
  case resetTimedOut
  /// RCV_MSG_VALID was raised with something the guest does not expect (a spurious or unknown event).
  case unexpectedMessage(UInt32)
}

/// Counters of things that are not errors but that a driver author wants to see.
public struct MailboxStatistics: Equatable, Sendable {
  /// Times RCV_MSG_VALID stayed set after the guest acknowledged an event (the kernel only logs it).
  public var validNotCleared = 0
  /// Valid host messages that were neither the awaited event nor part of a reset (spurious
  /// VALID, wrong or unknown events); each is acknowledged.
  public var unexpectedMessages = 0
  /// Requests made once more because a host reset ended them unanswered.
  public var requestsRepeated = 0
  /// Requests asked again after going unanswered, behind a release that runs the host's work.
  public var requestsKicked = 0
}
