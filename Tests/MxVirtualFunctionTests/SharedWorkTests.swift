import MxCSA
import MxKIQ
import MxMemory
import MxScenario
import MxSimulator
import MxSubmission
import MxVirtualFunction
import XCTest

/// Four VFs working at once on one GPU whose CPs take time for each packet: GIM's slices share
/// the GPU fairly, every submission completes once and in order across the world switches (its
/// constant engine's work with it), each VF's CSA holds the metadata it wrote, and one VF's hang
/// costs the others nothing.
final class SharedWorkTests: XCTestCase {
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

        let shared = await SteadyWork.run(functions.map(\.guest), on: gpu, for: .milliseconds(240))
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
          // Each GFX job's CE IB (three packets) ran once, across the switches.
          XCTAssertEqual(
            function.hardware.cp.executed.filter(\.constantEngine).count, 3 * shared[index].graphics,
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
        let after = await SteadyWork.run(functions.map(\.guest), on: gpu, for: .milliseconds(120))
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
