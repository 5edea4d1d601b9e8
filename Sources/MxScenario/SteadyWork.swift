import MxMemory
import MxPM4
import MxPM4Packets
import MxSimulator
import MxSubmission
import MxVirtualFunction

/// VFs that keep the GPU busy: each submits small jobs, alternately on its GFX ring (a
/// preemptible job of its own context in VMID 1, so with CE and DE metadata) and its first
/// compute ring, awaits each and checks the dword it wrote, until a time. With CPs that take time
/// per packet (`CommandProcessorSimulation.setPacketTime`) what each VF gets done measures how
/// the host's slices share the GPU; for fairness tests and the world-switch benchmark.
public enum SteadyWork {
  /// What one VF got done.
  public struct Tally: Equatable, Sendable {
    public var completed = 0
    public var graphics = 0
    /// Why the VF stopped before the time (a failed fence, a wrong value), if it did.
    public var problem: String?
  }

  /// Every VF of `gpu` that has a guest in `guests` works for `time`, all at once.
  public static func run(_ guests: [SimulatedGuest], on gpu: SimulatedGPU, for time: Duration) async -> [Tally] {
    let end = gpu.clock.now.offset + time
    return await withTaskGroup(of: (Int, Tally).self) { group in
      for (index, guest) in guests.enumerated() {
        let memory = gpu.functions[index].memory
        group.addTask { (index, await work(of: guest, memory: memory, clock: gpu.clock, until: end)) }
      }
      var tallies = Array(repeating: Tally(), count: guests.count)
      for await (index, tally) in group { tallies[index] = tally }
      return tallies
    }
  }

  private static func work(
    of guest: SimulatedGuest, memory: SimulatedGPUMemory, clock: SimulatedClock, until end: Duration
  ) async -> Tally {
    var tally = Tally()
    do {
      let (target, buffer) = (
        try memory.allocate(bytes: 64, domain: .gtt), try memory.allocate(bytes: 4096, domain: .gtt)
      )
      defer {
        memory.free(target)
        memory.free(buffer)
      }
      guard let graphics = await guest.graphicsRing, let compute = await guest.computeRings.first else {
        tally.problem = "no rings"
        return tally
      }
      while clock.now.offset < end {
        let onGraphics = tally.completed % 2 == 0
        let value = UInt32(truncatingIfNeeded: tally.completed + 1)
        let ib = try job(writing: value, to: target, in: buffer)
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

  /// An IB that writes `value` to `target`'s first dword.
  private static func job(writing value: UInt32, to target: GPUAllocation, in buffer: GPUAllocation) throws
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
}
