import MxGFX80
import MxKIQ
import MxMMIO
import MxMemory
import MxSimulator
import MxStructures
import XCTest

/// Register access through the KIQ on the simulated CP: values read and written, and every CP
/// fault ending in a typed error within the driver's budget of virtual time.
final class KIQRegisterAccessTests: XCTestCase {
  /// A brought-up KIQ on a simulated CP, and register access through it.
  private func kiq(_ faults: CommandProcessorSimulation.Faults = .init(), budget: KIQAccessBudget = .driver) throws -> (
    KIQRegisterAccess<VirtualClock>, CommandProcessorSimulation, VirtualClock
  ) {
    // Not `SimulatedKIQ`: the ring moves into the actor, so it must be a local nothing else holds.
    let memory = SimulatedGPUMemory()
    let clock = VirtualClock()
    let cp = CommandProcessorSimulation(memory: memory, scheduler: clock, faults: faults)
    var writeback = try WritebackSlots(gpuMemory: memory)
    let ring = try Ring(
      name: "kiq", sizeInBytes: Ring.sizeInBytes(submissionDepth: 256), doorbellIndex: 0, doorbells: cp.doorbells,
      memory: memory, writeback: &writeback)
    let mqd = try memory.allocate(bytes: vi_mqd_allocation.byteCount, domain: .vram)
    let eop = try memory.allocate(bytes: MQDProgramming.eopBytes, domain: .gtt)
    let queue = QueueDescription(kind: .kiq, placement: ComputeTopology.kiqQueue()!, ring: ring, mqd: mqd, eop: eop)
    try KIQBringUp.initializeKIQ(try vi_mqd_allocation(in: mqd.cpu), queue: queue, chip: .fiji, registers: cp.registers)
    let slot = try XCTUnwrap(writeback.allocate())
    return (KIQRegisterAccess(ring: ring, readSlot: slot, clock: clock, budget: budget), cp, clock)
  }

  func testAReadReturnsTheRegisterAndAWriteLands() async throws {
    let (access, cp, _) = try kiq()
    cp.registers.write32(0x1234_5678, at: GRBM_STATUS.info.offset)
    let value = try await access.read(GRBM_STATUS.info.offset)
    XCTAssertEqual(value, 0x1234_5678)
    try await access.write(0xABCD, at: SCRATCH_REG3.info.offset)
    XCTAssertEqual(cp.registers.read32(at: SCRATCH_REG3.info.offset), 0xABCD)
    let sequence = await access.sequence
    XCTAssertEqual(sequence, 2)
    XCTAssertEqual(cp.hangs, [])
  }

  /// Kernel parity: `amdgpu_fence_wait_polling` waits its 5 µs step after every read, the one that
  /// finds the fence too, and an access polls twice (the fence 511 back, then its own): 10 µs
  /// for a CP that answers at once.
  func testAnAccessTakesTheDriversTwoPollStepsEvenFromAnInstantCP() async throws {
    let (access, _, clock) = try kiq()
    _ = try await access.read(GRBM_STATUS.info.offset)
    XCTAssertEqual(clock.now.offset, .microseconds(10))
    try await access.write(1, at: SCRATCH_REG3.info.offset)
    XCTAssertEqual(clock.now.offset, .microseconds(20))
  }

  /// Kernel parity: a fence first seen on the read that spends the poll's last 5 µs counts as a
  /// timeout (the kernel returns 0 remaining), and the retry 5 ms later finds it.
  func testAFenceFirstSeenOnThePollsLastReadIsFoundByTheRetry() async throws {
    // The commit rings at 5 µs (after the first poll); the fence poll reads at 5, 10, … 5000 µs.
    // A CP 4,993 µs slow signals at 4,998 µs: only the 1,000th read, the last, sees it.
    var faults = CommandProcessorSimulation.Faults()
    faults.delay = .microseconds(4_993)
    let (access, _, clock) = try kiq(faults)
    _ = try await access.read(GRBM_STATUS.info.offset)
    // That read's step (to 5,005 µs), the 5 ms retry interval, one read and its step.
    XCTAssertEqual(clock.now.offset, .microseconds(10_010))

    // Signalled at 4,994 µs, the 999th read (at 4,995) sees it, and the access ends after its step.
    faults.delay = .microseconds(4_989)
    let (earlier, _, earlierClock) = try kiq(faults)
    _ = try await earlier.read(GRBM_STATUS.info.offset)
    XCTAssertEqual(earlierClock.now.offset, .microseconds(5_000))
  }

