import MxKIQ
import MxMemory
import MxPM4
import MxPM4Packets
import MxSimulator
import MxSubmission
import MxVirtualFunction
import XCTest

/// World switches between VFs that have work on their GFX rings: IDLE_GPU stops a VF inside a
/// preemptible IB and the work goes on after its next RUN_GPU, exactly once; a non-preemptible
/// IB holds IDLE until it ends, or past GIM's 2 s limit, which resets that VF and leaves the
/// other's work alone.
final class WorldSwitchTests: XCTestCase {
  /// Two VFs up on one GPU; `body` gets them.
  private func withTwoFunctions(
    chip: VIChip, behavior: HostBehavior = .gim, _ body: ([SimulatedFunction]) async throws -> Void
  ) async throws {
    let gpu = SimulatedGPU(behavior: behavior, functions: 2)
    let functions = (0..<2).map {
      SimulatedFunction(on: gpu, index: $0, configuration: VirtualFunctionConfiguration(chip: chip))
    }
    try await gpu.run {
      for function in functions { try await function.guest.bringUp() }
      try await body(functions)
    }
  }

  /// A VF's GFX ring and three buffers in its memory: a target, a flag, room for IBs.
  private static func graphicsWork(on vf: SimulatedFunction) async throws -> (
    SubmissionRing<SimulatedClock>, target: GPUAllocation, flag: GPUAllocation, buffers: GPUAllocation
  ) {
    let memory = vf.hardware.memory
    let graphicsRing = await vf.guest.graphicsRing
    return (
      try XCTUnwrap(graphicsRing), try memory.allocate(bytes: 64, domain: .gtt),
      try memory.allocate(bytes: 64, domain: .gtt), try memory.allocate(bytes: 4096, domain: .gtt)
    )
  }

  /// An IB that writes 1 to `target`'s first dword, waits for `flag`'s first dword to become
  /// nonzero, then writes 2 to `target`'s second dword.
  private static func waitingBuffer(
    target: GPUAllocation, flag: GPUAllocation, in buffer: GPUAllocation, flags: IndirectBufferFlags
  ) throws -> IndirectBuffer {
    func write(_ value: UInt32, at address: UInt64, into sink: inout PM4Buffer) throws(PM4EncodingError) {
      try WRITE_DATA(
        DST_SEL: .MEMORY_ASYNC, WR_CONFIRM: true, DST_ADDR_LO: UInt32(truncatingIfNeeded: address),
        DST_ADDR_HI: UInt32(address >> 32)
      ).encode(into: &sink, payload: CollectionOfOne(value))
    }
    var writer = IndirectBufferWriter(in: buffer, capacityDwords: 32)
    try writer.write { sink throws(PM4EncodingError) in
      try write(1, at: target.gpuAddress, into: &sink)
      try WAIT_REG_MEM(
        FUNCTION: .NOT_EQUAL, MEM_SPACE: .MEMORY, POLL_ADDRESS_LO: UInt32(truncatingIfNeeded: flag.gpuAddress),
        POLL_ADDRESS_HI: UInt32(flag.gpuAddress >> 32), REFERENCE: 0, MASK: 0xFFFF_FFFF, POLL_INTERVAL: 0x40
      ).encode(into: &sink)
      try write(2, at: target.gpuAddress + 4, into: &sink)
    }
    return writer.indirectBuffer(flags: flags)
  }

  /// The WRITE_DATAs VF `function`'s CP ran to `address`, with their values, in order.
  private func writes(to address: UInt64, by function: SimulatedFunction) -> [UInt32] {
    function.hardware.cp.executed.compactMap { executed in
      guard case .WRITE_DATA(let p) = executed.packet, UInt64(p.DST_ADDR_HI) << 32 | UInt64(p.DST_ADDR_LO) == address
      else { return nil }
      return executed.payload.first
    }
  }

  private func commands(of vf: Int, in function: SimulatedFunction) -> [(GPUIOVCommand, Duration, GPUIOVOutcome)] {
    function.gpu.host.log.compactMap { record in
      guard record.vf == vf, case .gpuIOV(let command, let duration, let outcome) = record.entry else { return nil }
      return (command, duration, outcome)
    }
  }

