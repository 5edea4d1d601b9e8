import MxBIF50
import MxGFX80
import MxKIQ
import MxMMIO
import MxMailbox
import MxSimulator
import MxVirtualFunction
import MxVirtualization
import XCTest

/// Several VFs on one GIM-like host, the liquid scheduler's placement rule, and the rest of the
/// life cycle: suspend, resume, teardown.
final class HostSharingTests: XCTestCase {
  /// Host mismatch 5: a request that waited while another VF held the GPU past GIM's 5 s limit
  /// is not served when the host takes the GPU back (GIM runs no mailbox work then), and the
  /// same request sent again is dropped as a duplicate still waiting. Asked again behind a
  /// release, which runs the host's work, it is served.
  func testARequestStrandedByAnotherVFsExclusiveTimeoutIsServedWhenAskedAgain() async throws {
    let gpu = SimulatedGPU(functions: 2)
    let honest = SimulatedFunction(on: gpu, index: 0, configuration: VirtualFunctionConfiguration(chip: .tonga))
    let squatter = gpu.functions[1].registers
    try await gpu.run {
      // VF 1 asks for access by hand, and never gives it back.
      squatter.write32(XgpuViRequest.IDH_REQ_GPU_INIT_ACCESS.rawValue, at: MAILBOX_MSGBUF_TRN_DW0.info.offset)
      squatter.modify(MAILBOX_CONTROL.self) { $0[MAILBOX_CONTROL.TRN_MSG_VALID] = true }
      try await gpu.clock.sleep(for: .milliseconds(1))
      try await honest.guest.bringUp()
    }
    let log = gpu.host.log
    XCTAssertTrue(log.contains { $0.vf == 1 && $0.entry == .exclusiveTimeout })
    let mine = log.filter { $0.vf == 0 }.map(\.entry).filter { entry in
      switch entry {
      case .requestWaiting, .worldSwitch, .gpuIOV: return false
      default: return true
      }
    }
    XCTAssertEqual(
      Array(mine.prefix(6)),
      [.received(1), .received(2), .droppedRequest(1), .discardedRelease, .received(1), .granted],
      "the request waited, unanswered; asked again behind a release, it was served")
    let events = await honest.guest.history.map(\.event)
    XCTAssertTrue(events.contains(.accessRequested(.initialization, attempt: 2)))
    let state = await honest.guest.state
    XCTAssertEqual(state, .runtime)
    let statistics = await honest.guest.mailbox.statistics
    XCTAssertEqual(statistics.requestsKicked, 1)
  }

  func testFourVFsBringUpTogetherOneOwnerAtATime() async throws {
    for chip in VIChip.allCases {
      let gpu = SimulatedGPU(functions: 4)
      let functions = (0..<4).map {
        SimulatedFunction(on: gpu, index: $0, configuration: VirtualFunctionConfiguration(chip: chip))
      }
      try await gpu.run {
        try await withThrowingTaskGroup(of: Void.self) { group in
          for function in functions { group.addTask { try await function.guest.bringUp() } }
          try await group.waitForAll()
        }
      }
      // The host served one owner at a time: every grant follows the previous owner's release,
      // and requests that came while another VF owned the GPU waited.
      var owner: Int?
      for record in gpu.host.log {
        switch record.entry {
        case .granted:
          XCTAssertNil(owner, "\(chip): VF \(record.vf) granted while VF \(owner ?? -1) owned the GPU")
          owner = record.vf
        case .released:
          XCTAssertEqual(owner, record.vf)
          owner = nil
        default: break
        }
      }
      XCTAssertEqual(gpu.host.log.filter { $0.entry == .granted }.count, 4)
      XCTAssertTrue(gpu.host.log.contains { if case .requestWaiting = $0.entry { true } else { false } })

      // In runtime each VF's KIQ reaches its own registers, served in its time slices.
      for (index, function) in functions.enumerated() {
        function.hardware.cp.registers.write32(0x100 + UInt32(index), at: SCRATCH_REG6.info.offset)
      }
      try await gpu.run {
        for (index, function) in functions.enumerated() {
          let read = try await function.read(SCRATCH_REG6.info.offset)
          XCTAssertEqual(read, 0x100 + UInt32(index), "\(chip): VF \(index)")
          XCTAssertEqual(function.hardware.memory.faults, [])
        }
      }
      XCTAssertTrue(gpu.host.log.contains { $0.entry == .worldSwitch })
      XCTAssertLessThan(gpu.clock.now.offset, .seconds(1))
    }
  }

