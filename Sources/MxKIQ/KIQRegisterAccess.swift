import MxMemory
import MxPM4

/// How long the driver waits for a KIQ register access (`amdgpu.h`): each poll of the fence lasts
/// `MAX_KIQ_REG_WAIT` (5,000 µs) in 5 µs steps; after a failed poll it sleeps
/// `MAX_KIQ_REG_BAILOUT_INTERVAL` (5 ms) and polls again, up to `MAX_KIQ_REG_TRY` (1,000) times —
/// about 10 s in all.
public struct KIQAccessBudget: Equatable, Sendable {
  public var pollStep: Duration
  public var pollBudget: Duration
  public var retryInterval: Duration
  public var retries: Int
  /// How many fences may be unsignalled when a new one is emitted: the KIQ ring's
  /// `num_fences_mask` (`num_hw_submission` × 2 − 1 = 511). An access that timed out leaves its
  /// fence behind; `amdgpu_fence_emit_polling` first polls (one poll budget) for the fence this
  /// many back, and fails the access when it has not signalled.
  public var outstandingFences: UInt32

  public init(
    pollStep: Duration, pollBudget: Duration, retryInterval: Duration, retries: Int, outstandingFences: UInt32 = 511
  ) {
    self.pollStep = pollStep
    self.pollBudget = pollBudget
    self.retryInterval = retryInterval
    self.retries = retries
    self.outstandingFences = outstandingFences
  }

  public static let driver = KIQAccessBudget(
    pollStep: .microseconds(5), pollBudget: .microseconds(5000), retryInterval: .milliseconds(5), retries: 1000,
    outstandingFences: 511)
}

/// Where an access is made from: the driver gives up after the first poll in a GPU reset or in
/// interrupt context, where it cannot sleep.
public enum KIQAccessContext: Sendable {
  case normal
  case inReset
  case interrupt
}

/// Why a register could not be accessed through the KIQ.
public enum KIQAccessError: Error, Equatable, Sendable {
  /// The fence did not signal within the budget (`polls` polls made).
  case timedOut(register: UInt32, polls: Int)
  /// The fence holds a value the driver never emitted (`emitted` is the last one it did).
  case invalidFence(value: UInt32, emitted: UInt32)
  /// `KIQAccessBudget.outstandingFences` fences are still unsignalled (the CP stopped long ago);
  /// nothing was put on the ring.
  case tooManyOutstanding(emitted: UInt32, signaled: UInt32)
  /// The work could not be put on the KIQ ring.
  case ring(RingError)
  case encoding(PM4EncodingError)
}

