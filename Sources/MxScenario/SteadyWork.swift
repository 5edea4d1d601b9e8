import MxMemory
import MxPM4
import MxPM4Packets
import MxSimulator
import MxSubmission
import MxVirtualFunction

/// VFs that keep the GPU busy: each submits small jobs, alternately on its GFX ring (a
/// preemptible job of its own context in VMID 1, so with CE and DE metadata, in two IBs as
/// radeonsi wrote them: the CE's puts the value in its RAM and dumps it, the DE's waits for the
/// CE counter and copies the dumped value to the target) and its first compute ring (an IB that
/// writes the value), awaits each and checks the dword it wrote, until a time. With CPs that take time
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
        let fence =
          onGraphics
          ? try await graphics.submit(
            graphicsJob(writing: value, to: target, in: buffer), job: SubmissionJob(context: 1, vmid: 1))
          : try await compute.submit(computeJob(writing: value, to: target, in: buffer))
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
  private static func computeJob(writing value: UInt32, to target: GPUAllocation, in buffer: GPUAllocation) throws
    -> IndirectBuffer
  {
    var writer = IndirectBufferWriter(in: buffer, capacityDwords: 16)
    try writer.write { sink throws(PM4EncodingError) in
      try WRITE_DATA(
        DST_SEL: .MEMORY_ASYNC, WR_CONFIRM: true, DST_ADDR_LO: low(target.gpuAddress),
        DST_ADDR_HI: high(target.gpuAddress)
      ).encode(into: &sink, payload: CollectionOfOne(value))
    }
    return writer.indirectBuffer(flags: .preempt)
  }

  /// A CE IB that writes `value` into the CE RAM and dumps it to `target`'s second dword, and a DE
  /// IB that copies it from there to the first once the CE counter says it is out.
  private static func graphicsJob(writing value: UInt32, to target: GPUAllocation, in buffer: GPUAllocation) throws
    -> [IndirectBuffer]
  {
    let (dumped, read) = (target.gpuAddress + 4, target.gpuAddress)
    var constant = IndirectBufferWriter(in: buffer, offsetDwords: 16, capacityDwords: 16)
    try constant.write { sink throws(PM4EncodingError) in
      try WRITE_CONST_RAM(OFFSET: 0).encode(into: &sink, payload: CollectionOfOne(value))
      try DUMP_CONST_RAM(OFFSET: 0, NUM_DW: 1, ADDR_LO: low(dumped), ADDR_HI: high(dumped)).encode(into: &sink)
      try INCREMENT_CE_COUNTER(CNTRSEL: 1).encode(into: &sink)
    }
    var draw = IndirectBufferWriter(in: buffer, capacityDwords: 16)
    try draw.write { sink throws(PM4EncodingError) in
      try WAIT_ON_CE_COUNTER(CONTROL: 1).encode(into: &sink)
      try COPY_DATA(
        SRC_SEL: 1, DST_SEL: .MEMORY_ASYNC, WR_CONFIRM: true, SRC_ADDR_LO: .memory(SRC_ADDR_LO: low(dumped)),
        SRC_ADDR_HI: .memory(SRC_ADDR_HI: high(dumped)), DST_ADDR_LO: .memory(DST_ADDR_LO: low(read)),
        DST_ADDR_HI: .memory(DST_ADDR_HI: high(read))
      ).encode(into: &sink)
      try INCREMENT_DE_COUNTER().encode(into: &sink)
    }
    return [constant.indirectBuffer(flags: [.constantEngine, .preempt]), draw.indirectBuffer(flags: .preempt)]
  }

  private static func low(_ address: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: address) }
  private static func high(_ address: UInt64) -> UInt32 { UInt32(address >> 32) }
}
