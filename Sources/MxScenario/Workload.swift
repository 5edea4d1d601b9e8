import MxKIQ
import MxMemory
import MxPM4
import MxPM4Packets
import MxSimulator
import MxSubmission
import MxVirtualFunction

/// Work for a VF in a scenario: `submissions` IBs, round-robin (from a ring the seed picks) over
/// its compute rings and its GFX ring — there as a job of the VF's own context in VMID 1,
/// preemptible, so that the frame carries the CE and DE metadata. Each is a CP DMA copy of
/// `bytes` bytes from a buffer of seeded random bytes into VRAM and a fill of the next `bytes`
/// with a seeded dword; every submission's fence is awaited and, once it signals, the
/// destination checked byte for byte. Every submission is accounted for (`WorkRecord.Outcome`):
/// done and checked, lost to a reset (the VF's recovery fails what it had in flight, or a grant
/// overwrote the VRAM the result was in before it was read — the VF's `vramLostCounter` moved;
/// the work goes on once the VF is back), or failed.
public struct Workload: Sendable {
  public var submissions: Int
  public var bytes: Int
  public var seed: UInt64
  /// How long one submission's fence is waited for.
  public var fenceTimeout: Duration = .seconds(10)
  /// How long a submission waits for its ring to take work again (a recovery under way).
  public var readyTimeout: Duration = .seconds(10)

  public init(submissions: Int, bytes: Int = 4096, seed: UInt64 = 0x5EED_0018) {
    self.submissions = submissions
    self.bytes = bytes
    self.seed = seed
  }

