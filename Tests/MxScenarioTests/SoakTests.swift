import MxKIQ
import MxScenario
import MxSimulator
import TestSupport
import XCTest

/// Soaks short enough for CI (minutes of virtual time, a few VFs): every promise kept under
/// faults of every kind, the same report from the same seed, and a VF no driver can cure
/// reported, not hidden. `mxgpu-sim --soak` runs the long ones (docs/Work.md).
final class SoakTests: XCTestCase {
  func testASoakKeepsEveryPromiseUnderFaultsOfEveryKind() async {
    for (chip, seed) in [(VIChip.tonga, UInt64(3)), (.fiji, 0x50A4_2026)] {
      var soak = Soak(chip: chip, functions: 4, duration: .seconds(20), seed: seed)
      soak.meanFaultInterval = .milliseconds(400)
      let report = await soak.run()
      let label = "\(chip), seed \(seed)"
      XCTAssertEqual(report.problems, [], label)
      XCTAssertEqual(report.faults.keys.sorted(), Soak.faultKinds.sorted(), "\(label): every kind of fault came")
      XCTAssertGreaterThan(report.faults.values.reduce(0, +), 30, label)
      XCTAssertFalse(report.hostMisbehaviour.isEmpty, label)
      let work = report.submissions
      XCTAssertGreaterThan(work.checked, 1_000, label)
      XCTAssertEqual(work.failed, 0, label)
      XCTAssertEqual(work.checked + work.lostToReset, work.submitted, "\(label): every submission accounted for")
      XCTAssertGreaterThan(report.hangsDetected, 0, label)
      XCTAssertGreaterThan(report.recoveries, 0, label)
      XCTAssertGreaterThan(report.suspends, 0, label)
      XCTAssertGreaterThan(report.reads, 0, label)
      XCTAssertEqual(report.memoryFaults, 0, label)
      XCTAssertGreaterThanOrEqual(report.virtualTime, .seconds(20), label)
    }
  }

  func testTheSameSeedGivesTheSameSoak() async throws {
    let soak = Soak(chip: .tonga, functions: 3, duration: .seconds(5), seed: 11)
    let (first, second) = (await soak.run(), await soak.run())
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    XCTAssertEqual(
      String(decoding: try encoder.encode(first), as: UTF8.self),
      String(decoding: try encoder.encode(second), as: UTF8.self))
    var other = soak
    other.seed = 12
    let otherPackets = await other.run().packets
    XCTAssertNotEqual(otherPackets, first.packets)
  }

  func testAVFNoDriverCanCureIsReportedAndTheOthersAreNot() async {
    var soak = Soak(chip: .fiji, functions: 3, duration: .seconds(5), seed: 5)
    soak.settle = .seconds(20)
    var garbage = CommandProcessorSimulation.Faults()
    garbage.readPointer = 0xBAD
    soak.brokenFunctions = [1: garbage]
    let report = await soak.run()
    XCTAssertFalse(report.problems.isEmpty)
    XCTAssertTrue(report.problems.allSatisfy { $0.hasPrefix("vf1: ") }, "\(report.problems)")
    XCTAssertGreaterThan(report.virtualMachineReboots, 0, "reloads failed until the VM rebooted, which did not help")
  }

  func testTheToolRunsASoakAndSaysSo() throws {
    let run = try ExecutableRun("mxgpu-sim", ["--soak", "2", "--vfs", "2", "--chip", "tonga", "--seed", "9", "--json"])
    XCTAssertEqual(run.status, 0, run.stderr)
    let report = try JSONDecoder().decode(SoakReport.self, from: Data(run.stdout.utf8))
    XCTAssertEqual(report.problems, [])
    XCTAssertGreaterThan(report.submissions.checked, 0)
    XCTAssertGreaterThanOrEqual(report.virtualTime, .seconds(2))
    let text = try ExecutableRun("mxgpu-sim", ["--soak", "2", "--vfs", "2", "--chip", "tonga", "--seed", "9"])
    XCTAssertTrue(text.stdout.hasPrefix("soak: 2 tonga VFs, "), text.stdout)
    XCTAssertTrue(text.stdout.contains("\(report.submissions.checked) checked"), text.stdout)
    XCTAssertTrue(text.stdout.hasSuffix("no problem\n"), text.stdout)
    XCTAssertEqual(try ExecutableRun("mxgpu-sim", ["--soak", "0"]).status, 64, "a usage error")
  }
}
