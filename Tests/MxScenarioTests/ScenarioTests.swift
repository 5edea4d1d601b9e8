import Foundation
import MxKIQ
import MxMailbox
import MxScenario
import TestSupport
import XCTest

/// The scenarios `mxgpu-sim` runs, in process and as the executable: every VF reaches runtime
/// through the injected faults, the timeline shows the host's side and the ring packets, and a
/// run prints the same every time.
final class ScenarioTests: XCTestCase {
  func testFourVFsWithAResetDuringInitAllReachRuntime() async throws {
    for chip in VIChip.allCases {
      let timeline = try await Scenario(
        chip: chip, functions: 4, faults: [ScenarioFault(.resetDuringInit(.milliseconds(2)))], steps: [.bringUp, .read]
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

  func testAWorkloadIsCheckedAndInTheTimeline() async throws {
    for chip in VIChip.allCases {
      var scenario = Scenario(
        chip: chip, functions: 2, faults: [try ScenarioFault("cp-slow=20@vf1")],
        steps: [.bringUp, Scenario.Step(.work)])
      scenario.workload = Workload(submissions: 9, bytes: 1000)
      let timeline = try await scenario.run()
      XCTAssertEqual(timeline.failures, [:], "\(chip)")
      for outcome in timeline.functions {
        XCTAssertEqual(
          outcome.work, Timeline.WorkSummary(submitted: 9, checked: 9, lostToReset: 0, failed: 0, bytesChecked: 18_000),
          "\(chip) vf\(outcome.vf)")
        // Round-robin over the eight compute rings and the GFX ring: nine submissions reach each once.
        XCTAssertEqual(Set(timeline.work[outcome.vf].map(\.ring)).count, 9, "\(chip) vf\(outcome.vf)")
        XCTAssertTrue(timeline.work[outcome.vf].contains { $0.ring == "gfx" }, "\(chip) vf\(outcome.vf)")
      }
      // VF 1's CP runs each ring 20 ms after its doorbell: its fences take that long.
      for record in timeline.work[1] {
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(record.ended) - record.submitted, .milliseconds(20))
      }
      let entries = timeline.entries()
      XCTAssertEqual(entries.filter { $0.source == .work && $0.text.hasSuffix("1000 bytes checked") }.count, 0)
      XCTAssertEqual(entries.filter { $0.source == .work && $0.text.hasSuffix("2000 bytes checked") }.count, 18)
      // The GFX job's CE and DE metadata, written into the CSA.
      XCTAssertEqual(
        entries.filter { $0.source == .ring && $0.text.contains("WRITE_DATA_DST_SEL(rawValue: 8)") }.count, 4,
        "\(chip)")
      XCTAssertTrue(entries.contains { $0.source == .irq && $0.text.hasPrefix("IV CP_END_OF_PIPE") })
      XCTAssertTrue(entries.contains { $0.source == .irq && $0.text.hasPrefix("IV BIF_VF_PF_MSGBUF_ACK") })
      // The world switches between the two, command by command.
      for command in ["IDLE_GPU", "SAVE_GPU_STATE", "LOAD_GPU_STATE", "RUN_GPU"] {
        XCTAssertTrue(entries.contains { $0.source == .host && $0.text == "\(command) done in 0 µs" }, command)
      }
    }
  }

  func testEveryStepWithFaults() async throws {
    let timeline = try await Scenario(
      chip: .tonga, functions: 2,
      faults: [ScenarioFault(.ignoreRequests(1)), ScenarioFault(.resetInRuntime(.milliseconds(1)))],
      steps: Scenario.Step.everyAction
    ).run()
    XCTAssertEqual(timeline.failures, [:])
    let life = timeline.entries(sources: [.life])
    for vf in 0..<2 {
      let texts = life.filter { $0.vf == vf }.map(\.text)
      // The host's reset in runtime, then the hang the VF detects itself.
      XCTAssertEqual(texts.filter { $0 == "recovered" }.count, 2, "vf\(vf)")
      XCTAssertTrue(texts.contains("suspended"), "vf\(vf)")
      XCTAssertEqual(texts.last, "tornDown", "vf\(vf)")
    }
    XCTAssertEqual(timeline.hostLog.filter { $0.entry == .droppedRequest(1) }.map(\.vf), [0, 1], "each VF's first")
    XCTAssertLessThan(timeline.end, .seconds(60), "bounded virtual time, the 12 s unanswered request included")
  }

  func testAHostThatNeverAnswersIsAFailureInTheTimeline() async throws {
    // GIM takes the grant it never announced back after 5 s, every time; the mailbox waits each
    // reset out and asks once more (two limits per attempt), and the VF gives up after its three
    // attempts.
    let timeline = try await Scenario(chip: .fiji, faults: [ScenarioFault(.noReady)], steps: [.bringUp]).run()
    let failure = try XCTUnwrap(timeline.failures[0])
    XCTAssertEqual(
      [failure.step, failure.domain, failure.kind, failure.lastKind],
      ["bring-up", "VirtualFunctionError", "attemptsExhausted", "resetDuringExclusiveWork"])
    XCTAssertTrue(failure.error.hasPrefix("attemptsExhausted(3"), failure.error)
    // The VF's state is left alone: the host's reset after its last exclusive limit starts a
    // recovery at the instant the VF gives up (a completed host reset is honoured in every
    // state), so the VF is failed or recovering again, depending on which the run sees first.
    XCTAssertEqual(timeline.hostLog.filter { $0.entry == .exclusiveTimeout }.count, 6)
    XCTAssertLessThan(timeline.end, .seconds(60))
  }

  func testFaultAndStepNames() throws {
    XCTAssertEqual(try ScenarioFault("flr-during-init"), ScenarioFault(.resetDuringInit(.milliseconds(2))))
    XCTAssertEqual(try ScenarioFault("ignore-requests=3"), ScenarioFault(.ignoreRequests(3)))
    XCTAssertEqual(try ScenarioFault("cp-slow=20@vf3"), ScenarioFault(.cpSlow(.milliseconds(20)), on: 3))
    XCTAssertEqual(try ScenarioFault("no-ack@vf0"), ScenarioFault(.noAcknowledgement, on: 0))
    XCTAssertEqual(try Scenario.Step("hang@vf2"), Scenario.Step(.hang, on: 2))
    XCTAssertEqual(try Scenario.Step("read"), .read)
    let refused: [(String, String)] = [
      ("cp-slow", "cp-slow needs a value"), ("no-ack=x", "'x' is not a whole number"), ("melt", "unknown fault 'melt'"),
      ("cp-hang@2", "'@2' names no VF"), ("cp-hang@vf", "'@vf' names no VF"), ("liquid@vf1", "cannot be aimed"),
    ]
    for (text, message) in refused {
      XCTAssertThrowsError(try ScenarioFault(text), text) { error in
        XCTAssertTrue("\(error)".contains(message), "\(text): \(error)")
      }
    }
    XCTAssertThrowsError(try Scenario.Step("hang@vfX"))
    XCTAssertThrowsError(try Scenario.Step("melt"))
  }

  func testAScenarioRefusesAVFItDoesNotHave() async {
    for scenario in [
      Scenario(chip: .fiji, functions: 2, faults: [ScenarioFault(.noReady, on: 2)]),
      Scenario(chip: .fiji, functions: 2, steps: [.bringUp, Scenario.Step(.hang, on: 5)]),
    ] {
      do {
        _ = try await scenario.run()
        XCTFail("ran")
      } catch {
        XCTAssertTrue(error.description.contains("but the scenario has 2 VFs"), error.description)
      }
    }
  }

  // MARK: Faults aimed at one VF

  /// Runs three VFs with `fault` aimed at VF 1 and the steps; returns the timeline.
  private func aimedAtVF1(_ kind: ScenarioFault.Kind, steps: [Scenario.Step] = [.bringUp, .read]) async throws
    -> Timeline
  {
    try await Scenario(chip: .tonga, functions: 3, faults: [ScenarioFault(kind, on: 1)], steps: steps).run()
  }

  /// VFs 0 and 2 took every step and are in runtime, on the run list.
  private func assertTheOthersAreUntouched(_ timeline: Timeline, _ what: String, line: UInt = #line) {
    for vf in [0, 2] {
      let outcome = timeline.functions[vf]
      XCTAssertNil(outcome.failure, "\(what): vf\(vf)", line: line)
      XCTAssertEqual(outcome.state, .runtime, "\(what): vf\(vf)", line: line)
      XCTAssertTrue(outcome.onRunList, "\(what): vf\(vf)", line: line)
    }
  }

  func testAHostFaultAimedAtOneVFReachesOnlyIt() async throws {
    let silent = try await aimedAtVF1(.noReady)
    assertTheOthersAreUntouched(silent, "no-ready")

    let deaf = try await aimedAtVF1(.noAcknowledgement)
    assertTheOthersAreUntouched(deaf, "no-ack")
    XCTAssertEqual(deaf.functions[1].state, .failed)
    XCTAssertFalse(deaf.functions[1].onRunList)
    XCTAssertEqual(deaf.functions[1].failure?.lastKind, "noAcknowledgement")
    XCTAssertFalse(deaf.hostLog.contains { $0.vf == 1 }, "the host never heard VF 1")
    XCTAssertEqual(silent.functions[1].failure?.kind, "attemptsExhausted")
    XCTAssertEqual(Set(silent.hostLog.filter { $0.entry == .exclusiveTimeout }.map(\.vf)), [1])

    let dropping = try await aimedAtVF1(.ignoreRequests(2))
    assertTheOthersAreUntouched(dropping, "ignore-requests")
    XCTAssertNil(dropping.functions[1].failure, "the VF asks again and is served")
    // The fault's drops, not a VF's own release overwriting its waiting request when it asks
    // again (VF 2's request, which waited behind VF 1's dropped one: GIM serves one per run).
    let log = dropping.hostLog
    let faultDrops = log.indices.filter { index in
      guard case .droppedRequest = log[index].entry else { return false }
      let previous = log[..<index].last { $0.vf == log[index].vf }
      return previous?.entry != .received(XgpuViRequest.IDH_REL_GPU_INIT_ACCESS.rawValue)
    }
    XCTAssertEqual(faultDrops.map { log[$0].vf }, [1, 1])

    let shortLimit = try await aimedAtVF1(.exclusiveTimeout(.microseconds(40)))
    assertTheOthersAreUntouched(shortLimit, "exclusive-timeout")
    XCTAssertEqual(Set(shortLimit.hostLog.filter { $0.entry == .exclusiveTimeout }.map(\.vf)), [1])

    for kind in [ScenarioFault.Kind.resetDuringInit(.milliseconds(2)), .resetInRuntime(.milliseconds(1))] {
      let reset = try await aimedAtVF1(kind)
      assertTheOthersAreUntouched(reset, "\(kind)")
      XCTAssertNil(reset.functions[1].failure, "\(kind): VF 1 recovers")
      XCTAssertEqual(reset.functions[1].state, .runtime, "\(kind)")
      XCTAssertEqual(Set(reset.hostLog.filter { $0.entry == .resetStarted }.map(\.vf)), [1], "\(kind)")
    }
  }

  func testACPFaultAimedAtOneVFReachesOnlyItsCP() async throws {
    let baseline = try await Scenario(chip: .tonga, functions: 3, steps: [.bringUp, .read]).run()
    let slow = try await aimedAtVF1(.cpSlow(.milliseconds(3)))
    assertTheOthersAreUntouched(slow, "cp-slow")
    // The exclusive build (grant to runtime) takes as long as without the fault on VFs 0 and 2,
    // and longer on VF 1, whose CP runs each ring 3 ms after its doorbell.
    func build(_ timeline: Timeline, _ vf: Int) throws -> Int64 {
      let life = timeline.entries(sources: [.life]).filter { $0.vf == vf }
      let granted = try XCTUnwrap(life.first { $0.text.hasPrefix("accessGranted") })
      let runtime = try XCTUnwrap(life.first { $0.text == "runtime" })
      return runtime.time - granted.time
    }
    for vf in [0, 2] { XCTAssertEqual(try build(slow, vf), try build(baseline, vf), "vf\(vf)") }
    XCTAssertGreaterThan(try build(slow, 1), try build(baseline, 1) + 3_000_000)

    let hung = try await aimedAtVF1(.cpHang(afterPackets: 1))
    assertTheOthersAreUntouched(hung, "cp-hang")
    let hangs = hung.entries(sources: [.life]).filter { $0.text.hasPrefix("recoveryStarted") }
    XCTAssertFalse(hangs.isEmpty, "VF 1's bring-up meets its hung CP")
    XCTAssertEqual(Set(hangs.map(\.vf)), [1])
    // The CP's hang is in the time line, with its reason.
    let hangEntries = hung.entries(sources: [.ring]).filter { $0.text.hasPrefix("queue hung: ") }
    XCTAssertEqual(Set(hangEntries.map(\.vf)), [1])
    XCTAssertTrue(hangEntries.contains { $0.text.contains("hang injected after 1 packets") }, "\(hangEntries)")
  }

  func testAStepAimedAtOneVF() async throws {
    let timeline = try await Scenario(
      chip: .fiji, functions: 3, steps: [.bringUp, Scenario.Step(.hang, on: 2), Scenario.Step(.teardown, on: 0)]
    ).run()
    XCTAssertEqual(timeline.failures, [:])
    XCTAssertEqual(timeline.functions.map(\.state), [.off, .runtime, .runtime])
    let recovered = timeline.entries(sources: [.life]).filter { $0.text == "recovered" }
    XCTAssertEqual(recovered.map(\.vf), [2])
    XCTAssertEqual(timeline.hostLog.filter { $0.entry == .received(5) }.map(\.vf), [2], "REQ_GPU_RESET_ACCESS")
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
    let functions = try XCTUnwrap(report["functions"] as? [[String: Any]])
    XCTAssertEqual(functions.map { $0["state"] as? String }, ["off", "off"], "torn down")
    XCTAssertTrue(functions.allSatisfy { $0["failure"] == nil })
    let entries = try XCTUnwrap(report["entries"] as? [[String: Any]])
    let texts = entries.compactMap { $0["text"] as? String }
    XCTAssertTrue(texts.contains { $0.hasPrefix("W MAILBOX_MSGBUF_TRN_DW0 (0x14C8) ← 0x00000001") }, "MMIO by name")
    XCTAssertTrue(
      texts.contains { $0.contains("MAP_QUEUES QUEUE_SEL=MAP_TO_SPECIFIED_QUEUE_SLOTS(0)") }, "packets decoded")
    XCTAssertEqual(try mxgpuSim(arguments).stdout, run.stdout, "virtual time: the same every run")
  }

  /// The world switches' commands with the times `--switch-times` gives them, in the JSON.
  func testTheToolShowsWorldSwitchCommandsWithTheirTimes() throws {
    let run = try mxgpuSim(["--vfs", "2", "--no-mmio", "--switch-times", "100,150,10", "--json"])
    XCTAssertEqual(run.status, 0, run.stderr)
    let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let entries = try XCTUnwrap(report["entries"] as? [[String: Any]])
    let host = entries.filter { $0["source"] as? String == "host" }.compactMap { $0["text"] as? String }
    for line in [
      "IDLE_GPU done in 0 µs", "SAVE_GPU_STATE done in 100 µs", "LOAD_GPU_STATE done in 150 µs",
      "RUN_GPU done in 10 µs",
    ] {
      XCTAssertTrue(host.contains(line), line)
    }
    let bad = try mxgpuSim(["--switch-times", "100,x,10"])
    XCTAssertNotEqual(bad.status, 0)
    XCTAssertTrue(
      bad.stderr.contains("--switch-times takes three times in µs, SAVE,LOAD,RUN, not '100,x,10'"), bad.stderr)
  }

  func testTheToolsJSONGivesEachVFsEndAndFailureAsData() throws {
    let run = try mxgpuSim(["--vfs", "3", "--fault", "no-ack@vf1", "--steps", "bring-up", "--no-mmio", "--json"])
    XCTAssertEqual(run.status, 1, run.stderr)
    let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let functions = try XCTUnwrap(report["functions"] as? [[String: Any]])
    XCTAssertEqual(functions.map { $0["vf"] as? Int }, [0, 1, 2])
    XCTAssertEqual(functions.map { $0["state"] as? String }, ["runtime", "failed", "runtime"])
    XCTAssertEqual(functions.map { $0["onRunList"] as? Bool }, [true, false, true])
    let failure = try XCTUnwrap(functions[1]["failure"] as? [String: String])
    XCTAssertEqual(failure["step"], "bring-up")
    XCTAssertEqual(failure["domain"], "VirtualFunctionError")
    XCTAssertEqual(failure["kind"], "accessNotGranted")
    XCTAssertEqual(failure["lastKind"], "noAcknowledgement", "the last attempt's error")
    XCTAssertTrue(failure["error"]?.hasPrefix("accessNotGranted(") == true, failure["error"] ?? "")
    XCTAssertNil(functions[0]["failure"])
  }

  func testTheToolExitsNonZeroOnFailureAndOnBadArguments() throws {
    let failed = try mxgpuSim(["--fault", "no-ready", "--steps", "bring-up", "--no-mmio"])
    XCTAssertEqual(failed.status, 1)
    XCTAssertTrue(failed.stdout.contains("FAILED vf0: bring-up: attemptsExhausted"), failed.stdout)
    let bad = try mxgpuSim(["--fault", "melt"])
    XCTAssertNotEqual(bad.status, 0)
    XCTAssertTrue(bad.stderr.contains("unknown fault 'melt'"), bad.stderr)
    let absent = try mxgpuSim(["--vfs", "2", "--fault", "cp-hang@vf2"])
    XCTAssertNotEqual(absent.status, 0)
    XCTAssertTrue(absent.stderr.contains("vf2 is aimed at, but the scenario has 2 VFs"), absent.stderr)
  }
}
