import MxScenario
import MxSimulator
import MxVirtualFunction

// A VF's full bring-up (docs/VirtualFunction.md). Usage: vf-bring-up [N] [--real-time]
//   N times: a fresh simulated Fiji GPU, its VF detected, initialised under exclusive access
//   (golden registers, writeback, CSA, KIQ, eight compute queues, nine ring tests) and released
//   into runtime, then torn down. Prints the real time per bring-up and the virtual time the VF
//   held exclusive access; with --real-time the host acts on its own thread in wall-clock time
//   and the VF waits with ContinuousClock. Then four VFs on one host, together, in virtual time.

let arguments = CommandLine.arguments.dropFirst()
let count = arguments.first.flatMap { Int($0) } ?? 200
let realTime = arguments.contains("--real-time")
let configuration = VirtualFunctionConfiguration(chip: .fiji)

/// The virtual time the VF held exclusive access, from its history.
func held(_ history: [LifeCycleRecord]) -> Duration {
  history.reduce(.zero) { total, record in
    if case .accessReleased(_, let held) = record.event { total + held } else { total }
  }
}

var exclusive = Duration.zero
var toRuntime = Duration.zero
let start = ContinuousClock.now
for _ in 0..<count {
  if realTime {
    let gpu = SimulatedGPU(time: .real)
    let function = gpu.functions[0]
    let guest = VirtualFunction(
      registers: function.registers, doorbells: function.doorbells, memory: function.memory, clock: ContinuousClock(),
      configuration: configuration)
    function.connectInterruptLine { [weak guest] in guest?.interruptAsserted() }
    try await guest.bringUp()
    exclusive += held(await guest.history)
    await guest.tearDown()
  } else {
    let gpu = SimulatedGPU()
    let guest = gpu.guest(for: 0, configuration: configuration)
    try await gpu.run {
      try await guest.bringUp()
      toRuntime += gpu.clock.now.offset
      exclusive += held(await guest.history)
      await guest.tearDown()
    }
  }
}
let elapsed = ContinuousClock.now - start
print(
  "\(count) bring-ups (\(realTime ? "real time" : "virtual time")): \(elapsed / count) each (real time, bring-up and teardown)"
)
print(
  "exclusive access held: \(exclusive / count) per bring-up (\(realTime ? "wall-clock" : "virtual") time, grant to release)"
)
if !realTime { print("request to runtime: \(toRuntime / count) per bring-up (virtual time)") }

if !realTime {
  let gpu = SimulatedGPU(functions: 4)
  let guests = (0..<4).map { gpu.guest(for: $0, configuration: configuration) }
  let together = ContinuousClock.now
  try await gpu.run {
    try await withThrowingTaskGroup(of: Void.self) { group in
      for guest in guests { group.addTask { try await guest.bringUp() } }
      try await group.waitForAll()
    }
  }
  print(
    "4 VFs on one host, together: all in runtime after \(gpu.clock.now.offset) (virtual), \(ContinuousClock.now - together) (real)"
  )
}
