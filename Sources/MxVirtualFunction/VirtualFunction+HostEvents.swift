import MxVirtualization

/// What the host does outside the VF's operations: resets announced and completed, messages the
/// VF did not ask for.
extension VirtualFunction {
  func startMonitor() {
    guard monitor == nil else { return }
    let mailbox = self.mailbox
    monitor = Task(executorPreference: mailbox.taskExecutor) { [weak self] in
      for await event in mailbox.events {
        guard let self else { return }
        await self.hostEvent(event)
      }
    }
  }

  /// A host reset outside any operation: the VF stops claiming runtime at once and, when the
  /// reset is over, recovers as the next operation (so that a teardown or suspend asked for
  /// meanwhile skips the rebuild). During an operation, the operation handles it itself.
  private func hostEvent(_ event: MailboxEvent) async {
    switch event {
    case .resetAnnounced:
      record(.resetAnnounced)
      if !operationRunning && state == .runtime { state = .recovering }
    case .resetCompleted:
      record(.resetCompleted)
      startRecoveryIfNeeded()
    case .resetTimedOut:
      record(.failed(.mailbox(.resetNotCompleted)))
      startRecoveryIfNeeded()
    case .unexpectedMessage(let message):
      record(.unexpectedMessage(message))
    }
  }

  private func startRecoveryIfNeeded() {
    Task(executorPreference: mailbox.taskExecutor) { [weak self] in await self?.recoverAfterHostReset() }
  }

  /// Recovers when, by the time it runs, the VF's work is gone to a host reset since its last
  /// grant — or it had failed (once detected): a host reset is a fresh start. The decision rests
  /// on the mailbox's reset count, not on the order events arrive in, so an event an operation
  /// already dealt with changes nothing.
  private func recoverAfterHostReset() async {
    await beginOperation()
    defer { endOperation() }
    let lost = await mailbox.resetSinceGrant
    switch state {
    case .runtime where lost, .recovering where lost, .failed where detected && lost:
      try? await recover(.hostReset)
    case .recovering:
      enterRuntime()  // announced, but the grant is current: an operation already recovered
    default:
      return
    }
  }
}