  func testAPreemptibleIBIsStoppedInsideAndGoesOnAfterTheNextSwitchExactlyOnce() async throws {
    for chip in VIChip.allCases {
      try await withTwoFunctions(chip: chip) { functions in
        let vf0 = functions[0]
        let (ring, target, flag, buffers) = try await Self.graphicsWork(on: vf0)
        let ib = try Self.waitingBuffer(target: target, flag: flag, in: buffers, flags: .preempt)
        let before = commands(of: 0, in: vf0).count
        let fence = try await ring.submit(ib, job: SubmissionJob(context: 1, vmid: 1))
        // Slices of 6 ms: VF 0 is switched out and in again while its IB waits.
        await vf0.run(for: .milliseconds(30)) { self.commands(of: 0, in: vf0).count >= before + 8 }
        let switches = Array(commands(of: 0, in: vf0).dropFirst(before))
        let idle = try XCTUnwrap(switches.firstIndex { $0.0 == .idleGPU }, "\(chip)")
        XCTAssertEqual(
          switches[idle..<idle + 4].map(\.0), [.idleGPU, .saveGPUState, .loadGPUState, .runGPU], "\(chip)")
        XCTAssertTrue(switches.allSatisfy { $0.2 == .done }, "\(chip)")
        XCTAssertEqual(switches[idle].1, .zero, "\(chip): a preemptible IB does not hold IDLE_GPU")
        XCTAssertEqual(writes(to: target.gpuAddress, by: vf0), [1], "\(chip)")

        // Switched out, the CP holds nothing of the IB: its place is in the host's hardware CSA.
        _ = await vf0.run(for: .milliseconds(20)) { vf0.gpu.host.running == 1 }
        let graphics = try XCTUnwrap(vf0.hardware.cp.queues.first { $0.me == 0 })
        XCTAssertNil(graphics.indirectBuffer, "\(chip)")
        // Stopped at the WAIT_REG_MEM, after the first WRITE_DATA's five dwords.
        let preemption = try XCTUnwrap(vf0.hardware.cp.preemptions.last, "\(chip)")
        XCTAssertEqual(preemption.doorbell, graphics.doorbell, "\(chip)")
        XCTAssertEqual(preemption.indirectBuffer?.address, ib.gpuAddress, "\(chip)")
        XCTAssertEqual(preemption.indirectBuffer?.offset, 5, "\(chip)")
        XCTAssertEqual(preemption.indirectBuffer?.preemptible, true, "\(chip)")
        XCTAssertFalse(vf0.gpu.host.savedContext(of: 0).isEmpty, "\(chip)")

        flag.cpu.storeBytes(of: 1, as: UInt32.self)
        try await fence.wait(timeout: .seconds(1))
        XCTAssertEqual(writes(to: target.gpuAddress, by: vf0), [1], "\(chip): the first write, once")
        XCTAssertEqual(writes(to: target.gpuAddress + 4, by: vf0), [2], "\(chip): the second, once")
        XCTAssertEqual(vf0.gpu.host.running, 0, "\(chip): it went on when VF 0 was run again")
        XCTAssertEqual(vf0.hardware.cp.hangs, [], "\(chip)")
        XCTAssertEqual(functions[1].hardware.cp.hangs, [], "\(chip)")
      }
    }
  }

  func testANonPreemptibleIBHoldsIdleUntilItEnds() async throws {
    try await withTwoFunctions(chip: .tonga) { functions in
      let vf0 = functions[0]
      let (ring, target, flag, buffers) = try await Self.graphicsWork(on: vf0)
      let ib = try Self.waitingBuffer(target: target, flag: flag, in: buffers, flags: [])
      let fence = try await ring.submit(ib, job: SubmissionJob(context: 1, vmid: 1))
      let idling = await vf0.run(for: .milliseconds(20)) { vf0.hardware.cp.isIdling }
      XCTAssertTrue(idling, "IDLE_GPU came and waits for the IB")
      let before = commands(of: 0, in: vf0).count
      let released = vf0.now + .milliseconds(100)
      try await vf0.gpu.clock.sleep(until: SimulatedClock.Instant(offset: released))
      XCTAssertEqual(commands(of: 0, in: vf0).count, before, "nothing but IDLE_GPU, still waiting")
      XCTAssertEqual(vf0.gpu.host.running, nil, "no VF runs while it waits")
      flag.cpu.storeBytes(of: 1, as: UInt32.self)
      try await fence.wait(timeout: .seconds(1))
      let idle = try XCTUnwrap(commands(of: 0, in: vf0).dropFirst(before).first)
      XCTAssertEqual(idle.0, .idleGPU)
      XCTAssertEqual(idle.2, .done)
      XCTAssertGreaterThanOrEqual(idle.1, .milliseconds(100), "IDLE_GPU lasted until the IB ended")
      XCTAssertLessThan(idle.1, .milliseconds(102), "and no longer than the CP's next poll")
      XCTAssertEqual(writes(to: target.gpuAddress + 4, by: vf0), [2])
      XCTAssertFalse(vf0.gpu.host.log.contains { $0.entry == .resetStarted })
    }
  }

