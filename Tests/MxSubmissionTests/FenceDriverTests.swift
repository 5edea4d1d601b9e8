import MxMemory
import MxSimulator
import MxSubmission
import XCTest

/// The fence driver (`amdgpu_fence.c`) on a simulated GPU's memory and virtual time: sequences
/// that wrap around, values the GPU could not have written, waits that end by interrupt, by the
/// fallback poll or by timeout, the fence window, and a reset.
final class FenceDriverTests: XCTestCase {
  private struct Setup {
    let gpu = SimulatedGPU()
    let slot: WritebackSlot
    let driver: FenceDriver

    init(start: UInt32 = 0, capacity: UInt32 = 4) throws {
      var slots = try WritebackSlots(gpuMemory: gpu.functions[0].memory)
      slot = try XCTUnwrap(slots.allocate())
      slot.value = start
      let clock = gpu.clock
      driver = FenceDriver(name: "comp_1.0.0", slot: slot, capacity: capacity) { try? await clock.sleep(for: $0) }
    }

    var now: Duration { gpu.clock.now.offset }
  }

  func testSequencesWrapAroundAndSignalInOrder() throws {
    let setup = try Setup(start: 0xFFFF_FFFE)
    let driver = setup.driver
    driver.emitted(through: 1)  // 0xFFFFFFFF, 0, 1
    XCTAssertEqual(driver.outstanding, 3)
    setup.slot.value = 0
    XCTAssertTrue(driver.process())
    XCTAssertEqual(driver.status(of: 0xFFFF_FFFF), .signaled)
    XCTAssertEqual(driver.status(of: 0), .signaled)
    XCTAssertEqual(driver.status(of: 1), .pending)
    XCTAssertFalse(driver.process(), "nothing new")
    setup.slot.value = 1
    XCTAssertTrue(driver.process())
    XCTAssertEqual(driver.outstanding, 0)
  }

  func testAValueTheGPUCouldNotHaveWrittenSignalsNothing() throws {
    let setup = try Setup(start: 10)
    setup.driver.emitted(through: 12)
    setup.slot.value = 20  // ahead of anything emitted
    XCTAssertFalse(setup.driver.process())
    setup.slot.value = 5  // behind what was already seen
    XCTAssertFalse(setup.driver.process())
    XCTAssertEqual(setup.driver.invalidValues, 2)
    XCTAssertEqual(setup.driver.status(of: 11), .pending)
  }

  func testAWaitEndsAtTheInterruptNotTheFallback() async throws {
    let setup = try Setup()
    let driver = setup.driver
    driver.emitted(through: 1)
    try await setup.gpu.run {
      let started = setup.now
      async let done: Void = driver.wait(for: 1, timeout: .seconds(10))
      try await setup.gpu.clock.sleep(for: .milliseconds(3))
      setup.slot.value = 1
      driver.process()  // what the end-of-pipe interrupt's handler does
      try await done
      XCTAssertEqual(setup.now - started, .milliseconds(3))
    }
  }

  func testALostInterruptIsFoundByTheFallbackPoll() async throws {
    let setup = try Setup()
    let driver = setup.driver
    driver.emitted(through: 1)
    try await setup.gpu.run {
      let started = setup.now
      async let done: Void = driver.wait(for: 1, timeout: .seconds(10))
      try await setup.gpu.clock.sleep(for: .milliseconds(700))
      setup.slot.value = 1  // written, no interrupt
      try await done
      XCTAssertEqual(setup.now - started, FenceDriver.fallbackInterval * 2, "found at the second poll")
    }
  }

  func testAWaitTimesOutWithATypedError() async throws {
    let setup = try Setup()
    setup.driver.emitted(through: 1)
    await setup.gpu.run {
      let started = setup.now
      do throws(FenceError) {
        try await setup.driver.wait(for: 1, timeout: .milliseconds(1200))
        XCTFail("signalled")
      } catch {
        XCTAssertEqual(error, .timedOut(sequence: 1, after: .milliseconds(1200)))
      }
      XCTAssertEqual(setup.now - started, .milliseconds(1200))
    }
  }

  func testTheWindowHoldsCapacityFences() async throws {
    let setup = try Setup(capacity: 4)
    setup.driver.emitted(through: 3)
    try await setup.gpu.run {
      try await setup.driver.waitForSlot(timeout: .seconds(1))  // three out, a fourth fits
      setup.driver.emitted(through: 4)
      do throws(FenceError) {
        try await setup.driver.waitForSlot(timeout: .seconds(1))
        XCTFail("a fifth fence fits")
      } catch {
        XCTAssertEqual(error, .timedOut(sequence: 1, after: .seconds(1)), "the oldest must signal first")
      }
      setup.slot.value = 1
      try await setup.driver.waitForSlot(timeout: .seconds(1))
    }
  }

  func testAResetFailsWhatWasInFlightAndNumberingGoesOn() async throws {
    let setup = try Setup(start: 100)
    let driver = setup.driver
    driver.emitted(through: 103)
    setup.slot.value = 101
    driver.process()
    try await setup.gpu.run {
      async let waiting: FenceStatus = {
        do throws(FenceError) {
          try await driver.wait(for: 103, timeout: .seconds(10))
          return .signaled
        } catch {
          return .failed(error)
        }
      }()
      try await setup.gpu.clock.sleep(for: .milliseconds(1))
      driver.reset()
      let status = await waiting
      XCTAssertEqual(status, .failed(.lostToReset(sequence: 103)))
    }
    XCTAssertEqual(driver.status(of: 101), .signaled, "signalled before the reset")
    XCTAssertEqual(driver.status(of: 102), .failed(.lostToReset(sequence: 102)))
    XCTAssertEqual(setup.slot.value, 103, "force completion: the slot holds the last emitted")
    driver.emitted(through: 104)
    XCTAssertEqual(driver.status(of: 104), .pending)
    setup.slot.value = 104
    driver.process()
    XCTAssertEqual(driver.status(of: 104), .signaled)
  }
}
