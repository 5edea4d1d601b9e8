import MxCSA
import MxKIQ
import MxLock
import MxMemory
import MxPM4

/// A submission's fence: what its submitter waits on.
public struct Fence: Hashable, Sendable {
  public let driver: FenceDriver
  public let sequence: UInt32

  public init(driver: FenceDriver, sequence: UInt32) {
    self.driver = driver
    self.sequence = sequence
  }

  public static func == (a: Self, b: Self) -> Bool { a.driver === b.driver && a.sequence == b.sequence }
  public func hash(into hasher: inout Hasher) {
    hasher.combine(ObjectIdentifier(driver))
    hasher.combine(sequence)
  }

  /// Its status as last processed (`process()` on its driver looks at the slot again).
  public var status: FenceStatus { driver.status(of: sequence) }

  /// Waits until the work before it is done: returns once it signals, throws `timedOut` after
  /// `timeout`, or `lostToReset` when a GPU reset took the work.
  public func wait(timeout: Duration) async throws(FenceError) {
    try await driver.wait(for: sequence, timeout: timeout)
  }
}

/// Why a submission was not made.
public enum SubmissionError: Error, Equatable, Sendable {
  /// The ring is not ready: not brought up, its ring or IB test failed, or a reset took it
  /// (`sched.ready` false in the driver).
  case ringNotReady(String)
  /// The fences `capacity` back did not signal in time, so no slot was free for this one.
  case fenceSlotBusy(FenceError)
  /// The frame could not be written to the ring.
  case ring(RingError)
  case encoding(PM4EncodingError)
}

/// Which ring a `SubmissionRing` is, and what its frames read of it.
public enum RingIdentity: Equatable, Sendable {
  case compute(ComputeRingIdentity)
  case graphics(GraphicsRingIdentity)
}

/// A kernel ring that takes work — a compute ring (`adev->gfx.compute_ring[i]`) or the GFX ring
/// (`adev->gfx.gfx_ring[0]`) with its fence driver: `submit` writes the frame
/// `SubmissionFrame.compute` or `.graphics` gives for the IBs into the ring, commits it (write
/// pointer and doorbell), and returns the submission's fence; the fence signals when the CP has
/// run the IBs and written it, and the end-of-pipe interrupt (routed by the VF to
/// `fences.process()`) or a wait's own polling notices.
///
/// Submissions are serialised by a lock, as the driver's ring lock serialises them: a frame is a
/// few hundred instructions, and an actor hop on a task executor would cost more than the frame
/// (and a heap allocation). The ring lets at most its fence capacity be outstanding: a
/// submission first waits, without the lock, for the slot its fences take
/// (`FenceDriver.waitForSlot`), up to `slotTimeout`, and looks again under the lock.
public final class SubmissionRing<C: Clock>: Sendable where C.Duration == Duration {
  public let name: String
  /// Where the ring's queue is: ME 0, pipe 0, queue 0 for the GFX ring.
  public let placement: QueuePlacement
  public let identity: RingIdentity
  public let fences: FenceDriver
  /// How long a submission waits for a free fence slot.
  public let slotTimeout: Duration

  private struct State: @unchecked Sendable {
    /// Only ever used under the lock.
    let ring: Ring
    /// Whether the ring takes work (`sched.ready`).
    var isReady = false
    /// The context of the last job (`ring->current_ctx`); nil after a reset.
    var currentContext: UInt64?
  }

  private let state: Lock<State>

  /// A compute ring.
  ///
  /// - Parameters:
  ///   - ring: the ring, which moves into the compute ring.
  ///   - highPriority: compute ring 0 when there are several.
  ///   - submissionDepth: `amdgpu_sched_hw_submission` (2): fences come in twice as many slots.
  ///   - clock: the time for fence waits.
  public convenience init(
    ring: sending Ring, placement: QueuePlacement, highPriority: Bool, submissionDepth: UInt32 = 2, clock: C,
    slotTimeout: Duration = .seconds(10)
  ) {
    let identity = ComputeRingIdentity(
      me: placement.me, pipe: placement.pipe, highPriority: highPriority, fenceAddress: ring.fenceSlot.gpuAddress)
    self.init(
      ring: ring, placement: placement, identity: .compute(identity), submissionDepth: submissionDepth, clock: clock,
      slotTimeout: slotTimeout)
  }

  /// The GFX ring of a VF, whose frames write CE and DE metadata into `csa` in `metadataLayout`.
  public convenience init(
    graphicsRing ring: sending Ring, csa: ContextSaveArea, metadataLayout: CSAMetadataLayout,
    submissionDepth: UInt32 = 2, clock: C, slotTimeout: Duration = .seconds(10)
  ) {
    let identity = GraphicsRingIdentity(
      fenceAddress: ring.fenceSlot.gpuAddress, conditionalExecutionAddress: ring.conditionalExecutionSlot.gpuAddress,
      csa: csa, metadataLayout: metadataLayout)
    self.init(
      ring: ring, placement: QueuePlacement(me: 0, pipe: 0, queue: 0), identity: .graphics(identity),
      submissionDepth: submissionDepth, clock: clock, slotTimeout: slotTimeout)
  }

