import MxGFX80
import MxIH
import MxInterruptSources
import MxKIQ
import MxMemory
import MxPM4
import MxPM4Packets
import MxScenario
import MxSimulator
import MxSubmission
import MxVirtualFunction
import XCTest

/// Work on a VF: IBs on its compute rings run by the simulated CP, their fences signalled through
/// the end-of-pipe interrupt and the IH ring; the mailbox's interrupts through the same ring;
/// several VFs working under world switches; a host reset in the middle of work, accounted for.
final class WorkTests: XCTestCase {
  /// An IB that copies `bytes` bytes with CP DMA and fills the next `bytes` with `fill`.
  private static func copyAndFill(
    from source: GPUAllocation, to destination: GPUAllocation, bytes: Int, fill: UInt32, in buffer: GPUAllocation,
    at offset: Int = 0
  ) throws -> IndirectBuffer {
    var writer = IndirectBufferWriter(in: buffer, offsetDwords: offset, capacityDwords: 32)
    try writer.write { sink throws(PM4EncodingError) in
      try DMA_DATA(
        DST_ADDR_LO: UInt32(truncatingIfNeeded: destination.gpuAddress),
        DST_ADDR_HI: UInt32(destination.gpuAddress >> 32),
        BYTE_COUNT: UInt32(bytes), SRC_ADDR_LO: .address(SRC_ADDR_LO: UInt32(truncatingIfNeeded: source.gpuAddress)),
        SRC_ADDR_HI: .address(SRC_ADDR_HI: UInt32(source.gpuAddress >> 32))
      ).encode(into: &sink)
      let filled = destination.gpuAddress + UInt64(bytes)
      try DMA_DATA(
        SRC_SEL: .DATA, DST_ADDR_LO: UInt32(truncatingIfNeeded: filled), DST_ADDR_HI: UInt32(filled >> 32),
        BYTE_COUNT: UInt32(bytes), SRC_ADDR_LO: .data(DATA: fill), SRC_ADDR_HI: .data
      ).encode(into: &sink)
    }
    return writer.indirectBuffer()
  }

  /// An IB that waits for a dword of `flag` to become nonzero: work that stays in flight.
  private static func waitFor(_ flag: GPUAllocation, in buffer: GPUAllocation, at offset: Int = 0) throws
    -> IndirectBuffer
  {
    var writer = IndirectBufferWriter(in: buffer, offsetDwords: offset, capacityDwords: 16)
    try writer.write { sink throws(PM4EncodingError) in
      try WAIT_REG_MEM(
        FUNCTION: .NOT_EQUAL, MEM_SPACE: .MEMORY, POLL_ADDRESS_LO: UInt32(truncatingIfNeeded: flag.gpuAddress),
        POLL_ADDRESS_HI: UInt32(flag.gpuAddress >> 32), REFERENCE: 0, MASK: 0xFFFF_FFFF, POLL_INTERVAL: 0x40
      ).encode(into: &sink)
    }
    return writer.indirectBuffer()
  }

