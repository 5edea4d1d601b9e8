import MxVirtualization

/// Exclusive access: asked for, held for a piece of work, given back — and what happens when a
/// host reset, a failed step or the exclusive budget gets in the way.
extension VirtualFunction {
  /// Requests `phase` access, runs `work`, releases with `releasePhase`. A failure that a new
  /// attempt can cure (a host reset, a failed ring test, the budget run out) is settled — the
  /// reset waited out, or the GPU given back — and the whole is attempted again, up to
  /// `configuration.attempts` times, asking for a reset when the GPU itself failed. A host reset
  /// since the last grant ends a teardown instead: the host has dropped the VF, so once the reset
  /// is over there is nothing left to hand back.
  func exclusively(
    _ phase: AccessPhase, then releasePhase: AccessPhase, _ work: () async throws(VirtualFunctionError) -> Void
  ) async throws(VirtualFunctionError) {
    var phase = phase
    var attempt = 1
    while true {
      do {
        try await acquire(phase)
        try await work()
        try await release(releasePhase)
        return
      } catch {
        if phase == .teardown, error == .resetDuringExclusiveWork {
          await giveBack()
          try await waitOutReset()
          record(.teardownHandshakeSkipped)
          return
        }
        guard error.isCurable, attempt < configuration.attempts else {
          await giveBack()
          throw error.isCurable ? .attemptsExhausted(attempt, last: error) : error
        }
        phase = try await settle(after: error, phase: phase)
        attempt += 1
        record(.recoveryStarted(.failedAttempt(error), attempt: attempt))
      }
    }
  }

  /// Exclusive access, asked for once any host reset under way is over, and again while the host
  /// acknowledges without answering. A teardown after a host reset since the last grant is not
  /// asked for: the host dropped the VF and would not answer.
  private func acquire(_ phase: AccessPhase) async throws(VirtualFunctionError) {
    let policy = configuration.accessRetry
    let started = clock.now
    var attempt = 0
    while true {
      try await waitOutReset()
      if phase == .teardown, await mailbox.resetSinceGrant { throw .resetDuringExclusiveWork }
      attempt += 1
      record(.accessRequested(phase, attempt: attempt))
      do {
        if phase == .reset {
          try await mailbox.requestReset()
        } else {
          try await mailbox.requestFullAccess(phase)
        }
        exclusiveSince = clock.now
        if phase != .teardown { vramLostCounter += 1 }  // GIM loads the VBIOS over VRAM
        record(.accessGranted(phase))
        return
      } catch {
        switch error {
        case .noAcknowledgement, .noReply:
          let elapsed = started.duration(to: clock.now)
          guard attempt < policy.attempts, elapsed + policy.backoff < policy.totalBudget else {
            throw .accessNotGranted(phase, attempts: attempt, last: error)
          }
          try? await clock.sleep(for: policy.backoff)
        case .resetDuringRequest, .resetInProgress:
          throw .resetDuringExclusiveWork
        default:
          throw .mailbox(error)
        }
      }
    }
  }

  /// The release; a host reset since the grant — seen before, during or right after it — undid
  /// the work it would hand over.
  private func release(_ phase: AccessPhase) async throws(VirtualFunctionError) {
    let held = exclusiveTimeHeld ?? .zero
    do {
      try await mailbox.releaseFullAccess(phase)
    } catch {
      switch error {
      case .resetDuringRequest, .resetInProgress, .accessLost: throw .resetDuringExclusiveWork
      default: throw .mailbox(error)
      }
    }
    exclusiveSince = nil
    record(.accessReleased(phase, held: held))
    if await mailbox.resetSinceGrant { throw .resetDuringExclusiveWork }
  }

  /// Between exclusive steps: a host reset or a budget run out ends the work. The mailbox is
  /// polled, not waited on: its interrupts are off until the end of init, and a host reset
  /// takes the interrupt ring they arrive through with it until the IH block's next init.
  func checkpoint() async throws(VirtualFunctionError) {
    await mailbox.pollHostMessage()
    if await mailbox.resetSinceGrant { throw .resetDuringExclusiveWork }
    if let held = exclusiveTimeHeld, held > configuration.exclusiveBudget {
      throw .exclusiveBudgetExceeded(used: held, budget: configuration.exclusiveBudget)
    }
  }

  /// Gets from a failed attempt to where the next can start, and says what it asks for: after
  /// a host reset, init access; when the VF still holds access, it gives it back first (GIM does
  /// not serve a request from the owner) and asks for a reset if the GPU failed.
  private func settle(after error: VirtualFunctionError, phase: AccessPhase) async throws(VirtualFunctionError)
    -> AccessPhase
  {
    try await waitOutReset()
    if error == .resetDuringExclusiveWork { return .initialization }
    guard case .exclusive = await mailbox.state else { return phase }
    await giveBack()
    try? await clock.sleep(for: configuration.accessRetry.backoff)
    return error.gpuFailed && phase != .teardown ? .reset : phase
  }

  /// When giving up: exclusive access still held is released, so that the host does not have to
  /// take it back with a reset.
  private func giveBack() async {
    exclusiveSince = nil
    guard case .exclusive(let held) = await mailbox.state else { return }
    try? await mailbox.releaseFullAccess(held == .teardown ? .teardown : .initialization)
  }

  /// A host reset under way is waited out (noticed by polling, as at a checkpoint).
  func waitOutReset() async throws(VirtualFunctionError) {
    await mailbox.pollHostMessage()
    do {
      try await mailbox.waitOutReset()
    } catch {
      throw .mailbox(error)
    }
  }
}
