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
    let harness = await Harness(interrupts: true)
    let mailbox = harness.mailbox
    try await withThrowingTaskGroup(of: Void.self) { group in
      for _ in 0..<8 { group.addTask { try await mailbox.requestReset() } }
      try await group.waitForAll()
    }
    // Eight complete handshakes, one after the other: each starts with TRN_DW0 and the host saw
    // eight requests, each answered before the next arrived.
    let starts = harness.simulation.trace.enumerated().filter { $0.element == W(TRN_DW0, 5) }.map(\.offset)
    XCTAssertEqual(starts.count, 8)
    let log = harness.simulation.hostLog
    XCTAssertEqual(log.filter { $0 == .received(5) }.count, 8)
    for (index, entry) in log.enumerated() where entry == .received(5) {
      XCTAssertEqual(log[index + 1], .granted)
      XCTAssertEqual(log[index + 2], .sent(1, setValid: true))
    }
    let state = await mailbox.state
    XCTAssertEqual(state, .exclusive(.reset))
  }
}