  func testAnIBThatNeverEndsFailsIdleAtTheLimitAndOnlyThatVFIsReset() async throws {
    try await withTwoFunctions(chip: .fiji) { functions in
      let (vf0, vf1) = (functions[0], functions[1])
      let (ring, target, flag, buffers) = try await Self.graphicsWork(on: vf0)
      let stuck = try await ring.submit(
        try Self.waitingBuffer(target: target, flag: flag, in: buffers, flags: []),
        job: SubmissionJob(context: 1, vmid: 1))
      do throws(FenceError) {
        try await stuck.wait(timeout: .seconds(5))
        XCTFail("an IB that never ends signalled")
      } catch {
        XCTAssertEqual(error, .lostToReset(sequence: stuck.sequence))
      }
      let log = vf0.gpu.host.log.filter { $0.vf == 0 }.map(\.entry)
      let failure = try XCTUnwrap(log.firstIndex { $0 == .gpuIOV(.idleGPU, duration: .seconds(2), outcome: .timedOut) })
      XCTAssertEqual(log[failure + 1], .resetStarted, "the outgoing VF goes down the FLR path")
      XCTAssertFalse(vf0.gpu.host.log.contains { $0.vf == 1 && $0.entry == .resetStarted })

      // VF 1 was loaded and run after the failed IDLE, and works.
      let (ring1, target1, flag1, buffers1) = try await Self.graphicsWork(on: vf1)
      flag1.cpu.storeBytes(of: 1, as: UInt32.self)
      let work = try await ring1.submit(
        try Self.waitingBuffer(target: target1, flag: flag1, in: buffers1, flags: .preempt),
        job: SubmissionJob(context: 1, vmid: 1))
      try await work.wait(timeout: .seconds(1))
      XCTAssertEqual(writes(to: target1.gpuAddress + 4, by: vf1), [2])
      let recovered = await vf0.run(for: .seconds(5)) { await vf0.guest.state == .runtime }
      XCTAssertTrue(recovered, "VF 0 came back after its reset")
    }
  }

  /// SAVE, LOAD and RUN take the times the behaviour gives them; a SAVE longer than the limit
  /// fails at the limit and resets the outgoing VF, and the incoming one is loaded and run.
  func testCommandsTakeTheirTimesAndASaveOverTheLimitResetsTheOutgoingVF() async throws {
    var behavior = HostBehavior()
    behavior.worldSwitch = WorldSwitchTiming(save: .microseconds(100), load: .microseconds(150), run: .microseconds(10))
    try await withTwoFunctions(chip: .tonga, behavior: behavior) { functions in
      await functions[0].run(for: .milliseconds(20)) { false }
      let timed = commands(of: 0, in: functions[0]) + commands(of: 1, in: functions[0])
      for (command, expected) in [
        (GPUIOVCommand.saveGPUState, Duration.microseconds(100)), (.loadGPUState, .microseconds(150)),
        (.runGPU, .microseconds(10)),
      ] {
        XCTAssertTrue(timed.contains { $0.0 == command }, "\(command)")
        XCTAssertTrue(timed.filter { $0.0 == command }.allSatisfy { $0.1 == expected && $0.2 == .done }, "\(command)")
      }
    }

    behavior.worldSwitch.save = .seconds(3)
    let gpu = SimulatedGPU(behavior: behavior, functions: 2)
    let functions = (0..<2).map {
      SimulatedFunction(on: gpu, index: $0, configuration: VirtualFunctionConfiguration(chip: .tonga))
    }
    try await gpu.run {
      try await functions[0].guest.bringUp()
      // VF 1 asks for access: VF 0 is idled and its SAVE never ends.
      async let second: Void = functions[1].guest.bringUp()
      let failed = await functions[0].run(for: .seconds(3)) {
        self.commands(of: 0, in: functions[0]).contains { $0 == (.saveGPUState, .seconds(2), .timedOut) }
      }
      XCTAssertTrue(failed, "SAVE_GPU_STATE timed out at the limit")
      try await second
      let log = gpu.host.log
      let save = try XCTUnwrap(
        log.firstIndex { $0.entry == .gpuIOV(.saveGPUState, duration: .seconds(2), outcome: .timedOut) })
      XCTAssertEqual(log[(save + 1)...].first { $0.vf == 0 }?.entry, .resetStarted)
      XCTAssertFalse(log.contains { $0.vf == 1 && $0.entry == .resetStarted })
      let state = await functions[1].guest.state
      XCTAssertEqual(state, .runtime, "the incoming VF came up")
    }
  }
}