  func testSubmissionsOnEveryComputeRingCopyAndFillByteForByte() async throws {
    for chip in VIChip.allCases {
      let vf = SimulatedFunction(chip: chip)
      try await vf.simulate {
        try await vf.guest.bringUp()
        let memory = vf.hardware.memory
        let rings = await vf.guest.computeRings
        XCTAssertEqual(rings.count, 8)
        let buffers = try memory.allocate(bytes: 4096, domain: .gtt)
        for (index, ring) in rings.enumerated() {
          let source = try memory.allocate(bytes: 512, domain: .gtt)
          let destination = try memory.allocate(bytes: 1024, domain: .vram)
          for byte in 0..<512 { source.cpu[byte] = UInt8(truncatingIfNeeded: byte * 31 + index) }
          let ib = try Self.copyAndFill(
            from: source, to: destination, bytes: 512, fill: 0x0101_0101 * UInt32(index + 1), in: buffers,
            at: index * 32)
          let fence = try await ring.submit(ib)
          try await fence.wait(timeout: .seconds(1))
          XCTAssertEqual(fence.status, .signaled)
          XCTAssertEqual(Array(destination.cpu[0..<512]), Array(source.cpu), "\(chip) \(ring.name)")
          XCTAssertEqual(Set(destination.cpu[512..<1024]), [UInt8(index + 1)], "\(chip) \(ring.name)")
        }
        // Every fence came with an end-of-pipe interrupt through the IH ring: the IB tests' (the
        // GFX ring's too) and these, once each (the waits saw the fences first; the IH is served
        // as its task runs).
        try await vf.gpu.clock.sleep(for: .milliseconds(1))
        let endOfPipe = vf.guest.interrupts.deliveredCount(sourceID: Vislands30InterruptSource.CP_END_OF_PIPE.sourceID)
        XCTAssertEqual(endOfPipe, 8 + 1 + 8, "\(chip)")
        XCTAssertEqual(vf.guest.interrupts.unhandledCount, 0)
        XCTAssertEqual(memory.faults, [], "\(chip)")
        XCTAssertEqual(vf.hardware.cp.hangs, [], "\(chip)")
      }
    }
  }

  func testTheMailboxsInterruptsArriveThroughTheIHRingOnceEach() async throws {
    let vf = SimulatedFunction(chip: .tonga)
    try await vf.simulate {
      try await vf.guest.bringUp()
      try await vf.guest.suspend()
      try await vf.guest.resume()
      // Acknowledgements (138) once the interrupts are on: the releases and the FINI request.
      let host = vf.hardware.interruptHandler
      let acknowledged = vf.guest.interrupts.deliveredCount(
        sourceID: Vislands30InterruptSource.BIF_VF_PF_MSGBUF_ACK.sourceID)
      let valid = vf.guest.interrupts.deliveredCount(
        sourceID: Vislands30InterruptSource.BIF_PF_VF_MSGBUF_VALID.sourceID)
      XCTAssertGreaterThan(acknowledged, 0)
      XCTAssertGreaterThan(valid, 0)
      // Every mailbox interrupt the IH wrote reached its handler once (the rest are the IB tests'
      // end-of-pipe interrupts); what came while the ring was off the IH dropped.
      let mailboxSources: Set = [135, 138] as Set<UInt32>
      let written = host.written.filter { mailboxSources.contains($0.interrupt.sourceID) }.count
      XCTAssertEqual(acknowledged + valid, written)
      XCTAssertEqual(vf.guest.interrupts.unhandledCount, 0)
    }
  }

  func testAFenceThatDoesNotSignalTimesOutAndTheWindowHoldsFourFences() async throws {
    let vf = SimulatedFunction(chip: .fiji)
    try await vf.simulate {
      try await vf.guest.bringUp()
      let memory = vf.hardware.memory
      let flag = try memory.allocate(bytes: 64, domain: .gtt)
      let buffers = try memory.allocate(bytes: 4096, domain: .gtt)
      let ring = await vf.guest.computeRings[1]
      let stuck = try await ring.submit(try Self.waitFor(flag, in: buffers))
      do throws(FenceError) {
        try await stuck.wait(timeout: .milliseconds(100))
        XCTFail("a fence behind an unmet wait signalled")
      } catch {
        XCTAssertEqual(error, .timedOut(sequence: stuck.sequence, after: .milliseconds(100)))
      }
      // Three more fit the window of four (two submissions deep, two fences each); a fifth waits
      // for the first to signal, and gives up after the slot timeout.
      for index in 1...3 { _ = try await ring.submit(try Self.waitFor(flag, in: buffers, at: index * 16)) }
      let started = vf.now
      let fifth = try Self.waitFor(flag, in: buffers, at: 64)
      do throws(SubmissionError) {
        _ = try await ring.submit(fifth)
        XCTFail("a fifth fence fitted")
      } catch {
        XCTAssertEqual(error, .fenceSlotBusy(.timedOut(sequence: stuck.sequence, after: .seconds(10))))
      }
      XCTAssertEqual(vf.now - started, .seconds(10))
      // The CPU lets the waits go: every fence signals, in order.
      flag.volatileStore(1, dwordAt: 0)
      let last = Fence(driver: ring.fences, sequence: stuck.sequence &+ 3)
      try await last.wait(timeout: .seconds(1))
      XCTAssertEqual(stuck.status, .signaled)
    }
  }

