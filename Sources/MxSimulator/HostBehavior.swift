/// How the simulated host (PF) behaves: GIM's timing and rules by default, plus faults to inject.
public struct HostBehavior: Sendable {
  /// From the guest setting TRN_MSG_VALID to the host's ISR acknowledging (TRN_MSG_ACK).
  public var acknowledgeDelay: Duration = .microseconds(20)
  /// From the acknowledgement to the host's answer (READY_TO_ACCESS_GPU) for requests that get one.
  public var replyDelay: Duration = .microseconds(80)
  /// From the guest's RCV_MSG_ACK to the host clearing its message (RCV_MSG_VALID drops).
  public var takeAcknowledgementDelay: Duration = .microseconds(20)
  /// GIM's exclusive-access limit, measured from the host receiving the request (5 s); nil: none.
  public var exclusiveTimeout: Duration? = .seconds(5)
  /// GIM waits this long after FLR_NOTIFICATION before resetting the VF (it does not wait for
  /// the guest) …
  public var resetNotice: Duration = .milliseconds(10)
  /// … and the reset itself takes about this long before FLR_NOTIFICATION_CMPL.
  public var resetDuration: Duration = .milliseconds(100)
  /// A world switch's time slice with several VFs on the run list (level 1, what the mailbox
  /// path assigns: 6 ms).
  public var timeSlice: Duration = .milliseconds(6)
  /// How long the GPU-IOV commands of a world switch take, and GIM's 2 s limit for each.
  public var worldSwitch = WorldSwitchTiming()
  /// How the host picks the next VF; the liquid scheduler also checks where each VF's CP polls
  /// its write pointers when the VF releases init access.
  public var scheduler: Scheduler = .roundRobin
  /// `fb_clear`: whether a VF's VRAM is really cleared when it is freed or reset (GIM's default
  /// is no).
  public var clearsFrameBuffer = false
  /// Misbehaviour to inject towards every VF (each VF counts its own: `.ignoreRequests(count: 1)`
  /// drops each VF's first request).
  public var faults: [HostFault] = []
  /// Misbehaviour towards one VF only, by VF index, on top of `faults`.
  public var faultsByFunction: [Int: [HostFault]] = [:]

  /// Every fault VF `vf` sees: those towards every VF, then its own.
  public func faults(of vf: Int) -> [HostFault] { faults + (faultsByFunction[vf] ?? []) }

  /// GIM's exclusive-access limit for VF `vf`: `exclusiveTimeout`, unless a fault it sees
  /// (`.exclusiveTimeout`) changes it.
  public func exclusiveTimeout(of vf: Int) -> Duration? {
    for case .exclusiveTimeout(let limit) in faults(of: vf) { return limit }
    return exclusiveTimeout
  }

  /// GIM's `sched_option`.
  public enum Scheduler: Equatable, Sendable {
    /// Round-robin "solid" (0, the default) or predictable performance (1).
    case roundRobin
    /// Round-robin "liquid" (2).
    case liquid
  }

  public init(faults: [HostFault] = []) {
    self.faults = faults
  }

  /// GIM's timing with a host that answers within 100 µs.
  public static let gim = HostBehavior()
}

/// A way the host can deviate from a clean handshake.
public enum HostFault: Equatable, Sendable {
  /// The host never acknowledges a request (TRN_MSG_ACK stays 0).
  case noAcknowledgement
  /// The host acknowledges only after this long.
  case lateAcknowledgement(Duration)
  /// The host acknowledges but never answers READY_TO_ACCESS_GPU.
  case noReady
  /// The host answers with this event instead of READY_TO_ACCESS_GPU.
  case wrongEvent(UInt32)
  /// Instead of answering, the host resets the VF: FLR_NOTIFICATION, then CMPL without VALID.
  case resetDuringHandshake
  /// At this time the host raises RCV_MSG_VALID with an empty buffer, for no request.
  case spuriousValid(at: Duration)
  /// The host acknowledges every request and answers each with this value.
  case garbage(UInt32)
  /// The host acknowledges the VF's first `count` requests and drops them, as GIM drops requests
  /// it will not serve (host mismatch 4).
  case ignoreRequests(count: Int)
  /// `delay` after each of the VF's first `count` grants, the host resets it (FLR during
  /// exclusive work: a world-switch failure, the monitor's "flr").
  case resetAfterGrant(Duration, count: Int = 1)
  /// The host takes the GPU back after this much exclusive time instead of
  /// `HostBehavior.exclusiveTimeout`.
  case exclusiveTimeout(Duration)
}
