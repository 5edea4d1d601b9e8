import MxMMIO
import MxSimulator
import MxVirtualization
import XCTest

final class StateMachineTests: XCTestCase {
  func testIllegalTransitionsAreRefusedWithoutTouchingTheMailbox() async throws {
    let harness = await Harness()
    do {
      try await harness.mailbox.releaseFullAccess()
      XCTFail("released access never requested")
    } catch {
      XCTAssertEqual(error, .illegalTransition(from: .idle, operation: .releaseFullAccess(.initialization)))
    }
    do {
      try await harness.mailbox.requestFullAccess(.teardown)
      XCTFail("tore down before initialising")
    } catch {
      XCTAssertEqual(error, .illegalTransition(from: .idle, operation: .requestFullAccess(.teardown)))
    }
    XCTAssertEqual(harness.simulation.trace, [])
    try await harness.mailbox.requestFullAccess()
    do {
      try await harness.mailbox.releaseFullAccess(.teardown)
      XCTFail("released the wrong phase")
    } catch {
      XCTAssertEqual(
        error, .illegalTransition(from: .exclusive(.initialization), operation: .releaseFullAccess(.teardown)))
    }
  }

  func testConcurrentCallersAreSerialized() async throws {
    // Four callers wait for a reset completion that never comes: one after the other, each
    // waits its own full 12 s, so the last gives up at 48 s of virtual time, not at 12.
    let harness = await Harness(interrupts: true)
    let mailbox = harness.mailbox
    let finished = try await withThrowingTaskGroup(of: Duration.self) { group in
      for _ in 0..<4 {
        group.addTask {
          do {
            try await mailbox.waitForResetCompletion()
            XCTFail("a completion that never came was seen")
          } catch {
            XCTAssertEqual(error as? MailboxError, .resetNotCompleted)
          }
          return harness.now
        }
      }
      return try await group.reduce(into: []) { $0.append($1) }.sorted()
    }
    // Each ends a full 12 s after the one before. A finish is read after the next waiter may
    // have started polling and moving the clock (by how much depends on how the threads are
    // scheduled), so only the last finish, with nobody after it, is exact.
    for (index, time) in finished.enumerated() {
      XCTAssertGreaterThanOrEqual(time, .seconds(12 * (index + 1)))
    }
    XCTAssertLessThan(finished.last ?? .zero, .seconds(48) + .milliseconds(50))
  }

  /// GIM serves a request only when nobody owns the GPU — not even the requester: a second
  /// request from the owner waits, acknowledged, until the exclusive limit takes the GPU back.
  /// That reset clears GIM's record of the request, so the guest, once the reset is complete,
  /// releases (which GIM discards: nothing is held) and asks again, and is served.
  func testARequestFromTheOwnerWaitsUntilTheHostTakesTheGPUBack() async throws {
    let harness = await Harness(interrupts: true)
    try await harness.mailbox.requestFullAccess()
    try await harness.mailbox.requestReset()
    let log = harness.simulation.hostLog
    XCTAssertTrue(log.contains(.requestWaiting(5)))
    let timeout = try XCTUnwrap(log.firstIndex(of: .exclusiveTimeout))
    let discarded = try XCTUnwrap(log.firstIndex(of: .discardedRelease))
    XCTAssertLessThan(timeout, discarded)
    XCTAssertEqual(log.filter { $0 == .granted }.count, 2)
    XCTAssertEqual(log.lastIndex(of: .received(5)).map { $0 > discarded }, true, "asked again after the release")
    let state = await harness.mailbox.state
    XCTAssertEqual(state, .exclusive(.reset))
    let statistics = await harness.mailbox.statistics
    XCTAssertEqual(statistics.requestsRepeated, 1)
  }
}
