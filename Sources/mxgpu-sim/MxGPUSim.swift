import ArgumentParser
import Foundation
import MxGenerator
import MxKIQ
import MxScenario
import MxSimulator
import MxSpecModel

/// `mxgpu-sim`: runs VFs of a Tonga or Fiji through their life cycle against the simulated GIM
/// host, with faults, and prints what happened.
@main
struct MxGPUSim: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mxgpu-sim",
    abstract: "Run MxGPU virtual functions against a simulated GIM host and print the timeline.",
    discussion: """
      Steps (--steps, in order): \(Scenario.Step.Action.allCases.map(\.rawValue).joined(separator: ", ")); \
      each on every VF, or on one with @vfN (hang@vf2).
      Faults (--fault, repeatable): \(ScenarioFault.help).
      Work (--work N, or the step `work`): N CP DMA copies and fills per VF round-robin on its compute rings and its GFX ring, each \
      fence awaited and each destination checked byte for byte; without a `work` step, --work adds one \
      after bring-up.
      Time is virtual: a 12 s timeout takes milliseconds, and every run prints the same.
      """)

  @Option(help: "tonga or fiji.")
  var chip: String = "fiji"

  @Option(help: "How many VFs share the host (1-16).")
  var vfs = 1

  @Option(name: .customLong("fault"), help: "A fault to inject (see below).")
  var faults: [String] = []

  @Option(help: "Comma-separated steps.")
  var steps = "bring-up,read,teardown"

  @Option(help: "Submissions per VF in each `work` step (one is added after bring-up when absent).")
  var work: Int?

  @Option(
    name: .customLong("switch-times"),
    help: "SAVE_GPU_STATE, LOAD_GPU_STATE and RUN_GPU times of a world switch, in µs (default: 0,0,0).")
  var switchTimes: String?

  @Option(
    help: """
      Run a soak instead of the steps: this many seconds of virtual time of work and random \
      faults on --vfs VFs, then a report (exit status 1 when it found a problem).
      """)
  var soak: Int?

  @Option(help: "The soak's seed.")
  var seed: UInt64 = 0x50A4_2026

  @Flag(help: "Leave out register accesses.")
  var noMMIO = false

  @Flag(help: "Print JSON.")
  var json = false

  @Option(
    help: "Specs folder or file, for register names (default: the built-in specs; without names if unreadable)."
  )
  var specs: String?

  @Option(
    help: """
      Write each VF's rings at the end into DIR/vf<N>/ as amdgpu's debugfs has them \
      (amdgpu_ring_<name>), with its GPU memory (memory-<base>.bin, one file per domain) for `mxgpu ring`.
      """)
  var debugfs: String?

  /// `SAVE,LOAD,RUN` in microseconds.
  static func worldSwitch(_ text: String) throws -> WorldSwitchTiming {
    let times = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
    guard times.count == 3, let save = times[0], let load = times[1], let run = times[2], save >= 0, load >= 0, run >= 0
    else {
      throw ValidationError("--switch-times takes three times in µs, SAVE,LOAD,RUN, not '\(text)'")
    }
    return WorldSwitchTiming(save: .microseconds(save), load: .microseconds(load), run: .microseconds(run))
  }

  func run() async throws {
    guard let chip = VIChip(rawValue: chip.lowercased()) else { throw ValidationError("unknown chip '\(chip)'") }
    guard (1...16).contains(vfs) else { throw ValidationError("--vfs takes 1 to 16") }
    if let work, work < 1 { throw ValidationError("--work takes a number of submissions above 0") }
    if let soak {
      guard soak > 0 else { throw ValidationError("--soak takes a number of seconds above 0") }
      try await runSoak(chip: chip, seconds: soak)
      return
    }
    let worldSwitch = try switchTimes.map(Self.worldSwitch) ?? WorldSwitchTiming()
    let timeline: Timeline
    do {
      let faults = try self.faults.map { (text) throws(ScenarioSyntaxError) in try ScenarioFault(text) }
      var steps = try self.steps.split(separator: ",").map { (text) throws(ScenarioSyntaxError) in
        try Scenario.Step(String(text))
      }
      var scenario = Scenario(chip: chip, functions: vfs, faults: faults, steps: steps)
      scenario.worldSwitch = worldSwitch
      if let work {
        scenario.workload.submissions = work
        if !steps.contains(where: { $0.action == .work }) {
          let afterBringUp = (steps.firstIndex { $0.action == .bringUp }).map { $0 + 1 } ?? 0
          steps.insert(Scenario.Step(.work), at: afterBringUp)
          scenario.steps = steps
        }
      }
      timeline = try await scenario.run()
    } catch {
      throw ValidationError(error.description)
    }
    if let debugfs { try DebugfsExport.write(timeline, to: debugfs) }
    let naming = Self.naming(specs: specs, chip: chip)
    var sources = Set(Timeline.Source.allCases)
    if noMMIO { sources.remove(.mmio) }
    if json {
      let report = Report(
        chip: chip.rawValue, faults: faults, steps: steps.split(separator: ",").map(String.init),
        functions: timeline.functions.map(Report.Function.init),
        entries: timeline.entries(naming: naming, sources: sources))
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      FileHandle.standardOutput.write(try encoder.encode(report))
      print()
    } else {
      print(timeline.text(naming: naming, sources: sources), terminator: "")
    }
    if !timeline.failures.isEmpty { throw ExitCode.failure }
  }

  /// `--soak`: the report as text or JSON; exit status 1 when it found a problem.
  func runSoak(chip: VIChip, seconds: Int) async throws {
    let clock = ContinuousClock()
    let start = clock.now
    let report = await Soak(chip: chip, functions: vfs, duration: .seconds(seconds), seed: seed).run()
    let elapsed = start.duration(to: clock.now)
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      FileHandle.standardOutput.write(try encoder.encode(report))
      print()
    } else {
      let work = report.submissions
      print("soak: \(vfs) \(chip.rawValue) VFs, \(report.virtualTime) virtual, \(elapsed) real, seed \(seed)")
      let listing = { (counts: [String: Int]) in
        counts.isEmpty
          ? "none" : counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
      }
      print("  faults: \(listing(report.faults))")
      print("  host misbehaving: \(listing(report.hostMisbehaviour))")
      print(
        "  host faults throughout: \(report.hostFaults.isEmpty ? "none" : report.hostFaults.joined(separator: ", "))")
      print(
        "  submissions: \(work.submitted) submitted, \(work.checked) checked (\(work.bytesChecked) bytes), "
          + "\(work.lostToReset) lost to resets, \(work.failed) failed")
      print(
        "  register reads: \(report.reads), failed \(report.readsFailed); hangs detected \(report.hangsDetected); "
          + "suspends \(report.suspends); reloads \(report.reloads) (VM reboots \(report.virtualMachineReboots))")
      for (failure, count) in report.failures.sorted(by: { $0.value > $1.value }) {
        print("    failed \(count)×: \(failure)")
      }
      print(
        "  steps \(report.steps), host records \(report.hostRecords), packets \(report.packets), "
          + "GPU accesses outside memory \(report.memoryFaults)")
      print(
        report.problems.isEmpty ? "  no problem" : report.problems.map { "  PROBLEM: \($0)" }.joined(separator: "\n"))
    }
    if !report.problems.isEmpty { throw ExitCode.failure }
  }

  /// What `--json` prints: the run's inputs, where each VF ended, and the time line.
  struct Report: Encodable {
    var chip: String
    var faults: [String]
    var steps: [String]
    var functions: [Function]
    var entries: [Timeline.Entry]

    struct Function: Encodable {
      var vf: Int
      /// `runtime`, `off`, `failed`, …
      var state: String
      var onRunList: Bool
      var failure: ScenarioFailure?
      /// Its workload's submissions by outcome.
      var work: Timeline.WorkSummary

      init(_ outcome: Timeline.FunctionOutcome) {
        vf = outcome.vf
        state = "\(outcome.state)"
        onRunList = outcome.onRunList
        failure = outcome.failure
        work = outcome.work
      }
    }
  }

  /// Register names by dword offset from the chip's blocks, and packets as the disassembler
  /// shows them, from the specs; plain offsets and Swift's view of packets without them.
  static func naming(specs: String?, chip: VIChip) -> Timeline.Naming {
    let (spec, diagnostics) = Generator().check(specsAt: specs)
    guard !diagnostics.hasErrors, let chip = spec.chips.first(where: { $0.name.lowercased() == chip.rawValue }) else {
      return Timeline.Naming()
    }
    var names: [UInt32: String] = [:]
    for block in spec.blocks.used(by: chip) {
      for register in block.registers where register.space == AddressSpace.mmioName {
        names[register.offset] = names[register.offset] ?? register.name
      }
    }
    let disassembler = spec.packetSets.first.map { PacketDisassembler(set: $0, in: spec) }
    return Timeline.Naming(
      register: { names[$0] },
      packet: { dwords in
        guard let decoded = disassembler?.decode(dwords), decoded.error == nil, decoded.packets.count == 1 else {
          return nil
        }
        let line = decoded.packets[0].line  // "0000: NAME FIELD=…": the index says nothing here
        return line.firstIndex(of: " ").map { String(line[line.index(after: $0)...]) } ?? line
      })
  }
}
