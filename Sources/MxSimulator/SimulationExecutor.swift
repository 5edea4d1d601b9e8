import Foundation

/// Runs a simulation's tasks on one thread of its own and moves virtual time only when none of
/// them can run: a discrete-event simulation under async/await. Work that takes no virtual time
/// (MMIO, actor hops) is never overtaken by a sleeper elsewhere jumping the clock, so several
/// guests on one host see exactly the timing the host's rules give them, and every run is the
/// same.
///
/// Tasks run here when they prefer this executor (`SimulatedGPU.run`, `Task(executorPreference:)`,
/// or the `taskExecutor` of a guest's `VirtualFunction`); default actors called from them run
/// here too. When no job is ready, the executor asks the host to advance to its next event or
/// sleeper; with no sleeper, it waits for work.
public final class SimulationExecutor: TaskExecutor, @unchecked Sendable {
  // Guarded by `condition`.
  private var jobs: [UnownedJob] = []
  /// The loop's own batch: it takes turns with `jobs`, so that running jobs allocates nothing.
  private var batch: [UnownedJob] = []
  private var stopped = false
  /// Set by `wake`: time may have something to do, even if `advance` just said no.
  private var woken = false
  private let condition = NSCondition()
  private let advance: @Sendable () -> Bool

  /// - Parameter advance: moves virtual time to the next thing that happens; false when nothing
  ///   waits on time.
  init(advance: @escaping @Sendable () -> Bool) {
    self.advance = advance
    let thread = Thread { [self] in loop() }
    thread.name = "MxSimulator"
    thread.stackSize = 4 << 20
    thread.start()
  }

  public func enqueue(_ job: consuming ExecutorJob) {
    condition.lock()
    if stopped {
      // The simulation has ended; what is left of its tasks (a cancelled monitor, a wait that
      // now ends at once) still runs, elsewhere, so that it finishes and frees what it holds.
      condition.unlock()
      globalConcurrentExecutor.enqueue(job)
      return
    }
    jobs.append(UnownedJob(job))
    condition.signal()
    condition.unlock()
  }

  /// Something now waits on virtual time: the loop may advance it.
  func wake() {
    condition.lock()
    woken = true
    condition.signal()
    condition.unlock()
  }

  /// Ends the thread once it is idle; jobs enqueued afterwards run on the global concurrent
  /// executor.
  func stop() {
    condition.lock()
    stopped = true
    condition.signal()
    condition.unlock()
  }

  private func loop() {
    while true {
      condition.lock()
      if stopped {
        let leftover = jobs
        jobs.removeAll()
        condition.unlock()
        for job in leftover { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
        return
      }
      if !jobs.isEmpty {
        swap(&batch, &jobs)
        condition.unlock()
        for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
        batch.removeAll(keepingCapacity: true)
        continue
      }
      woken = false
      condition.unlock()
      if advance() { continue }
      condition.lock()
      // A sleeper that arrived from another thread while `advance` ran has set `woken`.
      if jobs.isEmpty && !stopped && !woken { condition.wait() }
      condition.unlock()
    }
  }
}
