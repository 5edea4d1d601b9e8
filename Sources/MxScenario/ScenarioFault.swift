import MxSimulator

/// A fault a scenario injects: what goes wrong, and on which VF — every VF when none is named.
/// `mxgpu-sim --fault` takes it as `NAME[=VALUE][@vfN]`.
public struct ScenarioFault: Equatable, Sendable {
  /// What goes wrong.
  public enum Kind: Equatable, Sendable {
    /// The host never acknowledges a request.
    case noAcknowledgement
    /// The host acknowledges and drops the VF's first `count` requests (ack without acceptance).
    case ignoreRequests(Int)
    /// The host acknowledges but never answers READY.
    case noReady
    /// The host resets the VF this long after its first grant (FLR during init).
    case resetDuringInit(Duration)
    /// The host resets the VF this long after the bring-up (FLR in runtime).
    case resetInRuntime(Duration)
    /// The host takes the GPU back after this exclusive time instead of 5 s.
    case exclusiveTimeout(Duration)
    /// GIM's liquid scheduler (write pointers must be in the first 256 MiB of VRAM). A setting of
    /// the host's, so it cannot be aimed at one VF.
    case liquidScheduler
    /// The VF's CP hangs after this many packets (a reset cures it).
    case cpHang(afterPackets: Int)
    /// The VF's CP hangs after this many packets and stays hung through resets: no recovery
    /// brings the VF back (for looking at a hung CP's rings afterwards).
    case cpDead(afterPackets: Int)
    /// The VF's CP runs rings this long after their doorbell (a reset cures it).
    case cpSlow(Duration)
  }

  public var kind: Kind
  /// The VF the fault is aimed at; nil: every VF.
  public var vf: Int?

  /// `kind` on VF `vf`, or on every VF.
  public init(_ kind: Kind, on vf: Int? = nil) {
    self.kind = kind
    self.vf = vf
  }

  /// The names `--fault` takes, with their defaults.
  public static let help = """
    no-ack, ignore-requests[=N] (1), no-ready, flr-during-init[=MS] (2), flr-in-runtime[=MS] (1), \
    exclusive-timeout=MS, liquid, cp-hang[=PACKETS] (1), cp-dead[=PACKETS] (1: hung through resets), cp-slow=MS; \
    each but liquid aimed at one VF with @vfN (cp-hang=3@vf2), at every VF without
    """

  /// Parses `NAME[=VALUE][@vfN]`.
  public init(_ text: String) throws(ScenarioSyntaxError) {
    let (body, vf) = try ScenarioSyntaxError.splitTarget(text, what: "fault")
    let parts = body.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
    let number = parts.count > 1 ? Int(parts[1]) : nil
    if parts.count > 1 && (number ?? -1) < 0 {
      throw ScenarioSyntaxError("fault '\(text)': '\(parts[1])' is not a whole number of 0 or more")
    }
    func required() throws(ScenarioSyntaxError) -> Int {
      guard let number else { throw ScenarioSyntaxError("fault '\(text)': \(parts[0]) needs a value (\(parts[0])=MS)") }
      return number
    }
    let kind: Kind
    switch parts[0] {
    case "no-ack": kind = .noAcknowledgement
    case "ignore-requests": kind = .ignoreRequests(number ?? 1)
    case "no-ready": kind = .noReady
    case "flr-during-init": kind = .resetDuringInit(.milliseconds(number ?? 2))
    case "flr-in-runtime": kind = .resetInRuntime(.milliseconds(number ?? 1))
    case "exclusive-timeout": kind = .exclusiveTimeout(.milliseconds(try required()))
    case "liquid": kind = .liquidScheduler
    case "cp-hang": kind = .cpHang(afterPackets: number ?? 1)
    case "cp-dead": kind = .cpDead(afterPackets: number ?? 1)
    case "cp-slow": kind = .cpSlow(.milliseconds(try required()))
    default: throw ScenarioSyntaxError("unknown fault '\(text)'")
    }
    if kind == .liquidScheduler && vf != nil {
      throw ScenarioSyntaxError("fault '\(text)': liquid is the host's scheduler and cannot be aimed at one VF")
    }
    self.init(kind, on: vf)
  }

  /// Whether the fault reaches VF `index`.
  func aims(at index: Int) -> Bool { vf.map { $0 == index } ?? true }

  /// The host's fault, if the fault is one.
  var hostFault: HostFault? {
    switch kind {
    case .noAcknowledgement: .noAcknowledgement
    case .ignoreRequests(let count): .ignoreRequests(count: count)
    case .noReady: .noReady
    case .resetDuringInit(let delay): .resetAfterGrant(delay)
    case .exclusiveTimeout(let limit): .exclusiveTimeout(limit)
    case .liquidScheduler, .cpHang, .cpDead, .cpSlow, .resetInRuntime: nil
    }
  }

  /// Applies the fault to the host's behaviour (towards its VF or every VF).
  func apply(to behavior: inout HostBehavior) {
    if kind == .liquidScheduler { behavior.scheduler = .liquid }
    guard let fault = hostFault else { return }
    if let vf {
      behavior.faultsByFunction[vf, default: []].append(fault)
    } else {
      behavior.faults.append(fault)
    }
  }

  /// Applies the fault to the faults of VF `index`'s CP, if it aims there.
  func apply(to faults: inout CommandProcessorSimulation.Faults, of index: Int) {
    guard aims(at: index) else { return }
    switch kind {
    case .cpHang(let packets): faults.hangAfterPackets = packets
    case .cpDead(let packets): (faults.hangAfterPackets, faults.persistAcrossReset) = (packets, true)
    case .cpSlow(let delay): faults.delay = delay
    default: break
    }
  }
}

/// A fault or step `mxgpu-sim` could not read, or a scenario that names a VF it does not have.
public struct ScenarioSyntaxError: Error, Equatable, CustomStringConvertible {
  public var description: String

  init(_ description: String) { self.description = description }

  /// `NAME…@vfN` into its name part and N; no `@`: nil, every VF.
  static func splitTarget(_ text: String, what: String) throws(ScenarioSyntaxError) -> (String, Int?) {
    guard let at = text.lastIndex(of: "@") else { return (text, nil) }
    let target = text[text.index(after: at)...]
    guard target.hasPrefix("vf"), let vf = Int(target.dropFirst(2)), vf >= 0 else {
      throw ScenarioSyntaxError("\(what) '\(text)': '@\(target)' names no VF (write @vf0 … @vf15)")
    }
    return (String(text[..<at]), vf)
  }
}