/// Register reads and writes carried out by the command processor on the KIQ ring
/// (`amdgpu_kiq_rreg` / `amdgpu_kiq_wreg`, facts 3.11–3.12): how a VF in runtime mode reaches most
/// registers. A read is COPY_DATA of the register into a writeback dword followed by a fence; a
/// write is WRITE_DATA followed by a fence; then the fence is polled with the driver's budget.
///
/// Kernel quirk 9, decided: a read that fails returns 0xFFFFFFFF in the kernel — the same as a
/// register holding all ones. Here it is `KIQAccessError`, never a value. The fence value the
/// device reports is checked: one ahead of what was emitted is `invalidFence`, not success.
/// Timed-out accesses leave their fences outstanding; as in the driver, a new access is refused
/// (`tooManyOutstanding`) while the fence `budget.outstandingFences` back has not signalled.
///
/// The driver takes a writeback slot per read and frees it after; accesses here are serialised
/// (this is an actor, as the driver holds `kiq->ring_lock`), so one slot, taken once, serves every
/// read. Time comes from `clock`, so tests run the ten-second budget in virtual time.
public actor KIQRegisterAccess<C: Clock> where C.Duration == Duration {
  private let ring: Ring
  private let readSlot: WritebackSlot
  private let clock: C
  public let budget: KIQAccessBudget
  /// The last fence sequence emitted (`sync_seq`).
  public private(set) var sequence: UInt64 = 0

  public init(ring: sending Ring, readSlot: WritebackSlot, clock: C, budget: KIQAccessBudget = .driver) {
    self.ring = ring
    self.readSlot = readSlot
    self.clock = clock
    self.budget = budget
  }

  /// Runs `body` with the KIQ's ring on this actor, between accesses: the exclusive-mode work
  /// that shares the ring with register access (MAP_QUEUES, the ring test, the reset path).
  public func withRing<T: Sendable, E: Error>(_ body: @Sendable (Ring) throws(E) -> T) throws(E) -> T {
    try body(ring)
  }

  /// After a GPU reset, the fence slot gets the last sequence emitted
  /// (`amdgpu_fence_driver_force_completion`): accesses that were in flight count as done, and
  /// a writeback lost with VRAM does not read as a garbage fence.
  public func forceCompletion() {
    ring.fenceSlot.value = UInt32(truncatingIfNeeded: sequence)
  }

  /// The register's value as the CP read it.
  public func read(_ offset: UInt32, context: KIQAccessContext = .normal) async throws(KIQAccessError) -> UInt32 {
    let slot = readSlot
    try await submit(register: offset, context: context) { sink throws(PM4EncodingError) in
      try KIQPackets.readRegister(offset, to: slot.gpuAddress, into: &sink)
    }
    return readSlot.value
  }

  /// Writes the register through the CP.
  public func write(_ value: UInt32, at offset: UInt32, context: KIQAccessContext = .normal)
    async throws(KIQAccessError)
  {
    try await submit(register: offset, context: context) { sink throws(PM4EncodingError) in
      try KIQPackets.writeRegister(offset, value, into: &sink)
    }
  }

  /// Puts the access and a fence on the ring (32 dwords asked, as the driver does), commits, and
  /// waits for the fence.
  private func submit(
    register: UInt32, context: KIQAccessContext, _ emit: (inout PM4Ring) throws(PM4EncodingError) -> Void
  ) async throws(KIQAccessError) {
    let next = sequence &+ 1
    // Made for every access, as the driver makes it: while fewer fences were emitted, the one
    // this many back wraps to "long signalled" and the poll ends after its first read and step.
    let oldest = UInt32(truncatingIfNeeded: next) &- budget.outstandingFences
    guard try await poll(oldest) else {
      throw .tooManyOutstanding(emitted: UInt32(truncatingIfNeeded: sequence), signaled: ring.fenceSlot.value)
    }
    var sink: PM4Ring
    do {
      sink = try ring.allocate(dwords: 32)
    } catch {
      throw .ring(error)
    }
    do {
      try emit(&sink)
      try KIQPackets.fence(at: ring.fenceSlot.gpuAddress, sequence: next, into: &sink)
    } catch {
      ring.undo()
      throw .encoding(error)
    }
    sequence = next
    ring.commit(sink)
    try await waitForFence(UInt32(truncatingIfNeeded: next), register: register, context: context)
  }

  /// `amdgpu_fence_wait_polling`, then the driver's retries.
  private func waitForFence(_ expected: UInt32, register: UInt32, context: KIQAccessContext)
    async throws(KIQAccessError)
  {
    if try await poll(expected) { return }
    guard context == .normal else { throw .timedOut(register: register, polls: 1) }
    for _ in 0..<budget.retries {
      try? await clock.sleep(for: budget.retryInterval)
      if try await poll(expected) { return }
    }
    throw .timedOut(register: register, polls: budget.retries + 1)
  }

  /// One poll of the fence slot, as `amdgpu_fence_wait_polling` makes it: read the fence, wait a
  /// step, and again while it is short of `expected` and budget remains; whether it signalled
  /// within the budget. A value past the last emitted sequence is refused (compared in 32-bit
  /// wrap-around order).
  ///
  /// Kernel parity, decided: the step is waited after every read, the one that finds the fence
  /// signalled too — so an access takes at least two steps (this poll and the one for the fence
  /// `outstandingFences` back), 10 µs with the driver's budget, as in the kernel — and a fence
  /// first seen on the read that spends the last of the budget counts as not signalled, as the
  /// kernel's remaining-time result of 0 does; the retry after `retryInterval` then finds it.
  private func poll(_ expected: UInt32) async throws(KIQAccessError) -> Bool {
    let emitted = UInt32(truncatingIfNeeded: sequence)
    var remaining = budget.pollBudget
    var signalled: Bool
    repeat {
      let value = ring.fenceSlot.value
      guard Int32(bitPattern: emitted &- value) >= 0 else { throw .invalidFence(value: value, emitted: emitted) }
      signalled = Int32(bitPattern: value &- expected) >= 0
      try? await clock.sleep(for: budget.pollStep)
      remaining -= budget.pollStep
    } while !signalled && remaining > .zero
    return remaining > .zero
  }
}
