import MxCSA
import MxInterruptSources
import MxKIQ
import MxMemory
import MxPM4
import MxPM4Packets
import MxSimulator
import MxSubmission
import MxVirtualFunction
import XCTest

/// Work on a VF's GFX ring: jobs framed as the VF's driver frames them, their CE and DE
/// metadata in the CSA at its address in every VM, their fences signalled through the IH ring;
/// a host reset in the middle, accounted for.
final class GraphicsWorkTests: XCTestCase {
  /// An IB that writes `value` to `target`'s first dword; or, with `waitingOn`, first waits for
  /// that dword to become nonzero.
  private static func marker(
    _ value: UInt32, to target: GPUAllocation, waitingOn flag: GPUAllocation? = nil, in buffer: GPUAllocation,
    at offset: Int
  ) throws -> IndirectBuffer {
    var writer = IndirectBufferWriter(in: buffer, offsetDwords: offset, capacityDwords: 16)
    try writer.write { sink throws(PM4EncodingError) in
      if let flag {
        try WAIT_REG_MEM(
          FUNCTION: .NOT_EQUAL, MEM_SPACE: .MEMORY, POLL_ADDRESS_LO: UInt32(truncatingIfNeeded: flag.gpuAddress),
          POLL_ADDRESS_HI: UInt32(flag.gpuAddress >> 32), REFERENCE: 0, MASK: 0xFFFF_FFFF, POLL_INTERVAL: 0x40
        ).encode(into: &sink)
      }
      try WRITE_DATA(
        DST_SEL: .MEMORY_ASYNC, WR_CONFIRM: true, DST_ADDR_LO: UInt32(truncatingIfNeeded: target.gpuAddress),
        DST_ADDR_HI: UInt32(target.gpuAddress >> 32)
      ).encode(into: &sink, payload: CollectionOfOne(value))
    }
    return writer.indirectBuffer(flags: .preempt)
  }

  func testAPreemptibleJobRunsWritesItsMetadataAndSignals() async throws {
    for chip in VIChip.allCases {
      let vf = SimulatedFunction(chip: chip)
      try await vf.simulate {
        try await vf.guest.bringUp()
        let memory = vf.hardware.memory
        let graphicsRing = await vf.guest.graphicsRing
        let ring = try XCTUnwrap(graphicsRing)
        XCTAssertTrue(ring.isReady, "\(chip): tested and ready")
        let (target, buffers) = (
          try memory.allocate(bytes: 64, domain: .gtt), try memory.allocate(bytes: 4096, domain: .gtt)
        )
        let csa = vf.guest.contextSaveArea
        let gdsBackupLow = csa.virtualAddress + 0x100 + 22 * 4  // vi_de_ib_state_chained_ib.gds_backup_addrlo
        XCTAssertEqual(memory.read32(at: gdsBackupLow), 0, "\(chip): no DE metadata yet")

        let metadataBefore = vf.hardware.cp.metadataWrites
        let job = SubmissionJob(context: 1, vmid: 1, preambleStatus: .preamblePresentFirst)
        let fence = try await ring.submit(try Self.marker(0xC0FFEE, to: target, in: buffers, at: 0), job: job)
        try await fence.wait(timeout: .seconds(1))
        XCTAssertEqual(target.cpu.load(as: UInt32.self), 0xC0FFEE, "\(chip)")
        XCTAssertEqual(vf.hardware.cp.metadataWrites - metadataBefore, 2, "\(chip): CE, then DE metadata")
        XCTAssertEqual(memory.read32(at: gdsBackupLow), UInt32(truncatingIfNeeded: csa.gdsBackupAddress), "\(chip)")
        try await vf.gpu.clock.sleep(for: .milliseconds(1))
        let endOfPipe = vf.guest.interrupts.deliveredCount(sourceID: Vislands30InterruptSource.CP_END_OF_PIPE.sourceID)
        XCTAssertEqual(endOfPipe, 8 + 1 + 1, "\(chip): the IB tests' and this job's")
        XCTAssertEqual(vf.hardware.cp.hangs, [], "\(chip)")
        XCTAssertEqual(memory.faults, [], "\(chip)")
      }
    }
  }

  func testAHostResetLosesTheGFXRingsWorkAndTheRingWorksAgain() async throws {
    let vf = SimulatedFunction(chip: .tonga)
    try await vf.simulate {
      try await vf.guest.bringUp()
      let memory = vf.hardware.memory
      let graphicsRing = await vf.guest.graphicsRing
      let ring = try XCTUnwrap(graphicsRing)
      let (flag, target, buffers) = (
        try memory.allocate(bytes: 64, domain: .gtt), try memory.allocate(bytes: 64, domain: .gtt),
        try memory.allocate(bytes: 4096, domain: .gtt)
      )
      let job = SubmissionJob(context: 2, vmid: 3)
      let stuck = try await ring.submit(try Self.marker(1, to: target, waitingOn: flag, in: buffers, at: 0), job: job)
      vf.gpu.host.scheduleReset(of: 0, at: vf.now + .milliseconds(1))
      do throws(FenceError) {
        try await stuck.wait(timeout: .seconds(5))
        XCTFail("work the reset took signalled")
      } catch {
        XCTAssertEqual(error, .lostToReset(sequence: stuck.sequence))
      }
      let recovered = await vf.run(for: .seconds(5)) { await vf.guest.state == .runtime }
      XCTAssertTrue(recovered)
      XCTAssertTrue(ring.isReady, "rebuilt and tested again")
      let fence = try await ring.submit(try Self.marker(2, to: target, in: buffers, at: 32), job: job)
      try await fence.wait(timeout: .seconds(1))
      XCTAssertEqual(target.cpu.load(as: UInt32.self), 2)
      XCTAssertEqual(memory.faults, [])
    }
  }
}
