import MxMMIO
import MxMailbox
import MxSimulator
import MxVirtualization
import XCTest

/// Each injected host fault ends in its typed error (or a clean recovery) in bounded virtual
/// time; nothing hangs, in polling and in interrupt mode.
final class FaultTests: XCTestCase {
  /// Requests initialisation access from a host with `faults` and GIM's exclusive-access timeout
  /// switched off, so that only the injected fault decides the outcome.
  private func expectError(
    _ expected: MailboxError, faults: [HostFault], interrupts: Bool, within limit: Duration,
    file: StaticString = #filePath, line: UInt = #line
  ) async -> Harness {
    var behavior = HostBehavior(faults: faults)
    behavior.exclusiveTimeout = nil
    let harness = await Harness(behavior, interrupts: interrupts)
    do {
      try await harness.mailbox.requestFullAccess()
      XCTFail("request succeeded despite \(faults)", file: file, line: line)
    } catch {
      XCTAssertEqual(error, expected, file: file, line: line)
    }
    XCTAssertLessThanOrEqual(harness.now, limit, file: file, line: line)
    return harness
  }

  func testNoAcknowledgementTimesOutAndWithdrawsTheRequest() async {
    for interrupts in [false, true] {
      let harness = await expectError(
        .noAcknowledgement(.IDH_REQ_GPU_INIT_ACCESS), faults: [.noAcknowledgement], interrupts: interrupts,
        within: .milliseconds(12_005))
      // Quirk 2, decided: TRN_MSG_VALID is cleared so that the host sees the next request.
      XCTAssertEqual(harness.simulation.trace.suffix(2), [R(CONTROL, 0x1), W(CONTROL, 0)])
      XCTAssertEqual(harness.simulation.trace.filter { $0 == R(CONTROL, 0x1) }.count, 2_402, "12 s of 5 ms polls")
      let state = await harness.mailbox.state
      XCTAssertEqual(state, .idle)
    }
  }

  func testLateAcknowledgementStillSucceeds() async throws {
    let harness = await Harness(HostBehavior(faults: [.lateAcknowledgement(.milliseconds(100))]))
    try await harness.mailbox.requestFullAccess()
    XCTAssertEqual(harness.simulation.trace.filter { $0 == R(CONTROL, 0x1) }.count, 20, "polls at 0, 5, … 95 ms")
    let state = await harness.mailbox.state
    XCTAssertEqual(state, .exclusive(.initialization))
  }

  func testNoReadyTimesOut() async {
    for interrupts in [false, true] {
      _ = await expectError(
        .noReply(.IDH_REQ_GPU_INIT_ACCESS, expected: .IDH_READY_TO_ACCESS_GPU, lastSeen: nil), faults: [.noReady],
        interrupts: interrupts, within: .milliseconds(12_010))
    }
  }

  func testNoReadyMeetsGIMsExclusiveTimeoutFirst() async {
    // GIM granted access without answering; its 5 s limit resets the VF before the guest's 12 s
    // wait ends (host facts 2.7 and 6.5). The guest sees that reset, waits for its completion and
    // asks once more (a release first, to wake GIM's scheduler); the second grant goes the same
    // way, and then the reset is the answer.
    let harness = await Harness(HostBehavior(faults: [.noReady]), interrupts: true)
    do {
      try await harness.mailbox.requestFullAccess()
      XCTFail("request succeeded without READY")
    } catch {
      XCTAssertEqual(error, .resetDuringRequest(.IDH_REQ_GPU_INIT_ACCESS))
    }
    let log = harness.simulation.hostLog
    XCTAssertEqual(log.filter { $0 == .exclusiveTimeout }.count, 2)
    XCTAssertEqual(log.filter { $0 == .received(1) }.count, 2, "the request, and its one repetition")
    XCTAssertEqual(log.filter { $0 == .received(2) }.count, 1, "the release that wakes the scheduler")
    let statistics = await harness.mailbox.statistics
    XCTAssertEqual(statistics.requestsRepeated, 1)
    // Two 5 s limits and the 110 ms reset between them. The completion waiter that the second
    // announcement starts may already have run to CMPL when this reads the clock, so the clock
    // is bounded on both sides rather than pinned.
    XCTAssertGreaterThanOrEqual(harness.now, .seconds(10) + .milliseconds(110))
    XCTAssertLessThanOrEqual(harness.now, .seconds(10) + .milliseconds(240))
  }

