import MxLock
import MxMemory

/// Why a fence did not signal.
public enum FenceError: Error, Equatable, Sendable {
  /// It did not signal within the wait's time.
  case timedOut(sequence: UInt32, after: Duration)
  /// A GPU reset took the work before it finished (its ring's work was lost with the VF's
  /// state); the submission was not run to the end.
  case lostToReset(sequence: UInt32)
}

/// What a fence is doing.
public enum FenceStatus: Equatable, Sendable {
  case pending
  case signaled
  case failed(FenceError)
}

/// One ring's fences as `amdgpu_fence.c` keeps them (`struct amdgpu_fence_driver`): 32-bit
/// sequence numbers, the last emitted (`sync_seq`) and the last seen signalled (`last_seq`), the
/// GPU writing each fence's sequence to the ring's fence slot in writeback memory. `process()`
/// is `amdgpu_fence_process` — called from the end-of-pipe interrupt, and by every wait before
/// it sleeps and at least every `fallbackInterval` while it does (the kernel's fallback timer,
/// `AMDGPU_FENCE_JIFFIES_TIMEOUT`, for lost interrupts). Sequences compare in 32-bit wrap-around
/// order, as the kernel's do.
///
/// At most `capacity` fences are outstanding (`num_fences_mask + 1`, twice the ring's
/// submission depth): a new one reuses the slot of the one `capacity` back, which must have
/// signalled first (`amdgpu_fence_emit` waits for it; here `waitForSlot` does, with a timeout).
///
/// Decided, where the kernel trusts the hardware: a value in the fence slot past the last
/// emitted sequence signals nothing (the GPU cannot have finished work it was never given); it
/// is counted in `invalidValues` and the fences it claims stay pending until a wait times out.
/// After a GPU reset (`reset()`), every fence not yet signalled fails with `lostToReset` — the
/// kernel signals them with an error too — and the slot is set to the last emitted sequence
/// (`amdgpu_fence_driver_force_completion`), so numbering goes on.
public final class FenceDriver: Sendable {
  public let name: String
  public let slot: WritebackSlot
  public let capacity: UInt32
  /// How often a waiting fence polls the slot when no interrupt comes (`HZ / 2`).
  public static let fallbackInterval: Duration = .milliseconds(500)

  fileprivate struct State {
    var emitted: UInt32 = 0
    var signaled: UInt32 = 0
    var invalidValues = 0
    /// Sequence ranges (first, last) a reset failed; the newest few.
    var lost: [(first: UInt32, last: UInt32)] = []
    var waiters: [Waiter] = []
    var nextWaiter = 0
  }

  /// A suspended wait. Its continuation is resumed exactly once, by whoever takes it out of the
  /// state under the lock (a signal, a reset, or the wait's cancellation).
  fileprivate struct Waiter {
    var id: Int
    var sequence: UInt32
    var continuation: UnsafeContinuation<FenceStatus, Never>
  }

  private let state = Lock(State())
  private let sleep: @Sendable (Duration) async -> Void

  /// - Parameters:
  ///   - slot: the ring's fence slot; its value is the starting sequence (0 on a new ring).
  ///   - capacity: `num_fences_mask + 1`, a power of two.
  ///   - sleep: the clock's sleep, for timeouts and fallback polls; it returns early when the
  ///     task is cancelled.
  public init(name: String, slot: WritebackSlot, capacity: UInt32, sleep: @escaping @Sendable (Duration) async -> Void)
  {
    precondition(capacity > 0 && capacity & (capacity - 1) == 0, "fence slots come in powers of two")
    self.name = name
    self.slot = slot
    self.capacity = capacity
    self.sleep = sleep
    let start = slot.value
    state.withLock { ($0.emitted, $0.signaled) = (start, start) }
  }

  /// The last sequence emitted (`sync_seq`).
  public var lastEmitted: UInt32 { state.withLock { $0.emitted } }
  /// The last sequence seen signalled (`last_seq`).
  public var lastSignaled: UInt32 { state.withLock { $0.signaled } }
  /// Fences emitted and not yet seen signalled.
  public var outstanding: UInt32 { state.withLock { $0.emitted &- $0.signaled } }
  /// Slot values seen past the last emitted sequence.
  public var invalidValues: Int { state.withLock { $0.invalidValues } }

  /// Notes that the ring now holds fences up to `sequence` (after the frame was written and
  /// committed).
  public func emitted(through sequence: UInt32) {
    state.withLock { $0.emitted = sequence }
  }

  /// `amdgpu_fence_process`: reads the slot and signals every fence up to its value; whether
  /// anything newly signalled.
  @discardableResult
  public func process() -> Bool {
    let value = slot.value
    let (advanced, woken) = state.withLock { state -> (Bool, [UnsafeContinuation<FenceStatus, Never>]) in
      guard value != state.signaled else { return (false, []) }
      guard Self.precedes(state.signaled, value), !Self.precedes(state.emitted, value) else {
        state.invalidValues += 1
        return (false, [])
      }
      state.signaled = value
      return (true, state.takeWaiters { !Self.precedes(value, $0) })
    }
    for waiter in woken { waiter.resume(returning: .signaled) }
    return advanced
  }