  /// Runs the work on `guest` (VF `index` of `gpu`); the records, and the first failure.
  func run(on guest: SimulatedGuest, index: Int, gpu: SimulatedGPU) async -> (
    records: [WorkRecord], failure: WorkFailure?
  ) {
    let memory = gpu.functions[index].memory
    var random = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9)
    var records: [WorkRecord] = []
    let buffers: (ib: GPUAllocation, source: GPUAllocation, destination: GPUAllocation)
    do {
      buffers = (
        try memory.allocate(bytes: 4096, domain: .gtt), try memory.allocate(bytes: bytes, domain: .gtt),
        try memory.allocate(bytes: 2 * bytes, domain: .vram)
      )
    } catch {
      return ([], .memory(error))
    }
    defer {
      for allocation in [buffers.ib, buffers.source, buffers.destination] { memory.free(allocation) }
    }
    // Where the round-robin starts, from the seed: short runs reach every ring in turn.
    let firstRing = Int(truncatingIfNeeded: (seed &+ UInt64(index)) % 1024)
    for submission in 0..<submissions {
      let rings = await guest.computeRings + [await guest.graphicsRing].compactMap { $0 }
      guard !rings.isEmpty else { return (records, .noRings) }
      let ring = rings[(firstRing + submission) % rings.count]
      let job: SubmissionJob? =
        if case .graphics = ring.identity { SubmissionJob(context: UInt64(index) + 1, vmid: 1) } else { nil }
      for offset in 0..<bytes { buffers.source.cpu[offset] = UInt8(truncatingIfNeeded: random.next()) }
      buffers.destination.cpu.initializeMemory(as: UInt8.self, repeating: 0)
      let fill = UInt32(truncatingIfNeeded: random.next())
      var ib = Self.copyAndFill(buffers, bytes: bytes, fill: fill, slot: submission % 64)
      if job != nil { ib.flags.insert(.preempt) }
      let vramLost = await guest.vramLostCounter
      var record = WorkRecord(
        submitted: gpu.clock.now.offset, ring: ring.name, sequence: nil, ended: nil, outcome: .failed("not submitted"))
      defer { records.append(record) }
      let fence: Fence
      do {
        fence = try await submit(ib, job: job, on: ring, gpu: gpu)
      } catch {
        record.outcome = .failed("\(error)")
        return (records, .submission(error))
      }
      record.sequence = fence.sequence
      do throws(FenceError) {
        try await fence.wait(timeout: fenceTimeout)
      } catch {
        record.ended = gpu.clock.now.offset
        if case .lostToReset = error {
          record.outcome = .lostToReset
          continue
        }
        record.outcome = .failed("\(error)")
        return (records, .fence(error))
      }
      record.ended = gpu.clock.now.offset
      let expected =
        Array(buffers.source.cpu) + (0..<bytes).map { UInt8(truncatingIfNeeded: fill >> (8 * UInt32($0 % 4))) }
      let found = Array(buffers.destination.cpu)
      guard found == expected else {
        if await guest.vramLostCounter != vramLost {
          record.outcome = .lostToReset
          continue
        }
        let first = found.indices.first { found[$0] != expected[$0] } ?? 0
        let mismatch = WorkFailure.mismatch(
          submission: submission, byte: first, found: found[first], expected: expected[first])
        record.outcome = .failed("\(mismatch)")
        return (records, mismatch)
      }
      record.outcome = .checked(bytes: 2 * bytes)
    }
    return (records, nil)
  }

  /// Submits, waiting while the ring takes no work (a recovery under way), up to `readyTimeout`.
  private func submit(
    _ ib: IndirectBuffer, job: SubmissionJob?, on ring: SubmissionRing<SimulatedClock>, gpu: SimulatedGPU
  ) async throws(SubmissionError) -> Fence {
    let deadline = gpu.clock.now.offset + readyTimeout
    while true {
      do {
        return try await ring.submit(ib, job: job)
      } catch .ringNotReady(let name) where gpu.clock.now.offset < deadline {
        _ = name
        try? await gpu.clock.sleep(for: .milliseconds(1))
      }
    }
  }

  /// The IB: DMA_DATA copy, then DMA_DATA fill, in 32 dwords at `slot` of the IB buffer.
  private static func copyAndFill(
    _ buffers: (ib: GPUAllocation, source: GPUAllocation, destination: GPUAllocation), bytes: Int, fill: UInt32,
    slot: Int
  ) -> IndirectBuffer {
    var writer = IndirectBufferWriter(in: buffers.ib, offsetDwords: slot * 16, capacityDwords: 16)
    let (source, destination) = (buffers.source.gpuAddress, buffers.destination.gpuAddress)
    let filled = destination + UInt64(bytes)
    do {
      try writer.write { sink throws(PM4EncodingError) in
        try DMA_DATA(
          DST_ADDR_LO: UInt32(truncatingIfNeeded: destination), DST_ADDR_HI: UInt32(destination >> 32),
          BYTE_COUNT: UInt32(bytes), SRC_ADDR_LO: .address(SRC_ADDR_LO: UInt32(truncatingIfNeeded: source)),
          SRC_ADDR_HI: .address(SRC_ADDR_HI: UInt32(source >> 32))
        ).encode(into: &sink)
        try DMA_DATA(
          SRC_SEL: .DATA, DST_ADDR_LO: UInt32(truncatingIfNeeded: filled), DST_ADDR_HI: UInt32(filled >> 32),
          BYTE_COUNT: UInt32(bytes), SRC_ADDR_LO: .data(DATA: fill), SRC_ADDR_HI: .data
        ).encode(into: &sink)
      }
    } catch {
      preconditionFailure("two DMA_DATA fit 16 dwords: \(error)")
    }
    return writer.indirectBuffer()
  }
}

/// One submission of a workload: when, on which ring, its fence, and what came of it.
public struct WorkRecord: Codable, Equatable, Sendable {
  public enum Outcome: Codable, Equatable, Sendable {
    /// Its fence signalled and the destination held what the IB wrote.
    case checked(bytes: Int)
    /// A reset took it before it finished, or a grant overwrote its result in VRAM before it
    /// was read.
    case lostToReset
    /// It was not submitted, its fence did not signal, or the bytes were wrong.
    case failed(String)
  }

  public var submitted: Duration
  public var ring: String
  public var sequence: UInt32?
  public var ended: Duration?
  public var outcome: Outcome
}

/// Why a workload stopped.
public enum WorkFailure: Error, Equatable, Sendable {
  case memory(GPUMemoryError)
  case noRings
  case submission(SubmissionError)
  case fence(FenceError)
  case mismatch(submission: Int, byte: Int, found: UInt8, expected: UInt8)
}
