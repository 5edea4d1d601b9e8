import MxMailbox

/// What the guest holds, as the VI driver's RUNTIME flag and request/release pairs describe it.
public enum AccessState: Equatable, Sendable {
  /// No exclusive access and not yet (or no longer) initialised: before the first
  /// REQ_GPU_INIT_ACCESS, after REL_GPU_FINI_ACCESS, or after a host reset.
  case idle
  /// Exclusive ("full") access: the VF may program any register directly by MMIO.
  case exclusive(AccessPhase)
  /// Time-sliced with other VFs: ordinary register access goes through the KIQ.
  case runtime
  /// The host announced a function-level reset (FLR_NOTIFICATION) and has not reported
  /// completion yet: nothing may touch the hardware.
  case resetting
}

/// Why exclusive access is held.
public enum AccessPhase: Equatable, Sendable {
  /// Initialisation or resume (REQ/REL_GPU_INIT_ACCESS).
  case initialization
  /// Unload or suspend (REQ/REL_GPU_FINI_ACCESS).
  case teardown
  /// After a guest-requested reset (REQ_GPU_RESET_ACCESS); released with REL_GPU_INIT_ACCESS.
  case reset
}

/// A mailbox operation, for errors that refuse one.
public enum MailboxOperation: Equatable, Sendable {
  case requestFullAccess(AccessPhase)
  case releaseFullAccess(AccessPhase)
  case requestReset
}

extension AccessState {
  /// The state an operation leads to, or nil when it is not allowed from this state.
  func after(_ operation: MailboxOperation) -> AccessState? {
    switch (self, operation) {
    case (.idle, .requestFullAccess(.initialization)), (.runtime, .requestFullAccess(.initialization)):
      return .exclusive(.initialization)
    case (.runtime, .requestFullAccess(.teardown)):
      return .exclusive(.teardown)
    case (.runtime, .requestReset), (.exclusive, .requestReset), (.idle, .requestReset):
      return .exclusive(.reset)
    case (.exclusive(.initialization), .releaseFullAccess(.initialization)),
      (.exclusive(.reset), .releaseFullAccess(.initialization)):
      return .runtime
    case (.exclusive(.teardown), .releaseFullAccess(.teardown)):
      return .idle
    default:
      return nil
    }
  }
}

extension MailboxOperation {
  /// The message the operation sends.
  var message: XgpuViRequest {
    switch self {
    case .requestFullAccess(let phase): phase.request
    case .releaseFullAccess(let phase): phase.release
    case .requestReset: .IDH_REQ_GPU_RESET_ACCESS
    }
  }
}

extension AccessPhase {
  var request: XgpuViRequest {
    switch self {
    case .initialization: .IDH_REQ_GPU_INIT_ACCESS
    case .teardown: .IDH_REQ_GPU_FINI_ACCESS
    case .reset: .IDH_REQ_GPU_RESET_ACCESS
    }
  }

  var release: XgpuViRequest {
    switch self {
    case .initialization, .reset: .IDH_REL_GPU_INIT_ACCESS
    case .teardown: .IDH_REL_GPU_FINI_ACCESS
    }
  }
}
