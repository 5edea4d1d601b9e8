import Foundation
import MxKIQ
import MxScenario
import TestSupport
import XCTest

/// The scenarios `mxgpu-sim` runs, in process and as the executable: every VF reaches runtime
/// through the injected faults, the timeline shows the host's side and the ring packets, and a
/// run prints the same every time.
final class ScenarioTests: XCTestCase {
  func testFourVFsWithAResetDuringInitAllReachRuntime() async {
    for chip in VIChip.allCases {
      let timeline = await Scenario(
        chip: chip, functions: 4, faults: [.resetDuringInit(.milliseconds(2))], steps: [.bringUp, .read]
      ).run()
      XCTAssertEqual(timeline.failures, [:], "\(chip)")
      let entries = timeline.entries()
      for vf in 0..<4 {
        XCTAssertTrue(entries.contains { $0.vf == vf && $0.source == .life && $0.text == "runtime" }, "\(chip) vf\(vf)")
      }
      XCTAssertTrue(entries.contains { $0.source == .host && $0.text == "sent IDH_FLR_NOTIFICATION" })
      XCTAssertTrue(entries.contains { $0.source == .ring && $0.text.contains("COPY_DATA") }, "the KIQ read")
      XCTAssertEqual(entries.map(\.time), entries.map(\.time).sorted(), "in time order")
    }
  }

  func testEveryStepWithFaults() async {
    let timeline = await Scenario(
      chip: .tonga, functions: 2, faults: [.ignoreRequests(1), .resetInRuntime(.milliseconds(1))],
      steps: Scenario.Step.allCases
    ).run()
    XCTAssertEqual(timeline.failures, [:])
    let life = timeline.entries(sources: [.life]).map(\.text)
    XCTAssertTrue(life.contains("recovered"))
    XCTAssertTrue(life.contains("suspended"))
    XCTAssertEqual(life.filter { $0 == "tornDown" }.count, 2)
    XCTAssertLessThan(timeline.end, .seconds(60), "bounded virtual time, the 12 s unanswered request included")
  }

  func testAHostThatNeverAnswersIsAFailureInTheTimeline() async {
    // GIM takes the grant it never announced back after 5 s, every time; the mailbox waits each
    // reset out and asks once more (two limits per attempt), and the VF gives up after its three
    // attempts.
    let timeline = await Scenario(chip: .fiji, faults: [.noReady], steps: [.bringUp]).run()
    XCTAssertEqual(timeline.failures.keys.sorted(), [0])
    XCTAssertTrue(timeline.failures[0]?.hasPrefix("bring-up: attemptsExhausted(3") == true, timeline.failures[0] ?? "")
    XCTAssertEqual(timeline.hostLog.filter { $0.entry == .exclusiveTimeout }.count, 6)
    XCTAssertLessThan(timeline.end, .seconds(60))
  }

  func testFaultNames() {
    XCTAssertEqual(ScenarioFault("flr-during-init"), .resetDuringInit(.milliseconds(2)))
    XCTAssertEqual(ScenarioFault("ignore-requests=3"), .ignoreRequests(3))
    XCTAssertEqual(ScenarioFault("cp-slow=20"), .cpSlow(.milliseconds(20)))
    XCTAssertNil(ScenarioFault("cp-slow"), "a delay must be given")
    XCTAssertNil(ScenarioFault("no-ack=x"))
    XCTAssertNil(ScenarioFault("melt"))
  }

  // MARK: The executable

  private func mxgpuSim(_ arguments: [String]) throws -> ExecutableRun {
    try ExecutableRun("mxgpu-sim", arguments)
  }

  func testTheToolPrintsJSONAndTheSameEveryTime() throws {
    let arguments = ["--chip", "tonga", "--vfs", "2", "--fault", "flr-during-init", "--json"]
    let run = try mxgpuSim(arguments)
    XCTAssertEqual(run.status, 0, run.stderr)
    let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    XCTAssertEqual(report["chip"] as? String, "tonga")
    XCTAssertEqual((report["failures"] as? [String: String])?.count, 0)
    let entries = try XCTUnwrap(report["entries"] as? [[String: Any]])
    let texts = entries.compactMap { $0["text"] as? String }
    XCTAssertTrue(texts.contains { $0.hasPrefix("W MAILBOX_MSGBUF_TRN_DW0 (0x14C8) ← 0x00000001") }, "MMIO by name")
    XCTAssertTrue(
      texts.contains { $0.contains("MAP_QUEUES QUEUE_SEL=MAP_TO_SPECIFIED_QUEUE_SLOTS(0)") }, "packets decoded")
    XCTAssertEqual(try mxgpuSim(arguments).stdout, run.stdout, "virtual time: the same every run")
  }

  func testTheToolExitsNonZeroOnFailureAndOnBadArguments() throws {
    let failed = try mxgpuSim(["--fault", "no-ready", "--steps", "bring-up", "--no-mmio"])
    XCTAssertEqual(failed.status, 1)
    XCTAssertTrue(failed.stdout.contains("FAILED vf0: bring-up: attemptsExhausted"), failed.stdout)
    let bad = try mxgpuSim(["--fault", "melt"])
    XCTAssertNotEqual(bad.status, 0)
    XCTAssertTrue(bad.stderr.contains("unknown fault 'melt'"), bad.stderr)
  }
}
