import Foundation
import MxScenario
import MxSimulator
import MxVirtualFunction

// World switches with every VF at work (docs/Graphics.md). Usage: world-switch [MILLISECONDS]
//   4 and then 16 VFs on one Fiji GPU whose CPs take 2 µs per packet, each brought up, then the
//   given virtual time (default 1000 ms) of SteadyWork: jobs on its GFX ring and a compute ring
//   in turn, each awaited and checked. Once with the switch commands taking no time, once with
//   SAVE 100 µs, LOAD 100 µs, RUN 10 µs (the model's guess). Prints world switches per simulated
//   second, real time per simulated second, GFX and all jobs per simulated second, and the spread
//   of completed jobs across VFs (fewest / most).

let milliseconds = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 1000

func seconds(_ duration: Duration) -> Double {
  Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func microseconds(_ duration: Duration) -> String { "\(Int(seconds(duration) * 1e6)) µs" }

for timing in [
  WorldSwitchTiming(), WorldSwitchTiming(save: .microseconds(100), load: .microseconds(100), run: .microseconds(10)),
] {
  for count in [4, 16] {
    var behavior = HostBehavior()
    behavior.worldSwitch = timing
    let gpu = SimulatedGPU(behavior: behavior, functions: count, logCapacity: 0)
    for function in gpu.functions { function.cp.setPacketTime(.microseconds(2)) }
    let guests = (0..<count).map { gpu.guest(for: $0, configuration: VirtualFunctionConfiguration(chip: .fiji)) }
    // The work stops being submitted at the window's end; what was in flight completes at its
    // VF's next slice, so the simulated time is measured, not assumed.
    let (tallies, switches, simulated, real) = try await gpu.run {
      for guest in guests { try await guest.bringUp() }
      let (switchesBefore, simulatedStart, start) = (gpu.host.worldSwitchCount, gpu.clock.now, ContinuousClock.now)
      let tallies = await SteadyWork.run(guests, on: gpu, for: .milliseconds(milliseconds))
      return (
        tallies, gpu.host.worldSwitchCount - switchesBefore, seconds(gpu.clock.now.offset - simulatedStart.offset),
        ContinuousClock.now - start
      )
    }
    let problems = tallies.compactMap(\.problem)
    guard problems.isEmpty else { fatalError("work failed: \(problems)") }
    let completed = tallies.map(\.completed)
    let times = "SAVE \(microseconds(timing.save)), LOAD \(microseconds(timing.load)), RUN \(microseconds(timing.run))"
    print("\(count) VFs, \(times), \(String(format: "%.3f", simulated)) s simulated:")
    print("  world switches per simulated second: \(Int(Double(switches) / simulated))")
    print("  real time per simulated second: \(real / simulated)")
    print("  GFX jobs per simulated second: \(Int(Double(tallies.map(\.graphics).reduce(0, +)) / simulated))")
    print("  all jobs per simulated second: \(Int(Double(completed.reduce(0, +)) / simulated))")
    print("  jobs per VF: fewest \(completed.min()!), most \(completed.max()!)")
  }
}