  /// A fence's status now, from what was last processed.
  public func status(of sequence: UInt32) -> FenceStatus {
    state.withLock { $0.status(of: sequence) }
  }

  /// Waits until the fence with `sequence` signals or fails, at most `timeout`.
  public func wait(for sequence: UInt32, timeout: Duration) async throws(FenceError) {
    process()
    switch status(of: sequence) {
    case .signaled: return
    case .failed(let error): throw error
    case .pending: break
    }
    let outcome = await withTaskGroup(of: FenceStatus?.self) { group in
      group.addTask { await self.signal(of: sequence) }
      group.addTask { await self.pollUntilTimeout(sequence, timeout: timeout) }
      let first = await group.next() ?? nil
      group.cancelAll()
      return first
    }
    switch outcome {
    case .signaled: return
    case .failed(let error): throw error
    case .pending, nil: throw .timedOut(sequence: sequence, after: timeout)
    }
  }

  /// Waits until the slot the next fence takes is free: the fence `capacity` before it has
  /// signalled (or failed).
  public func waitForSlot(fences count: UInt32 = 1, timeout: Duration) async throws(FenceError) {
    let (emitted, signaled) = state.withLock { ($0.emitted, $0.signaled) }
    guard emitted &- signaled &+ count > capacity else { return }
    let oldest = emitted &+ count &- capacity
    do {
      try await wait(for: oldest, timeout: timeout)
    } catch .lostToReset {
      return  // its slot is free all the same
    }
  }

  /// After a GPU reset: every fence not yet signalled fails with `lostToReset`, and the slot
  /// holds the last emitted sequence again.
  public func reset() {
    let woken = state.withLock { state -> [(UnsafeContinuation<FenceStatus, Never>, UInt32)] in
      if state.emitted != state.signaled {
        state.lost.append((state.signaled &+ 1, state.emitted))
        if state.lost.count > 16 { state.lost.removeFirst() }
      }
      state.signaled = state.emitted
      let waiters = state.waiters.map { ($0.continuation, $0.sequence) }
      state.waiters.removeAll()
      return waiters
    }
    slot.value = lastEmitted
    for (waiter, sequence) in woken { waiter.resume(returning: status(of: sequence)) }
  }

  // MARK: Waiting

  /// The fence's outcome once it has one; nil when the task is cancelled first.
  private func signal(of sequence: UInt32) async -> FenceStatus? {
    let id = state.withLock { state -> Int in
      state.nextWaiter += 1
      return state.nextWaiter
    }
    return await withTaskCancellationHandler {
      await withUnsafeContinuation { (continuation: UnsafeContinuation<FenceStatus, Never>) in
        let now = state.withLock { state -> FenceStatus? in
          let status = state.status(of: sequence)
          guard status == .pending, !Task.isCancelled else { return status }
          state.waiters.append(Waiter(id: id, sequence: sequence, continuation: continuation))
          return nil
        }
        if let now { continuation.resume(returning: now) }
      }
    } onCancel: {
      let waiter = state.withLock { state -> UnsafeContinuation<FenceStatus, Never>? in
        guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return state.waiters.remove(at: index).continuation
      }
      waiter?.resume(returning: .pending)
    }
  }

  /// The fallback: the slot polled every `fallbackInterval` until the fence signals or the time
  /// is up; the status then (pending on timeout, nil when cancelled).
  private func pollUntilTimeout(_ sequence: UInt32, timeout: Duration) async -> FenceStatus? {
    var left = timeout
    while left > .zero {
      let step = min(left, Self.fallbackInterval)
      await sleep(step)
      if Task.isCancelled { return nil }
      left -= step
      process()
      let status = status(of: sequence)
      if status != .pending { return status }
    }
    return .pending
  }

  /// Whether `a` comes before `b` in 32-bit wrap-around order.
  static func precedes(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: b &- a) > 0 }
}

extension FenceDriver.State {
  func status(of sequence: UInt32) -> FenceStatus {
    for range in lost.reversed()
    where !FenceDriver.precedes(sequence, range.first) && !FenceDriver.precedes(range.last, sequence) {
      return .failed(.lostToReset(sequence: sequence))
    }
    return FenceDriver.precedes(signaled, sequence) ? .pending : .signaled
  }

  /// Removes and returns the waiters whose sequence `isDone`.
  mutating func takeWaiters(_ isDone: (UInt32) -> Bool) -> [UnsafeContinuation<FenceStatus, Never>] {
    guard waiters.contains(where: { isDone($0.sequence) }) else { return [] }
    let done = waiters.filter { isDone($0.sequence) }.map(\.continuation)
    waiters.removeAll { isDone($0.sequence) }
    return done
  }
}
