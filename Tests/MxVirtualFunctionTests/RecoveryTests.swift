import MxGFX80
import MxKIQ
import MxMMIO
import MxSimulator
import MxVirtualFunction
import MxVirtualization
import XCTest

/// Host resets, hangs and overruns, during runtime and during exclusive work, on Tonga and
/// Fiji: each ends with the VF back in runtime and everything in VRAM rebuilt, or in a typed
/// error, within bounded virtual time and without an access outside an allocation.
final class RecoveryTests: XCTestCase {
  /// After recovery the KIQ and the compute queues are back, the KIQ reaches registers, and
  /// nothing the GPU reads from VRAM still holds the host's VBIOS image.
  private func assertRebuilt(
    _ vf: SimulatedFunction, _ label: String, file: StaticString = #filePath, line: UInt = #line
  )
    async throws
  {
    let state = await vf.guest.state
    XCTAssertEqual(state, .runtime, label, file: file, line: line)
    XCTAssertEqual(
      vf.hardware.cp.queues.count, 10, "\(label): the KIQ, 8 compute rings, the GFX ring", file: file, line: line)
    vf.hardware.cp.registers.write32(0x600D, at: SCRATCH_REG5.info.offset)
    let read = try await vf.read(SCRATCH_REG5.info.offset)
    XCTAssertEqual(read, 0x600D, label, file: file, line: line)
    for allocation in vf.hardware.memory.allocations where allocation.domain == .vram {
      let dwords = allocation.cpu.bindMemory(to: UInt32.self)
      XCTAssertFalse(
        dwords.contains(SimulatedVirtualFunction.vbiosPattern),
        "\(label): VRAM at 0x\(String(allocation.gpuAddress, radix: 16)) was not rebuilt", file: file, line: line)
    }
    XCTAssertEqual(vf.hardware.memory.faults, [], label, file: file, line: line)
  }

  func testAHostResetInRuntimeIsRecoveredFrom() async throws {
    for chip in VIChip.allCases {
      let vf = SimulatedFunction(chip: chip)
      try await vf.simulate {
        try await vf.guest.bringUp()
        vf.gpu.host.scheduleReset(of: 0, at: vf.now + .milliseconds(1))
        let recovered = await vf.run(for: .seconds(2)) { await vf.events.contains(.recovered) }
        XCTAssertTrue(recovered, "\(chip)")
        let events = await vf.events
        let tail = Array(events.drop { $0 != .resetAnnounced })
        XCTAssertEqual(
          Array(tail.prefix(5)),
          [
            .resetAnnounced, .resetCompleted, .recoveryStarted(.hostReset, attempt: 1),
            .accessRequested(.initialization, attempt: 1), .accessGranted(.initialization),
          ], "\(chip)")
        XCTAssertTrue(tail.contains(.kiqReady(restored: true)), "\(chip): the KIQ came back from its backup")
        XCTAssertEqual(tail.last, .runtime)
        try await assertRebuilt(vf, "\(chip)")
      }
    }
  }

  func testAHangIsRecoveredWithAResetRequest() async throws {
    for chip in VIChip.allCases {
      let vf = SimulatedFunction(chip: chip)
      try await vf.simulate {
        try await vf.guest.bringUp()
        try await vf.guest.recoverFromHang()
        let events = await vf.events
        let tail = Array(events.drop { $0 != .recoveryStarted(.hang, attempt: 1) })
        XCTAssertEqual(
          Array(tail.prefix(3)),
          [.recoveryStarted(.hang, attempt: 1), .accessRequested(.reset, attempt: 1), .accessGranted(.reset)])
        // GIM resets the VF itself, without telling it (host mismatch 7).
        XCTAssertEqual(
          Array(vf.hostLog.drop { $0 != .received(5) }.prefix(4)),
          [.received(5), .silentReset, .granted, .sent(1, setValid: true)], "\(chip)")
        try await assertRebuilt(vf, "\(chip)")
      }
    }
  }

  func testAResetBeforeTheGrantIsSeenIsWaitedOutAndTheRequestRepeated() async throws {
    for chip in VIChip.allCases {
      // The host resets the VF 2 ms after granting it init access, once (`--fault flr-during-init`):
      // before the guest's next 5 ms poll, so FLR_NOTIFICATION is what it finds, not READY.
      let vf = SimulatedFunction(chip: chip, behavior: HostBehavior(faults: [.resetAfterGrant(.milliseconds(2))]))
      try await vf.simulate {
        try await vf.guest.bringUp()
        let events = await vf.events
        XCTAssertEqual(
          Array(events.dropFirst().prefix(4)),
          [
            .accessRequested(.initialization, attempt: 1), .resetAnnounced, .resetCompleted,
            .accessGranted(.initialization),
          ], "\(chip): one request, waited out and repeated by the mailbox")
        XCTAssertFalse(events.contains { if case .recoveryStarted = $0 { true } else { false } }, "\(chip)")
        XCTAssertEqual(vf.hostLog.filter { $0 == .granted }.count, 2, "\(chip)")
        XCTAssertTrue(vf.hostLog.contains(.resetStarted))
        try await assertRebuilt(vf, "\(chip)")
      }
    }
  }