  func testAHostResetInTheMiddleOfWorkFailsWhatWasInFlightAndTheVFWorksAgain() async throws {
    for chip in VIChip.allCases {
      let vf = SimulatedFunction(chip: chip)
      try await vf.simulate {
        try await vf.guest.bringUp()
        let memory = vf.hardware.memory
        let flag = try memory.allocate(bytes: 64, domain: .gtt)
        let buffers = try memory.allocate(bytes: 4096, domain: .gtt)
        let rings = await vf.guest.computeRings
        var inFlight: [Fence] = []
        for (index, ring) in rings.prefix(3).enumerated() {
          inFlight.append(try await ring.submit(try Self.waitFor(flag, in: buffers, at: index * 16)))
        }
        vf.gpu.host.scheduleReset(of: 0, at: vf.now + .milliseconds(1))
        for fence in inFlight {
          do throws(FenceError) {
            try await fence.wait(timeout: .seconds(5))
            XCTFail("\(chip): work the reset took signalled")
          } catch {
            XCTAssertEqual(error, .lostToReset(sequence: fence.sequence), "\(chip)")
          }
        }
        let recovered = await vf.run(for: .seconds(5)) { await vf.guest.state == .runtime }
        XCTAssertTrue(recovered, "\(chip): recovered")
        // The same rings take work again, from where their numbering was.
        let source = try memory.allocate(bytes: 256, domain: .gtt)
        let destination = try memory.allocate(bytes: 512, domain: .gtt)
        source.cpu.initializeMemory(as: UInt8.self, repeating: 0x5A)
        let fence = try await rings[0].submit(
          try Self.copyAndFill(from: source, to: destination, bytes: 256, fill: 0, in: buffers, at: 512))
        try await fence.wait(timeout: .seconds(1))
        XCTAssertEqual(Set(destination.cpu[0..<256]), [0x5A], "\(chip)")
        XCTAssertEqual(memory.faults, [], "\(chip)")
      }
    }
  }

  func testSeveralVFsWorkTogetherUnderWorldSwitches() async throws {
    let gpu = SimulatedGPU(functions: 3)
    let guests = (0..<3).map { gpu.guest(for: $0, configuration: VirtualFunctionConfiguration(chip: .tonga)) }
    try await gpu.run {
      try await withThrowingTaskGroup(of: Void.self) { group in
        for (index, guest) in guests.enumerated() {
          group.addTask {
            try await guest.bringUp()
            let memory = gpu.functions[index].memory
            let buffers = try memory.allocate(bytes: 8192, domain: .gtt)
            let rings = await guest.computeRings
            for submission in 0..<20 {
              let source = try memory.allocate(bytes: 128, domain: .gtt)
              let destination = try memory.allocate(bytes: 256, domain: .vram)
              source.cpu.initializeMemory(as: UInt8.self, repeating: UInt8(index * 20 + submission))
              let fence = try await rings[submission % rings.count].submit(
                try Self.copyAndFill(
                  from: source, to: destination, bytes: 128, fill: UInt32(index) * 0x0101_0101, in: buffers,
                  at: submission * 32))
              try await fence.wait(timeout: .seconds(8))
              XCTAssertEqual(Set(destination.cpu[0..<128]), [UInt8(index * 20 + submission)], "VF \(index)")
              XCTAssertEqual(Set(destination.cpu[128..<256]), [UInt8(index)], "VF \(index)")
            }
          }
        }
        try await group.waitForAll()
      }
    }
    // The VFs took turns on the GPU: the host switched between them while they worked.
    XCTAssertGreaterThan(gpu.host.log.filter { $0.entry == .worldSwitch }.count, 3)
    for function in gpu.functions {
      XCTAssertEqual(function.memory.faults, [])
      XCTAssertEqual(function.cp.hangs, [])
    }
  }
}
