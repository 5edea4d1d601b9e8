import MxKIQ
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

/// A kernel compute ring that takes work (`adev->gfx.compute_ring[i]` with its fence driver):
/// `submit` writes the frame `SubmissionFrame.compute` gives for the IBs into the ring, commits
/// it (write pointer and doorbell), and returns the submission's fence; the fence signals when
/// the CP has run the IBs and written it, and the end-of-pipe interrupt (routed by the VF to
/// `fences.process()`) or a wait's own polling notices.
///
/// Submissions are serialised (an actor, as the driver's scheduler feeds one job at a time to a
/// ring). The ring lets at most its fence capacity be outstanding: a submission first waits for
/// the slot its fences take (`FenceDriver.waitForSlot`), up to `slotTimeout`.
public actor ComputeRing<C: Clock> where C.Duration == Duration {
  public nonisolated let name: String
  public nonisolated let placement: QueuePlacement
  public nonisolated let identity: ComputeRingIdentity
  public nonisolated let fences: FenceDriver
  private let ring: Ring
  /// How long a submission waits for a free fence slot.
  public let slotTimeout: Duration
  /// Whether the ring takes work (`sched.ready`).
  public private(set) var isReady = false
  /// The context of the last job (`ring->current_ctx`); nil after a reset.
  private var currentContext: UInt64?

  /// - Parameters:
  ///   - ring: the ring, which moves into the actor.
  ///   - highPriority: compute ring 0 when there are several.
  ///   - submissionDepth: `amdgpu_sched_hw_submission` (2): fences come in twice as many slots.
  ///   - clock: the time for fence waits.
  public init(
    ring: sending Ring, placement: QueuePlacement, highPriority: Bool, submissionDepth: UInt32 = 2, clock: C,
    slotTimeout: Duration = .seconds(10)
  ) {
    name = ring.name
    self.placement = placement
    identity = ComputeRingIdentity(
      me: placement.me, pipe: placement.pipe, highPriority: highPriority, fenceAddress: ring.fenceSlot.gpuAddress)
    fences = FenceDriver(name: ring.name, slot: ring.fenceSlot, capacity: submissionDepth * 2) { duration in
      try? await clock.sleep(for: duration)
    }
    self.ring = ring
    self.slotTimeout = slotTimeout
  }

  /// Runs `body` with the ring, between submissions (its MQD's restore, the ring test).
  public func withRing<T: Sendable, E: Error>(_ body: @Sendable (Ring) throws(E) -> T) throws(E) -> T {
    try body(ring)
  }

  /// Marks the ring ready for work, or not (after its tests, or when a reset takes it).
  public func setReady(_ ready: Bool) {
    isReady = ready
  }

  /// Submits `ibs` (at least one) for `job` (nil: kernel work with no job, VMID 0 — what the
  /// IB test submits) and returns the submission's fence.
  public func submit(
    _ ibs: some Collection<IndirectBuffer> & Sendable, job: SubmissionJob? = nil
  ) async throws(SubmissionError) -> Fence {
    guard isReady else { throw .ringNotReady(name) }
    let vmFence = job.map { $0.vmFlush != nil || $0.pasidMapping != nil } ?? false
    do {
      try await fences.waitForSlot(fences: vmFence ? 2 : 1, timeout: slotTimeout)
    } catch {
      throw .fenceSlotBusy(error)
    }
    guard isReady else { throw .ringNotReady(name) }  // a reset may have come meanwhile
    var sink: PM4Ring
    do {
      sink = try ring.allocate(dwords: SubmissionFrame.computeFrameDwords + ibs.count * SubmissionFrame.ibDwords)
    } catch {
      throw .ring(error)
    }
    let emitted: SubmissionFrame.Emitted
    do {
      emitted = try SubmissionFrame.compute(
        ibs, job: job, ring: identity, lastSequence: fences.lastEmitted,
        contextSwitch: currentContext != (job?.context ?? 0), into: &sink)
    } catch {
      ring.undo()
      throw .encoding(error)
    }
    currentContext = job?.context ?? 0
    fences.emitted(through: emitted.fence)
    ring.commit(sink)
    return Fence(driver: fences, sequence: emitted.fence)
  }

  /// One IB submitted with no job.
  public func submit(_ ib: IndirectBuffer) async throws(SubmissionError) -> Fence {
    try await submit(CollectionOfOne(ib), job: nil)
  }

  /// After a GPU reset took the ring's work: not ready, every outstanding fence failed
  /// (`lostToReset`), the ring started over (`Ring.reset`), the context forgotten.
  public func reset() {
    isReady = false
    fences.reset()
    ring.reset()
    currentContext = nil
  }
}