  func testAResetOfOneVFLeavesTheOthersRunning() async throws {
    let gpu = SimulatedGPU(functions: 2)
    let functions = (0..<2).map {
      SimulatedFunction(on: gpu, index: $0, configuration: VirtualFunctionConfiguration(chip: .fiji))
    }
    try await gpu.run {
      for function in functions { try await function.guest.bringUp() }
      gpu.host.scheduleReset(of: 1, at: gpu.clock.now.offset + .milliseconds(1))
      let recovered = await functions[1].run(for: .seconds(2)) { await functions[1].events.contains(.recovered) }
      XCTAssertTrue(recovered)
      let untouched = await functions[0].events
      XCTAssertFalse(untouched.contains(.resetAnnounced))
      for function in functions {
        let read = try await function.read(SCRATCH_REG0.info.offset)
        XCTAssertEqual(read, KIQPackets.ringTestValue, "the ring test's value, still there")
      }
    }
  }

  func testAWorldSwitchAwayFromAHungCPResetsThatVFAlone() async throws {
    let gpu = SimulatedGPU(functions: 2)
    var configuration = VirtualFunctionConfiguration(chip: .tonga)
    configuration.kiqBudget.retries = 2
    let functions = (0..<2).map { SimulatedFunction(on: gpu, index: $0, configuration: configuration) }
    try await gpu.run {
      for function in functions { try await function.guest.bringUp() }
      // VF 1's CP hangs on its next packet: its KIQ read hangs the KIQ queue.
      var hang = CommandProcessorSimulation.Faults()
      hang.hangAfterPackets = 0
      functions[1].hardware.cp.setFaults(hang)
      _ = try? await functions[1].read(SCRATCH_REG0.info.offset)
      let recovered = await functions[1].run(for: .seconds(2)) { await functions[1].events.contains(.recovered) }
      XCTAssertTrue(recovered, "the host's reset, and the VF's recovery from it")
      // IDLE_GPU of the hung VF failed at the next switch away from it (GFX hang): the host
      // reset it, and only it.
      let failure = try XCTUnwrap(gpu.host.log.firstIndex { $0.entry == .worldSwitchFailed(status: 0x0E) })
      XCTAssertEqual(gpu.host.log[failure].vf, 1)
      let next = gpu.host.log[failure + 1]
      XCTAssertEqual(next.vf, 1)
      XCTAssertEqual(next.time, gpu.host.log[failure].time, "at once")
      XCTAssertEqual(next.entry, .resetStarted)
      let resets = gpu.host.log.filter { $0.entry == .resetStarted || $0.entry == .worldSwitchFailed(status: 0x0E) }
      XCTAssertEqual(Set(resets.map(\.vf)), [1])
      let untouched = await functions[0].events
      XCTAssertFalse(untouched.contains(.resetAnnounced))
      for function in functions {
        let read = try await function.read(SCRATCH_REG0.info.offset)
        XCTAssertEqual(read, KIQPackets.ringTestValue)
      }
    }
  }

