import MxCSA
import MxChips
import MxGFX80
import MxKIQ
import MxMMIO
import MxSimulator
import MxSubmission
import MxVirtualFunction
import MxVirtualization
import XCTest

/// A VF from detection to runtime on a GIM-like host, on Tonga and Fiji: every step as the driver
/// takes it, register access through the KIQ afterwards, nothing outside an allocation.
final class BringUpTests: XCTestCase {
  func testBringUpOnBothChips() async throws {
    for chip in VIChip.allCases {
      let vf = SimulatedFunction(chip: chip)
      try await vf.simulate {
        try await vf.guest.bringUp()
        let state = await vf.guest.state
        XCTAssertEqual(state, .runtime)

        let golden = (chip == .tonga ? Tonga.goldenSequences : Fiji.goldenSequences).reduce(0) { $0 + $1.count }
        let events = await vf.events
        let held = events.compactMap { if case .accessReleased(_, let held) = $0 { held } else { nil } }
        let ihRing = try XCTUnwrap(
          events.lazy.compactMap { if case .interruptRingReady(let at) = $0 { at } else { nil } }.first)
        XCTAssertEqual(
          events,
          [
            .detected(
              VirtualFunctionIdentity(isVirtualFunction: true, isIOVEnabled: true, rawValue: 0x8000_0001), chip: chip),
            .accessRequested(.initialization, attempt: 1), .accessGranted(.initialization),
            .goldenRegistersApplied(writes: golden),
            .contextSaveAreaReady(virtualAddress: 0xF_FFE0_0000, layout: .chainedIB),
            .interruptRingReady(gpuAddress: ihRing), .kiqReady(restored: false),
            .computeQueuesMapped(count: 8, queueMask: 0x0303_0303), .ringTestsPassed(rings: 9),
            .graphicsRingReady(clearStateDwords: 912), .interruptsEnabled,
            .accessReleased(.initialization, held: held.first ?? .zero), .runtime,
            .indirectBufferTestsPassed(rings: 8), .graphicsIndirectBufferTestPassed,
          ], "\(chip)")
        // Exclusive time, from the grant to the release: well inside GIM's 5 s.
        XCTAssertLessThan(try XCTUnwrap(held.first), .milliseconds(50))
        // The release is acknowledged at once and processed by the host's work queue after.
        try await vf.gpu.clock.sleep(for: .milliseconds(1))
        XCTAssertEqual(
          vf.hostLog, [.received(1), .granted, .sent(1, setValid: true), .received(2), .released], "\(chip)")
        XCTAssertTrue(vf.gpu.host.isOnRunList(0))

        // The KIQ and eight compute queues are on the CP; the KIQ reaches registers.
        XCTAssertEqual(vf.hardware.cp.queues.map(\.doorbell), [0] + (0x10...0x17).map { UInt32($0) } + [0x20])
        vf.hardware.cp.registers.write32(0x1234_5678, at: GRBM_STATUS.info.offset)
        let read = try await vf.read(GRBM_STATUS.info.offset)
        XCTAssertEqual(read, 0x1234_5678)
        try await vf.guest.registerAccess().write32(0xABCD, at: SCRATCH_REG2.info.offset)
        XCTAssertEqual(vf.hardware.cp.registers.read32(at: SCRATCH_REG2.info.offset), 0xABCD)
        XCTAssertEqual(vf.hardware.memory.faults, [])
        XCTAssertEqual(vf.hardware.cp.hangs, [])
      }
    }
  }

  /// Kernel parity: the MEC doorbell range ends at mec_ring7's doorbell whatever `num_kcq` is
  /// (Fiji only programs it); the queues in use ring doorbells inside it.
  func testTheMECDoorbellRangeEndsAtTheEighthComputeRingsDoorbellWithFewerRings() async throws {
    for rings in [1, 2, 8] {
      let vf = SimulatedFunction(chip: .fiji) { $0.computeQueueCount = rings }
      try await vf.simulate { try await vf.guest.bringUp() }
      let registers = vf.hardware.cp.registers
      XCTAssertEqual(registers.read32(at: CP_MEC_DOORBELL_RANGE_LOWER.info.offset), VIDoorbell.kiq << 2)
      XCTAssertEqual(registers.read32(at: CP_MEC_DOORBELL_RANGE_UPPER.info.offset), 0x5C, "\(rings) rings")
      XCTAssertEqual(
        vf.hardware.cp.queues.map(\.doorbell),
        [VIDoorbell.kiq] + (0..<UInt32(rings)).map { VIDoorbell.mecRing0 + $0 } + [GraphicsRingSetup.doorbell])
    }
  }

