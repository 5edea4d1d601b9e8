import MxMMIO
import MxSimulator
import MxVirtualization
import XCTest

/// With interrupts off, every flow makes exactly the kernel's MMIO accesses (facts 2.3–2.4,
/// appendix B), against a host that acknowledges after 20 µs and answers 80 µs later.
final class HandshakeTraceTests: XCTestCase {
  func testRequestFullAccessAtInitMatchesTheKernel() async throws {
    let harness = await Harness()
    try await harness.mailbox.requestFullAccess(.initialization)
    XCTAssertEqual(
      harness.simulation.trace,
      [
        // trans_msg: TRN_DW0 = 1, then TRN_MSG_VALID.
        R(TRN_DW0, 0), W(TRN_DW0, 1), R(CONTROL, 0), W(CONTROL, 0x1),
        // poll_ack: no ack yet, mdelay(5), ack (READY, sent at 100 µs, is there too).
        R(CONTROL, 0x1), R(CONTROL, 0x103),
        // set_valid(false), writing back the other bits as read; the hardware drops the ack.
        R(CONTROL, 0x103), W(CONTROL, 0x102),
        // poll_msg(READY): RCV_MSG_VALID and RCV_DW0 == 1.
        R(CONTROL, 0x100), R(RCV_DW0, 1),
        // send_ack: RCV_MSG_ACK, then wait (1 ms) for RCV_MSG_VALID to drop.
        R(CONTROL, 0x100), W(CONTROL, 0x300), R(CONTROL, 0x300), R(CONTROL, 0),
      ])
    let state = await harness.mailbox.state
    XCTAssertEqual(state, .exclusive(.initialization))
    XCTAssertEqual(harness.simulation.hostLog, [.received(1), .granted, .sent(1, setValid: true)])
    XCTAssertEqual(harness.now, .milliseconds(6), "5 ms poll for the ack, 1 ms for the ack to clear")
  }

  func testReleaseAtInitWaitsForTheAckOnly() async throws {
    let harness = await Harness()
    try await harness.mailbox.requestFullAccess()
    harness.simulation.clearTrace()
    try await harness.mailbox.releaseFullAccess()
    XCTAssertEqual(
      harness.simulation.trace,
      [
        R(TRN_DW0, 1), W(TRN_DW0, 2), R(CONTROL, 0), W(CONTROL, 0x1),
        R(CONTROL, 0x1), R(CONTROL, 0x3), R(CONTROL, 0x3), W(CONTROL, 0x2),
      ])
    let state = await harness.mailbox.state
    XCTAssertEqual(state, .runtime)
    XCTAssertEqual(harness.simulation.hostGrantedExclusiveAccess, false)
  }

  func testTeardownAndResetRequestsUseTheirMessages() async throws {
    let harness = await Harness()
    try await harness.mailbox.requestFullAccess()
    try await harness.mailbox.releaseFullAccess()
    try await harness.mailbox.requestFullAccess(.teardown)
    try await harness.mailbox.releaseFullAccess(.teardown)
    try await harness.mailbox.requestReset()
    XCTAssertEqual(
      harness.simulation.hostLog.compactMap { if case .received(let id) = $0 { id } else { nil } },
      [UInt32]([1, 2, 3, 4, 5]))
    let state = await harness.mailbox.state
    XCTAssertEqual(state, .exclusive(.reset))
  }

  func testInterruptsAreEnabledReceiveFirstAndDisabledAckFirst() async {
    let harness = await Harness()
    await harness.mailbox.enableInterrupts()
    await harness.mailbox.disableInterrupts()
    XCTAssertEqual(
      harness.simulation.trace,
      [
        R(INT_CNTL, 0), W(INT_CNTL, 0x1), R(INT_CNTL, 0x1), W(INT_CNTL, 0x3),
        R(INT_CNTL, 0x3), W(INT_CNTL, 0x1), R(INT_CNTL, 0x1), W(INT_CNTL, 0),
      ])
  }

  func testInterruptDrivenRequestCompletesWithinTheTarget() async throws {
    let harness = await Harness(interrupts: true)
    try await harness.mailbox.requestFullAccess()
    XCTAssertLessThanOrEqual(harness.now, .microseconds(600))
    XCTAssertEqual(harness.now, .microseconds(125), "ack 20 µs, READY at 100 µs, ack taken by 125 µs")
  }

  func testVirtualFunctionIsDetected() {
    let identity = MailboxSimulation().identifyFunction()
    XCTAssertEqual(
      identity, VirtualFunctionIdentity(isVirtualFunction: true, isIOVEnabled: true, rawValue: 0x8000_0001))
    XCTAssertFalse(RegisterFile().identifyFunction().isVirtualFunction)
  }
}