  func testTheLiquidSchedulerDropsAVFWhoseWritePointersAreInGTT() async throws {
    var liquid = HostBehavior()
    liquid.scheduler = .liquid
    // The driver's placement: writeback in GTT. GIM drops the VF at its release and never runs
    // it again; the VF's KIQ accesses time out (a short KIQ budget keeps the test quick).
    let dropped = SimulatedFunction(chip: .tonga, behavior: liquid) { $0.kiqBudget.retries = 2 }
    try await dropped.simulate {
      try await dropped.guest.bringUp()
      try await dropped.gpu.clock.sleep(for: .milliseconds(1))
      XCTAssertTrue(dropped.hostLog.contains { if case .removedFromRunList = $0 { true } else { false } })
      XCTAssertFalse(dropped.gpu.host.isOnRunList(0))
      do {
        _ = try await dropped.read(SCRATCH_REG0.info.offset)
        XCTFail("a VF off the run list reached its registers")
      } catch {
        typealias Failure = GuestRegisterRouting<SimulatedVirtualFunction.Registers, SimulatedClock>.Failure
        XCTAssertEqual(error as? Failure, .kiq(.timedOut(register: SCRATCH_REG0.info.offset, polls: 3)))
      }
    }

    // Writeback in VRAM: every polled write pointer is in the window, the VF stays and runs.
    let kept = SimulatedFunction(chip: .tonga, behavior: liquid) { $0.writebackDomain = .vram }
    try await kept.simulate {
      try await kept.guest.bringUp()
      try await kept.gpu.clock.sleep(for: .milliseconds(1))
      XCTAssertTrue(kept.gpu.host.isOnRunList(0))
      kept.hardware.cp.registers.write32(0x5EED, at: SCRATCH_REG1.info.offset)
      let read = try await kept.read(SCRATCH_REG1.info.offset)
      XCTAssertEqual(read, 0x5EED)

      // And after a host reset, with the writeback lost with VRAM, it comes back.
      kept.gpu.host.scheduleReset(of: 0, at: kept.now + .milliseconds(1))
      let recovered = await kept.run(for: .seconds(2)) { await kept.events.contains(.recovered) }
      XCTAssertTrue(recovered)
      let again = try await kept.read(SCRATCH_REG1.info.offset)
      XCTAssertEqual(again, 0, "the reset cleared the register")
      XCTAssertTrue(kept.gpu.host.isOnRunList(0))
      XCTAssertEqual(kept.hardware.memory.faults, [])
    }
  }

  func testSuspendResumeAndTeardown() async throws {
    for chip in VIChip.allCases {
      let vf = SimulatedFunction(chip: chip)
      try await vf.simulate {
        try await vf.guest.bringUp()
        try await vf.guest.suspend()
        XCTAssertEqual(
          vf.hardware.cp.queues.map(\.me), [2, 0], "\(chip): the KIQ is left, and the GFX ring, which a VF leaves alone"
        )
        try await vf.gpu.clock.sleep(for: .milliseconds(1))
        XCTAssertFalse(vf.gpu.host.isOnRunList(0), "the host freed the VF")

        try await vf.guest.resume()
        XCTAssertEqual(vf.hardware.cp.queues.count, 10)
        vf.hardware.cp.registers.write32(7, at: SCRATCH_REG3.info.offset)
        let read = try await vf.read(SCRATCH_REG3.info.offset)
        XCTAssertEqual(read, 7)

        await vf.guest.tearDown()
        let state = await vf.guest.state
        XCTAssertEqual(state, .off)
        try await vf.gpu.clock.sleep(for: .milliseconds(1))
        XCTAssertEqual(
          vf.hostLog.filter { if case .received = $0 { true } else { false } },
          [1, 2, 3, 4, 1, 2, 3, 4].map { .received($0) }, "\(chip)")
        XCTAssertEqual(vf.hardware.memory.allocations.count, 0, "\(chip): everything freed")
        XCTAssertEqual(vf.hardware.memory.faults, [])
        let events = await vf.events
        XCTAssertEqual(
          events.filter { $0 == .computeQueuesUnmapped(count: 8) }.count, 2, "\(chip): suspend and teardown")
        XCTAssertEqual(events.filter { $0 == .kiqReady(restored: true) }.count, 1, "\(chip): resume restored the KIQ")
        XCTAssertEqual(events.last, .tornDown)
      }
    }
  }

  func testTeardownAfterAnUnrecoveredHostResetSkipsTheFiniHandshake() async throws {
    let vf = SimulatedFunction(chip: .fiji)
    try await vf.simulate {
      try await vf.guest.bringUp()
      vf.gpu.host.scheduleReset(of: 0, at: vf.now + .milliseconds(1))
      let announced = await vf.run(for: .seconds(1)) { await vf.events.contains(.resetAnnounced) }
      XCTAssertTrue(announced)
      await vf.guest.tearDown()
      try await vf.gpu.clock.sleep(for: .seconds(1))
      XCTAssertFalse(vf.hostLog.contains(.received(3)), "no REQ_GPU_FINI_ACCESS the host would not answer")
      let events = await vf.events
      XCTAssertEqual(events.last, .tornDown)
      XCTAssertFalse(events.contains(.recovered))
    }
  }
}
