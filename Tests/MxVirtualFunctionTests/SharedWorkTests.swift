import MxCSA
import MxKIQ
import MxMemory
import MxPM4
import MxPM4Packets
import MxSimulator
import MxSubmission
import MxVirtualFunction
import XCTest

/// Four VFs working at once on one GPU whose CPs take time for each packet: GIM's slices share
/// the GPU fairly, every submission completes once and in order across the world switches, each
/// VF's CSA holds the metadata it wrote, and one VF's hang costs the others nothing.
final class SharedWorkTests: XCTestCase {
  /// A job: its IB writes `value` to `target`'s first dword.
  private static func marker(_ value: UInt32, to target: GPUAllocation, in buffer: GPUAllocation) throws
    -> IndirectBuffer
  {
    var writer = IndirectBufferWriter(in: buffer, capacityDwords: 16)
    try writer.write { sink throws(PM4EncodingError) in
      try WRITE_DATA(
        DST_SEL: .MEMORY_ASYNC, WR_CONFIRM: true, DST_ADDR_LO: UInt32(truncatingIfNeeded: target.gpuAddress),
        DST_ADDR_HI: UInt32(target.gpuAddress >> 32)
      ).encode(into: &sink, payload: CollectionOfOne(value))
    }
    return writer.indirectBuffer(flags: .preempt)
  }

  /// What one VF's work came to.
  private struct Tally: Sendable {
    var completed = 0
    var graphics = 0
    var problem: String?
  }

  /// Jobs on the VF's GFX ring and its first compute ring in turn, each awaited and checked,
  /// until `end`; a VF that stops working reports why.
  private static func work(on vf: SimulatedFunction, until end: Duration) async -> Tally {
    var tally = Tally()
    do {
      let memory = vf.hardware.memory
      let (target, buffer) = (
        try memory.allocate(bytes: 64, domain: .gtt), try memory.allocate(bytes: 4096, domain: .gtt)
      )
      defer {
        memory.free(target)
        memory.free(buffer)
      }
      guard let graphics = await vf.guest.graphicsRing, let compute = await vf.guest.computeRings.first else {
        tally.problem = "no rings"
        return tally
      }
      while vf.now < end {
        let onGraphics = tally.completed % 2 == 0
        let value = UInt32(tally.completed + 1)
        let ib = try marker(value, to: target, in: buffer)
        let fence =
          onGraphics
          ? try await graphics.submit(ib, job: SubmissionJob(context: 1, vmid: 1))
          : try await compute.submit(ib)
        try await fence.wait(timeout: .seconds(1))
        guard target.cpu.load(as: UInt32.self) == value else {
          tally.problem = "job \(value) wrote \(target.cpu.load(as: UInt32.self))"
          return tally
        }
        tally.completed += 1
        if onGraphics { tally.graphics += 1 }
      }
    } catch {
      tally.problem = "\(error)"
    }
    return tally
  }

  private static func workTogether(_ functions: [SimulatedFunction], for time: Duration) async -> [Tally] {
    let end = functions[0].now + time
    return await withTaskGroup(of: (Int, Tally).self) { group in
      for (index, function) in functions.enumerated() {
        group.addTask { (index, await work(on: function, until: end)) }
      }
      var tallies = Array(repeating: Tally(), count: functions.count)
      for await (index, tally) in group { tallies[index] = tally }
      return tallies
    }
  }

  func testFourVFsShareTheGPUFairlyAndOneVFsHangCostsTheOthersNothing() async throws {
    for chip in VIChip.allCases {
      let gpu = SimulatedGPU(functions: 4)
      for function in gpu.functions { function.cp.setPacketTime(.microseconds(2)) }
      let functions = (0..<4).map {
        SimulatedFunction(on: gpu, index: $0, configuration: VirtualFunctionConfiguration(chip: chip))
      }
      try await gpu.run {
        for function in functions { try await function.guest.bringUp() }
        let metadataBefore = functions.map { $0.hardware.cp.metadataWrites }

        let shared = await Self.workTogether(functions, for: .milliseconds(240))
        XCTAssertEqual(shared.compactMap(\.problem), [], "\(chip)")
        let counts = shared.map(\.completed)
        XCTAssertGreaterThan(counts.min()!, 100, "\(chip): \(counts)")
        XCTAssertLessThanOrEqual(
          Double(counts.max()!) / Double(counts.min()!), 1.2, "\(chip): equal slices, equal work: \(counts)")
        let preempted = functions.map { $0.hardware.cp.preemptions.count }
        XCTAssertTrue(preempted.allSatisfy { $0 > 0 }, "\(chip): slices ended with work under way: \(preempted)")
        for (index, function) in functions.enumerated() {
          // Every GFX job wrote its CE and DE metadata into this VF's own CSA.
          XCTAssertEqual(
            function.hardware.cp.metadataWrites - metadataBefore[index], 2 * shared[index].graphics,
            "\(chip) vf\(index)")
          let csa = function.guest.contextSaveArea
          let gdsBackup = csa.virtualAddress + 0x100 + 22 * 4  // vi_de_ib_state_chained_ib.gds_backup_addrlo
          XCTAssertEqual(
            function.hardware.memory.read32(at: gdsBackup), UInt32(truncatingIfNeeded: csa.gdsBackupAddress),
            "\(chip) vf\(index)")
          XCTAssertEqual(function.hardware.memory.faults, [], "\(chip) vf\(index)")
        }

        // VF 2's CP hangs: its next world switch fails, it alone is reset, and the others go on.
        let hung = functions[2].hardware.cp
        var faults = CommandProcessorSimulation.Faults()
        faults.hangAfterPackets = hung.packetsExecuted + 20
        hung.setFaults(faults)
        let after = await Self.workTogether(functions, for: .milliseconds(120))
        XCTAssertNotNil(after[2].problem, "\(chip): VF 2's work stopped")
        for index in [0, 1, 3] {
          XCTAssertNil(after[index].problem, "\(chip) vf\(index)")
          XCTAssertGreaterThan(after[index].completed, 50, "\(chip) vf\(index)")
        }
        let resets = gpu.host.log.filter { $0.entry == .resetStarted }.map(\.vf)
        XCTAssertEqual(Set(resets), [2], "\(chip)")
        XCTAssertTrue(gpu.host.log.contains { $0.vf == 2 && $0.entry == .worldSwitchFailed(status: 0x0E) }, "\(chip)")
      }
    }
  }
}
