import MxSimulator

/// A fault a scenario injects, by the name `mxgpu-sim --fault` takes.
public enum ScenarioFault: Equatable, Sendable {
  /// The host never acknowledges a request.
  case noAcknowledgement
  /// The host acknowledges and drops the first `count` requests (ack without acceptance).
  case ignoreRequests(Int)
  /// The host acknowledges but never answers READY.
  case noReady
  /// The host resets the VF this long after its first grant (FLR during init).
  case resetDuringInit(Duration)
  /// The host resets VF 0 this long after the bring-up (FLR in runtime).
  case resetInRuntime(Duration)
  /// The host takes the GPU back after this exclusive time instead of 5 s.
  case exclusiveTimeout(Duration)
  /// GIM's liquid scheduler (write pointers must be in the first 256 MiB of VRAM).
  case liquidScheduler
  /// Every VF's CP hangs after this many packets (a reset cures it).
  case cpHang(afterPackets: Int)
  /// Every VF's CP runs rings this long after their doorbell (a reset cures it).
  case cpSlow(Duration)

  /// The names `--fault` takes, with what they mean.
  public static let help = """
    no-ack, ignore-requests[=N] (1), no-ready, flr-during-init[=MS] (2), flr-in-runtime[=MS] (1), \
    exclusive-timeout=MS, liquid, cp-hang[=PACKETS] (1), cp-slow=MS
    """

  /// Parses `name` or `name=value`.
  public init?(_ text: String) {
    let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
    let number = parts.count > 1 ? Int(parts[1]) : nil
    if parts.count > 1 && (number == nil || number! < 0) { return nil }
    switch parts[0] {
    case "no-ack": self = .noAcknowledgement
    case "ignore-requests": self = .ignoreRequests(number ?? 1)
    case "no-ready": self = .noReady
    case "flr-during-init": self = .resetDuringInit(.milliseconds(number ?? 2))
    case "flr-in-runtime": self = .resetInRuntime(.milliseconds(number ?? 1))
    case "exclusive-timeout":
      guard let number else { return nil }
      self = .exclusiveTimeout(.milliseconds(number))
    case "liquid": self = .liquidScheduler
    case "cp-hang": self = .cpHang(afterPackets: number ?? 1)
    case "cp-slow":
      guard let number else { return nil }
      self = .cpSlow(.milliseconds(number))
    default: return nil
    }
  }

  /// Applies the fault to the host's behaviour and the CPs' faults.
  func apply(to behavior: inout HostBehavior, _ cp: inout CommandProcessorSimulation.Faults) {
    switch self {
    case .noAcknowledgement: behavior.faults.append(.noAcknowledgement)
    case .ignoreRequests(let count): behavior.faults.append(.ignoreRequests(count: count))
    case .noReady: behavior.faults.append(.noReady)
    case .resetDuringInit(let delay): behavior.faults.append(.resetAfterGrant(delay))
    case .exclusiveTimeout(let limit): behavior.exclusiveTimeout = limit
    case .liquidScheduler: behavior.scheduler = .liquid
    case .cpHang(let packets): cp.hangAfterPackets = packets
    case .cpSlow(let delay): cp.delay = delay
    case .resetInRuntime: break  // a step of the scenario, not a behaviour
    }
  }
}
