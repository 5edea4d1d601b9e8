import MxKIQ
import MxMMIO
import MxMemory
import MxPM4
import MxPM4Packets
import MxScenario
import MxSimulator
import MxSubmission
import MxVirtualFunction

// Compute submissions (docs/Work.md). Usage: submission [N] [--vfs K] [--frame]
//   N submissions end to end on whole simulated VFs in virtual time (K VFs sharing the host, N/K
//   each): submit → the CP runs the IB → fence → IV entry → the waiter resumes. Or, with
//   --frame, only the runtime's part of a submission (the frame, the fence, the commit) on a ring
//   no CP reads, in `submission_swift_frames`, for callgrind (Benchmarks/submission/run.sh).

let arguments = Array(CommandLine.arguments.dropFirst())
let count = arguments.first.flatMap { Int($0) } ?? 100_000
let functions = arguments.firstIndex(of: "--vfs").flatMap { Int(arguments[$0 + 1]) } ?? 1

if arguments.contains("--frame") {
  try frames(count)
} else {
  try await endToEnd(count, functions: functions)
}

/// An IB of one WRITE_DATA: the least work a submission can carry.
func writeIB(in buffer: GPUAllocation, to target: GPUAllocation, value: UInt32) throws -> IndirectBuffer {
  var writer = IndirectBufferWriter(in: buffer, capacityDwords: 8)
  try writer.write { sink throws(PM4EncodingError) in
    try WRITE_DATA(
      DST_SEL: .MEMORY_ASYNC, WR_CONFIRM: true, DST_ADDR_LO: UInt32(truncatingIfNeeded: target.gpuAddress),
      DST_ADDR_HI: UInt32(target.gpuAddress >> 32)
    ).encode(into: &sink, payload: CollectionOfOne(value))
  }
  return writer.indirectBuffer()
}

func endToEnd(_ count: Int, functions: Int) async throws {
  let gpu = SimulatedGPU(functions: functions, logCapacity: 0)
  let guests = (0..<functions).map { gpu.guest(for: $0, configuration: VirtualFunctionConfiguration(chip: .fiji)) }
  let perFunction = count / functions
  let clock = ContinuousClock()
  let (elapsed, latency) = try await gpu.run { () async throws -> (Duration, Duration) in
    for guest in guests { try await guest.bringUp() }
    let start = clock.now
    let latency = try await withThrowingTaskGroup(of: Duration.self) { group in
      for (index, guest) in guests.enumerated() {
        group.addTask {
          let memory = gpu.functions[index].memory
          let buffer = try memory.allocate(bytes: 64, domain: .gtt)
          let target = try memory.allocate(bytes: 64, domain: .gtt)
          let ib = try writeIB(in: buffer, to: target, value: 0x1234_5678)
          let ring = await guest.computeRings[1]
          var waited = Duration.zero
          for _ in 0..<perFunction {
            let submitted = gpu.clock.now
            let fence = try await ring.submit(ib)
            try await fence.wait(timeout: .seconds(10))
            waited += submitted.duration(to: gpu.clock.now)
          }
          precondition(target.volatileLoad(dwordAt: 0) == 0x1234_5678, "the IB did not run")
          return waited
        }
      }
      return try await group.reduce(.zero, +)
    }
    return (start.duration(to: clock.now), latency)
  }
  let submissions = perFunction * functions
  let perSubmission = elapsed / submissions
  print("\(submissions) submissions on \(functions) VF(s), end to end: \(format(perSubmission)) each (real time)")
  print("  submissions per second: \(Int((Double(submissions) / seconds(elapsed)).rounded()))")
  print("  fence latency, submit to signal, virtual time: \(format(latency / submissions)) on average")
}

/// The runtime's part alone: `SubmissionFrame.write` for one IB, its fence noted, committed; a
/// stand-in CP outside the measured function consumes the ring and signals the fence.
func frames(_ count: Int) throws {
  let memory = SimulatedGPUMemory()
  var writeback = try WritebackSlots(gpuMemory: memory)
  // The doorbell BAR as mapped memory: one store, as the C reference's.
  let doorbellPage = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 4096)
  defer { doorbellPage.deallocate() }
  let doorbells = MappedMMIOBus(base: doorbellPage, byteCount: 4096)
  let ring = try Ring(
    name: "comp_1.1.0", sizeInBytes: Ring.sizeInBytes(submissionDepth: 2), doorbellIndex: 0x11,
    doorbells: doorbells, memory: memory, writeback: &writeback)
  let identity = ComputeRingIdentity(me: 1, pipe: 1, highPriority: false, fenceAddress: ring.fenceSlot.gpuAddress)
  let fences = FenceDriver(name: ring.name, slot: ring.fenceSlot, capacity: 4) { _ in }
  let ib = IndirectBuffer(gpuAddress: 0x80_0010_0000, lengthDwords: 5)
  for _ in 0..<count {
    let sequence = try submissionSwiftFrame(ib, ring: ring, identity: identity, fences: fences)
    // The stand-in CP: everything read, the fence written.
    ring.readPointerSlot.value = ring.writePointerSlot.value
    ring.fenceSlot.value = sequence
  }
  var sum: UInt32 = 0
  for index in 0..<ring.sizeInDwords { sum = sum &* 31 &+ ring.buffer.volatileLoad(dwordAt: index * 4) }
  print("ring checksum \(String(sum, radix: 16)), last fence \(fences.lastEmitted)")
}

@inline(never) @_silgen_name("submission_swift_frame")
func submissionSwiftFrame(_ ib: IndirectBuffer, ring: Ring, identity: ComputeRingIdentity, fences: FenceDriver)
  throws -> UInt32
{
  try SubmissionFrame.write(ib, on: ring, identity: identity, fences: fences).fence
}

func seconds(_ duration: Duration) -> Double {
  Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func format(_ duration: Duration) -> String {
  let value = seconds(duration)
  return value >= 1e-3 ? "\((value * 1e6).rounded() / 1e3) ms" : "\((value * 1e9).rounded() / 1e3) µs"
}