  func testWrongEventAndGarbageAreReportedWithWhatWasSeen() async {
    for interrupts in [false, true] {
      _ = await expectError(
        .noReply(.IDH_REQ_GPU_INIT_ACCESS, expected: .IDH_READY_TO_ACCESS_GPU, lastSeen: 255),
        faults: [.wrongEvent(255)], interrupts: interrupts, within: .milliseconds(12_010))
      _ = await expectError(
        .noReply(.IDH_REQ_GPU_INIT_ACCESS, expected: .IDH_READY_TO_ACCESS_GPU, lastSeen: 0xDEAD_BEEF),
        faults: [.garbage(0xDEAD_BEEF)], interrupts: interrupts, within: .milliseconds(12_010))
    }
  }

  func testResetDuringTheHandshakeIsWaitedOutAndTheRequestRepeatedOnce() async {
    for interrupts in [false, true] {
      // The fault resets the VF after every request, so the repetition meets a reset too and the
      // request ends in its error. Each reset is the notice, 10 ms, and 100 ms of FLR; the bound
      // covers both and the completion waiter the second announcement starts, which may run
      // before this test reads the clock.
      let harness = await expectError(
        .resetDuringRequest(.IDH_REQ_GPU_INIT_ACCESS), faults: [.resetDuringHandshake], interrupts: interrupts,
        within: .milliseconds(240))
      XCTAssertGreaterThanOrEqual(harness.now, .milliseconds(110))
      var events = harness.mailbox.events.makeAsyncIterator()
      var seen: [MailboxEvent] = []
      for _ in 0..<3 { if let event = await events.next() { seen.append(event) } }
      // CMPL comes 110 ms later without RCV_MSG_VALID (quirk 3); the guest reads RCV_DW0 for it.
      XCTAssertEqual(seen, [.resetAnnounced, .resetCompleted, .resetAnnounced])
      XCTAssertEqual(harness.simulation.hostLog.filter { $0 == .received(1) }.count, 2)
      XCTAssertNotNil(harness.simulation.trace.last(where: { $0 == R(RCV_DW0, 3) }))
    }
  }

  func testHostInitiatedResetInRuntimeIsHandledFromTheInterrupt() async throws {
    let harness = await Harness(interrupts: true)
    try await harness.mailbox.requestFullAccess()
    try await harness.mailbox.releaseFullAccess()
    harness.simulation.scheduleReset(at: harness.now + .milliseconds(1))
    var events = harness.mailbox.events.makeAsyncIterator()
    // Nothing runs in virtual time until someone sleeps: the completion wait does.
    try await harness.mailbox.waitForResetCompletion()
    let announced = await events.next()
    XCTAssertEqual(announced, .resetAnnounced)
    let state = await harness.mailbox.state
    XCTAssertEqual(state, .idle)
    XCTAssertEqual(
      harness.simulation.hostLog.suffix(4),
      [.resetStarted, .sent(2, setValid: true), .sent(3, setValid: false), .resetCompleted])
    let completed = await events.next()
    XCTAssertEqual(completed, .resetCompleted)
  }

  func testSpuriousValidIsReportedNotMistakenForAReply() async throws {
    let harness = await Harness(HostBehavior(faults: [.spuriousValid(at: .microseconds(10))]), interrupts: true)
    var events = harness.mailbox.events.makeAsyncIterator()
    try await harness.mailbox.requestFullAccess()  // sleeping lets the spurious VALID happen
    let event = await events.next()
    XCTAssertEqual(event, .unexpectedMessage(0))
    let statistics = await harness.mailbox.statistics
    XCTAssertEqual(statistics.unexpectedMessages, 1)
    let state = await harness.mailbox.state
    XCTAssertEqual(state, .exclusive(.initialization))
  }

  func testExclusiveAccessHeldTooLongIsTakenBackByAHostReset() async throws {
    let harness = await Harness(interrupts: true)
    try await harness.mailbox.requestFullAccess()
    // The guest keeps exclusive access past GIM's 5 s limit and then waits for the reset.
    try await harness.mailbox.waitForResetCompletion()
    XCTAssertTrue(harness.simulation.hostLog.contains(.exclusiveTimeout))
    XCTAssertFalse(harness.simulation.hostGrantedExclusiveAccess)
    let state = await harness.mailbox.state
    XCTAssertEqual(state, .idle)
    // The host dropped the VF from its run list: a teardown request gets no READY (host fact 6).
    do {
      try await harness.mailbox.requestFullAccess()
      try await harness.mailbox.releaseFullAccess()
    } catch {
      XCTFail("re-initialisation after the reset failed: \(error)")
    }
  }

  func testResetCompletionThatNeverComesTimesOut() async {
    let harness = await Harness()
    do {
      try await harness.mailbox.waitForResetCompletion()
      XCTFail("no reset happened, yet completion was seen")
    } catch {
      XCTAssertEqual(error, .resetNotCompleted)
    }
    XCTAssertEqual(harness.now, .milliseconds(12_000))
  }
}
