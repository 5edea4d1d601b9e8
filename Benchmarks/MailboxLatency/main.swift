// Full-access handshake latency against a host that answers within 100 µs (GIM timing: ack after
// 20 µs, READY 80 µs later), interrupt-driven versus the kernel's 5 ms polling, measured in one
// run in wall-clock time. The host runs on its own thread (RealTimeHost).
//   usage: swift run -c release mailbox-latency [iterations]
import Foundation
import MxSimulator
import MxVirtualization

let iterations = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 50

func measure(interrupts: Bool) async throws -> [Duration] {
  let simulation = MailboxSimulation(behavior: .gim)
  let host = RealTimeHost(driving: simulation.host)
  defer { host.stop() }
  let clock = ContinuousClock()
  let mailbox = GuestMailbox(bus: simulation, clock: clock)
  simulation.connectInterrupts { mailbox.interruptReceived(sourceID: $0) }
  if interrupts { await mailbox.enableInterrupts() }
  var samples: [Duration] = []
  for _ in 0..<iterations {
    let start = clock.now
    try await mailbox.requestFullAccess()
    samples.append(start.duration(to: clock.now))
    try await mailbox.releaseFullAccess()
  }
  return samples.sorted()
}

func microseconds(_ duration: Duration) -> Double {
  Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) * 1e-12
}

func milliseconds(_ duration: Duration) -> String { String(format: "%7.3f", microseconds(duration) / 1000) }

let polling = try await measure(interrupts: false)
let interruptDriven = try await measure(interrupts: true)
let target: Duration = .microseconds(600)
print("requestFullAccess latency over \(iterations) handshakes, ms:  median      p90      max")
for (name, samples) in [("interrupt-driven", interruptDriven), ("5 ms polling", polling)] {
  let p90 = samples[min(samples.count - 1, samples.count * 9 / 10)]
  let columns = [samples[samples.count / 2], p90, samples[samples.count - 1]].map(milliseconds)
  print("  \(name.padding(toLength: 36, withPad: " ", startingAt: 0))\(columns.joined(separator: "  "))")
}
let median = (interrupt: interruptDriven[interruptDriven.count / 2], polling: polling[polling.count / 2])
print(
  String(
    format: "  polling / interrupt-driven (medians): %.1f",
    microseconds(median.polling) / microseconds(median.interrupt)))
print("  target, interrupt-driven median <= 0.600 ms: \(median.interrupt <= .microseconds(600) ? "met" : "NOT met")")