  private init(
    ring: sending Ring, placement: QueuePlacement, identity: RingIdentity, submissionDepth: UInt32, clock: C,
    slotTimeout: Duration
  ) {
    name = ring.name
    self.placement = placement
    self.identity = identity
    fences = FenceDriver(name: ring.name, slot: ring.fenceSlot, capacity: submissionDepth * 2) { duration in
      try? await clock.sleep(for: duration)
    }
    self.slotTimeout = slotTimeout
    state = Lock(State(ring: ring))
  }

  /// Runs `body` with the ring, between submissions (its MQD's restore, the ring test).
  public func withRing<T, E: Error>(_ body: (Ring) throws(E) -> T) throws(E) -> T {
    try state.withLock { (state) throws(E) -> T in try body(state.ring) }
  }

  /// Whether the ring takes work (`sched.ready`).
  public var isReady: Bool { state.withLock { $0.isReady } }

  /// Marks the ring ready for work, or not (after its tests, or when a reset takes it).
  public func setReady(_ ready: Bool) {
    state.withLock { $0.isReady = ready }
  }

  /// Submits one IB for `job` (nil: kernel work with no job, VMID 0 — what the IB test submits)
  /// and returns the submission's fence.
  public func submit(_ ib: IndirectBuffer, job: SubmissionJob? = nil) async throws(SubmissionError) -> Fence {
    try await submitFrame(job: job) { (ring, contextSwitch) throws(SubmissionError) in
      try write(CollectionOfOne(ib), job: job, on: ring, contextSwitch: contextSwitch)
    }
  }

  /// Submits `ibs` (at least one) for `job`, in one frame.
  public func submit(_ ibs: [IndirectBuffer], job: SubmissionJob? = nil) async throws(SubmissionError) -> Fence {
    precondition(!ibs.isEmpty, "a submission has at least one IB")
    return try await submitFrame(job: job) { (ring, contextSwitch) throws(SubmissionError) in
      try write(ibs, job: job, on: ring, contextSwitch: contextSwitch)
    }
  }

  /// The frame for this ring's kind. Inlined into each `submit`, where the IBs' collection type
  /// is known: called generically, the frame's collection calls box their values on the heap.
  @inline(__always)
  private func write(_ ibs: some Collection<IndirectBuffer>, job: SubmissionJob?, on ring: Ring, contextSwitch: Bool)
    throws(SubmissionError) -> SubmissionFrame.Emitted
  {
    switch identity {
    case .compute(let identity):
      try SubmissionFrame.write(
        ibs, job: job, on: ring, identity: identity, fences: fences, contextSwitch: contextSwitch)
    case .graphics(let identity):
      try SubmissionFrame.write(
        ibs, job: job, on: ring, identity: identity, fences: fences, contextSwitch: contextSwitch)
    }
  }

  /// Waits for the fence slots `job` needs, then `write`s the frame under the lock (given the
  /// ring and whether the job switches context). Not generic over the IBs: each caller's
  /// `write` is specialised for its collection, so no submission allocates.
  private func submitFrame(
    job: SubmissionJob?, _ write: (Ring, Bool) throws(SubmissionError) -> SubmissionFrame.Emitted
  ) async throws(SubmissionError) -> Fence {
    let fenceCount: UInt32 = job.map { $0.vmFlush != nil || $0.pasidMapping != nil } ?? false ? 2 : 1
    let context = job?.context ?? 0
    while true {
      guard isReady else { throw .ringNotReady(name) }
      do {
        try await fences.waitForSlot(fences: fenceCount, timeout: slotTimeout)
      } catch {
        throw .fenceSlotBusy(error)
      }
      let outcome = state.withLock { (state) -> Result<Fence?, SubmissionError> in
        // A reset may have come meanwhile, or another submission taken the slot.
        guard state.isReady else { return .failure(.ringNotReady(name)) }
        guard fences.outstanding + fenceCount <= fences.capacity else { return .success(nil) }
        do throws(SubmissionError) {
          let emitted = try write(state.ring, state.currentContext != context)
          state.currentContext = context
          return .success(Fence(driver: fences, sequence: emitted.fence))
        } catch {
          return .failure(error)
        }
      }
      switch outcome {
      case .success(let fence?): return fence
      case .success(nil): continue
      case .failure(let error): throw error
      }
    }
  }

  /// After a GPU reset took the ring's work: not ready, every outstanding fence failed
  /// (`lostToReset`), the ring started over (`Ring.reset`), the context forgotten.
  public func reset() {
    state.withLock { state in
      state.isReady = false
      fences.reset()
      state.ring.reset()
      state.currentContext = nil
    }
  }
}