  func testEveryVMTheVFOpensHasTheCSAMapped() async throws {
    let vf = SimulatedFunction(chip: .tonga) { $0.vmSize = VMSize(gigabytes: 256)! }
    try await vf.simulate {
      do {
        _ = try await vf.guest.openVirtualMemory()
        XCTFail("a VM before the CSA exists")
      } catch {
        XCTAssertEqual(error as? VirtualFunctionError, .notAllowed(.off))
      }
      try await vf.guest.bringUp()
      let csa = vf.guest.contextSaveArea
      XCTAssertEqual(csa.virtualAddress, 0x3F_FFE0_0000)
      for _ in 0..<3 {
        let vm = try await vf.guest.openVirtualMemory()
        let (allocation, offset) = try XCTUnwrap(vm.translate(csa.gdsBackupAddress, access: [.read, .write, .execute]))
        XCTAssertEqual(allocation.size, ContextSaveArea.byteCount)
        XCTAssertEqual(allocation.domain, .vram)
        XCTAssertEqual(offset, 4096)
        XCTAssertEqual(vm.userRange.upperBound, csa.virtualAddress)
      }
    }
  }

  func testTheMetadataLayoutFollowsTheFirmware() async throws {
    let vf = SimulatedFunction(chip: .fiji) { $0.constantEngineFeatureVersion = 45 }
    try await vf.simulate {
      try await vf.guest.bringUp()
      let events = await vf.events
      XCTAssertTrue(events.contains(.contextSaveAreaReady(virtualAddress: 0xF_FFE0_0000, layout: .regular)))
    }
  }

  func testAFunctionThatIsNotAVFOrNotTheChipIsRefused() async throws {
    let vf = SimulatedFunction(chip: .tonga) { $0.pciDeviceID = 0x730F }
    try await vf.simulate {
      do {
        try await vf.guest.bringUp()
        XCTFail("a Fiji device ID was taken for Tonga")
      } catch {
        XCTAssertEqual(error as? VirtualFunctionError, .unknownDevice(0x730F))
      }
      XCTAssertEqual(vf.hostLog, [], "nothing was asked of the host")

      let physical = SimulatedFunction(chip: .tonga)
      physical.hardware.mailbox.write32(0, at: 0x1503)  // BIF_IOV_FUNC_IDENTIFIER reads 0
      do {
        try await physical.guest.bringUp()
        XCTFail("a physical function was brought up as a VF")
      } catch {
        XCTAssertEqual(
          error as? VirtualFunctionError,
          .notVirtualFunction(VirtualFunctionIdentity(isVirtualFunction: false, isIOVEnabled: false, rawValue: 0)))
      }
    }
  }
}

/// The same bring-up against a host that acts on its own thread in wall-clock time.
final class RealTimeBringUpTests: XCTestCase {
  func testBringUpAndAKIQReadInRealTime() async throws {
    let gpu = SimulatedGPU(time: .real)
    let hardware = gpu.functions[0]
    let guest = VirtualFunction(
      registers: hardware.registers, doorbells: hardware.doorbells, memory: hardware.memory, clock: ContinuousClock(),
      configuration: VirtualFunctionConfiguration(chip: .fiji))
    gpu.host.connectInterrupts(of: 0) { guest.interruptReceived(sourceID: $0) }
    let started = ContinuousClock.now
    try await guest.bringUp()
    let elapsed = ContinuousClock.now - started
    hardware.cp.registers.write32(0xF00D, at: SCRATCH_REG4.info.offset)
    let read = try await guest.registerAccess().read32(at: SCRATCH_REG4.info.offset)
    XCTAssertEqual(read, 0xF00D)
    // Two mailbox handshakes polled every 5 ms (interrupts come on only at the end of init).
    XCTAssertGreaterThan(elapsed, .milliseconds(5))
    XCTAssertLessThan(elapsed, .seconds(2))
    await guest.tearDown()
    XCTAssertEqual(hardware.memory.faults, [])
  }
}