  func testAResetDuringTheBuildIsWaitedOutAndInitDoneAgain() async throws {
    for chip in VIChip.allCases {
      // When a plain bring-up sees its grant, then the same bring-up with the host's reset 25 µs
      // later: the guest is in the middle of its 50 µs build when the notice comes.
      let reference = SimulatedFunction(chip: chip)
      try await reference.simulate { try await reference.guest.bringUp() }
      let history = await reference.guest.history
      let ready = try XCTUnwrap(history.first { $0.event == .accessGranted(.initialization) }?.time)
      let vf = SimulatedFunction(chip: chip)
      try await vf.simulate {
        vf.gpu.host.scheduleReset(of: 0, at: ready + .microseconds(25))
        try await vf.guest.bringUp()
        _ = await vf.run(for: .seconds(1)) { await vf.guest.state == .runtime && vf.gpu.host.owner == nil }
        let events = await vf.events
        XCTAssertEqual(
          events.filter { $0 == .accessGranted(.initialization) }.count, 2, "\(chip): built twice: \(events)")
        XCTAssertTrue(events.contains(.resetCompleted), "\(chip)")
        XCTAssertTrue(
          events.contains(.recoveryStarted(.failedAttempt(.resetDuringExclusiveWork), attempt: 2)), "\(chip)")
        XCTAssertTrue(vf.hostLog.contains(.resetStarted))
        try await assertRebuilt(vf, "\(chip)")
      }
    }
  }

  func testAnExclusiveOverrunThatEndsInAHostResetIsRecovered() async throws {
    // A slow CP keeps the first init past a 50 ms host limit: the host takes the GPU back with
    // an FLR (which cures the CP); the VF notices, waits the reset out, and initialises again.
    var behavior = HostBehavior()
    behavior.exclusiveTimeout = .milliseconds(50)
    var slow = CommandProcessorSimulation.Faults()
    slow.delay = .milliseconds(60)
    let vf = SimulatedFunction(chip: .tonga, behavior: behavior, cpFaults: slow)
    try await vf.simulate {
      try await vf.guest.bringUp()
      XCTAssertTrue(vf.hostLog.contains(.exclusiveTimeout))
      let events = await vf.events
      XCTAssertEqual(events.filter { $0 == .accessGranted(.initialization) }.count, 2, "\(events)")
      try await assertRebuilt(vf, "tonga")
      XCTAssertLessThan(vf.now, .seconds(2))
    }
  }

  func testTheVFGivesTheGPUBackBeforeItsBudgetRunsOut() async throws {
    // A budget smaller than any bring-up: every attempt ends by giving the GPU back, never by
    // the host's own limit.
    let vf = SimulatedFunction(chip: .fiji) { $0.exclusiveBudget = .microseconds(10) }
    try await vf.simulate {
      do {
        try await vf.guest.bringUp()
        XCTFail("a bring-up fitted in 10 µs")
      } catch {
        guard
          case .attemptsExhausted(3, last: .exclusiveBudgetExceeded(_, budget: .microseconds(10))) = error
            as? VirtualFunctionError
        else {
          return XCTFail("\(error)")
        }
      }
      let state = await vf.guest.state
      XCTAssertEqual(state, .failed)
      try await vf.gpu.clock.sleep(for: .seconds(6))
      XCTAssertFalse(vf.hostLog.contains(.exclusiveTimeout), "the host never had to take the GPU back")
      XCTAssertEqual(vf.hostLog.filter { $0 == .released }.count, 3)
    }
  }

  func testAGPUThatHangsDuringInitIsResetAndInitialisedAgain() async throws {
    for chip in VIChip.allCases {
      var hang = CommandProcessorSimulation.Faults()
      hang.hangAfterPackets = 1  // SET_RESOURCES runs, the first MAP_QUEUES hangs the KIQ
      let vf = SimulatedFunction(chip: chip, cpFaults: hang)
      try await vf.simulate {
        try await vf.guest.bringUp()
        let events = await vf.events
        XCTAssertTrue(
          events.contains(
            .recoveryStarted(.failedAttempt(.ringTestFailed(ring: "kiq", read: 0xCAFE_DEAD)), attempt: 2)),
          "\(chip): \(events)")
        // The VF held init access: it gives it back first (GIM would not serve a request from the
        // owner), then asks for a reset.
        XCTAssertEqual(
          Array(vf.hostLog.drop { $0 != .received(2) }.prefix(4)),
          [.received(2), .released, .received(5), .silentReset], "\(chip)")
        try await assertRebuilt(vf, "\(chip)")
      }
    }
  }

  func testAcknowledgedButUnansweredRequestsAreAskedAgainWithinABound() async throws {
    // GIM acknowledges and drops the first request (host mismatch 4): the second is served.
    let vf = SimulatedFunction(chip: .fiji, behavior: HostBehavior(faults: [.ignoreRequests(count: 1)]))
    try await vf.simulate {
      try await vf.guest.bringUp()
      let events = await vf.events
      XCTAssertTrue(events.contains(.accessRequested(.initialization, attempt: 2)))
      // Asked again behind a release, which runs the host's work even if the request still waits.
      XCTAssertEqual(
        vf.hostLog.prefix(5), [.received(1), .droppedRequest(1), .received(2), .discardedRelease, .received(1)])
      try await assertRebuilt(vf, "fiji")

      // A host that never answers: four attempts of 12 s each, then a typed error.
      let ignored = SimulatedFunction(chip: .fiji, behavior: HostBehavior(faults: [.ignoreRequests(count: 100)]))
      do {
        try await ignored.guest.bringUp()
        XCTFail("a host that answers nothing granted access")
      } catch {
        XCTAssertEqual(
          error as? VirtualFunctionError,
          .accessNotGranted(
            .initialization, attempts: 4,
            last: .noReply(.IDH_REQ_GPU_INIT_ACCESS, expected: .IDH_READY_TO_ACCESS_GPU, lastSeen: nil)))
      }
      XCTAssertGreaterThanOrEqual(ignored.now, .seconds(48))
      XCTAssertLessThan(ignored.now, .seconds(60), "within the retry policy's total budget")
    }
  }
}