  func testASlowCPIsWaitedFor() async throws {
    var faults = CommandProcessorSimulation.Faults()
    faults.delay = .milliseconds(20)  // four retries' worth
    let (access, cp, clock) = try kiq(faults)
    cp.registers.write32(7, at: SCRATCH_REG0.info.offset)
    let value = try await access.read(SCRATCH_REG0.info.offset)
    XCTAssertEqual(value, 7)
    XCTAssertGreaterThanOrEqual(clock.now.offset, .milliseconds(20))
    XCTAssertLessThan(clock.now.offset, .milliseconds(40))
  }

  func testAHungCPIsATimeoutAfterTheDriversBudgetNotAllOnes() async throws {
    var faults = CommandProcessorSimulation.Faults()
    faults.hangAfterPackets = 0
    let (access, _, clock) = try kiq(faults)
    do {
      _ = try await access.read(SCRATCH_REG0.info.offset)
      XCTFail("a hung CP read succeeded")
    } catch {
      XCTAssertEqual(error, .timedOut(register: SCRATCH_REG0.info.offset, polls: 1001))
    }
    // 1,001 polls of 5 ms and 1,000 sleeps of 5 ms: about ten seconds, bounded.
    XCTAssertGreaterThanOrEqual(clock.now.offset, .seconds(10))
    XCTAssertLessThan(clock.now.offset, .seconds(11))
  }

  func testInResetOrInterruptTheDriverGivesUpAfterOnePoll() async throws {
    for context in [KIQAccessContext.inReset, .interrupt] {
      var faults = CommandProcessorSimulation.Faults()
      faults.droppedPackets = [0, 1]  // the write and its fence
      let (access, _, clock) = try kiq(faults)
      do {
        try await access.write(1, at: SCRATCH_REG0.info.offset, context: context)
        XCTFail("a dropped write succeeded")
      } catch {
        XCTAssertEqual(error, .timedOut(register: SCRATCH_REG0.info.offset, polls: 1))
      }
      XCTAssertLessThanOrEqual(clock.now.offset, .microseconds(5005))
    }
  }

  func testAGarbageFenceIsRefused() async throws {
    var faults = CommandProcessorSimulation.Faults()
    faults.memoryValue = 0x7FFF_FFFF
    let (access, _, _) = try kiq(faults)
    do {
      _ = try await access.read(SCRATCH_REG0.info.offset)
      XCTFail("a garbage fence was taken for success")
    } catch {
      XCTAssertEqual(error, .invalidFence(value: 0x7FFF_FFFF, emitted: 1))
    }
  }

  /// `amdgpu_fence_emit_polling`: timed-out accesses leave their fences behind, and once as many
  /// are outstanding as the fence mask allows, the next access is refused before it reaches the
  /// ring. A CP that signals its fences never meets the limit.
  func testOutstandingFencesAreLimitedAsTheDriverLimitsThem() async throws {
    XCTAssertEqual(KIQAccessBudget.driver.outstandingFences, 511, "the KIQ's fence mask (appendix B)")
    var budget = KIQAccessBudget.driver
    budget.outstandingFences = 3

    var faults = CommandProcessorSimulation.Faults()
    faults.hangAfterPackets = 0
    let (hung, hungCP, _) = try kiq(faults, budget: budget)
    for _ in 1...3 {
      do {
        try await hung.write(1, at: SCRATCH_REG0.info.offset, context: .inReset)
        XCTFail("a hung CP write succeeded")
      } catch {
        XCTAssertEqual(error, .timedOut(register: SCRATCH_REG0.info.offset, polls: 1))
      }
    }
    do {
      try await hung.write(1, at: SCRATCH_REG0.info.offset, context: .inReset)
      XCTFail("a fourth fence was emitted with three outstanding")
    } catch {
      XCTAssertEqual(error, .tooManyOutstanding(emitted: 3, signaled: 0))
    }
    let emitted = await hung.sequence
    XCTAssertEqual(emitted, 3, "the refused access emitted nothing")
    XCTAssertEqual(hungCP.executed.count, 0)

    let (working, cp, _) = try kiq(budget: budget)
    for value in 0..<UInt32(10) {
      try await working.write(value, at: SCRATCH_REG1.info.offset)
    }
    XCTAssertEqual(cp.registers.read32(at: SCRATCH_REG1.info.offset), 9)
  }
}
