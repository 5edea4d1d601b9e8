import MxPM4
import MxSubmission
import XCTest

/// `amdgpu_ib_schedule` on a compute ring: which pieces a frame has, in which order, for the
/// inputs that decide them — each piece's dwords are checked on their own in
/// `RingPacketVectorTests`.
final class SubmissionFrameTests: XCTestCase {
  private let fence: UInt64 = 0x80_0000_1040
  private let ib = IndirectBuffer(gpuAddress: 0x80_0010_0000, lengthDwords: 24)

  private func dwords(_ emit: (inout PM4Buffer) throws -> Void) throws -> [UInt32] {
    var storage = [UInt32](repeating: 0, count: 512)
    return try storage.withUnsafeMutableBufferPointer { buffer in
      var sink = PM4Buffer(base: buffer.baseAddress!, capacity: buffer.count)
      try emit(&sink)
      return Array(buffer.prefix(sink.count))
    }
  }

  private func frame(
    _ ibs: [IndirectBuffer], job: SubmissionJob?, ring: ComputeRingIdentity, last: UInt32, contextSwitch: Bool,
    virtualFunction: Bool = true
  ) throws -> ([UInt32], SubmissionFrame.Emitted) {
    var emitted: SubmissionFrame.Emitted?
    let words = try dwords {
      emitted = try SubmissionFrame.compute(
        ibs, job: job, ring: ring, lastSequence: last, contextSwitch: contextSwitch, virtualFunction: virtualFunction,
        into: &$0)
    }
    return (words, try XCTUnwrap(emitted))
  }

  /// What the IB test submits on compute ring 0 (high priority): no job, so no pipeline sync or
  /// VM flush; the wave limit around everything.
  func testAnIBWithoutAJobOnTheHighPriorityRing() throws {
    let ring = ComputeRingIdentity(me: 1, pipe: 0, highPriority: true, fenceAddress: fence)
    let (words, emitted) = try frame([ib], job: nil, ring: ring, last: 41, contextSwitch: true)
    let expected = try dwords {
      try RingPackets.waveLimit(pipe: 0, enable: true, into: &$0)
      try RingPackets.hdpFlush(me: 1, pipe: 0, ring: .compute, into: &$0)
      try RingPackets.indirectBufferCompute(ib, vmid: 0, gdsComputeMaxWaveID: 0, into: &$0)
      try RingPackets.invalidateHDP(ring: .compute, into: &$0)
      try RingPackets.fenceCompute(address: fence, sequence: 42, flags: .interrupt, into: &$0)
      try RingPackets.waveLimit(pipe: 0, enable: false, into: &$0)
    }
    XCTAssertEqual(words, expected)
    XCTAssertEqual(emitted, SubmissionFrame.Emitted(vmFence: nil, fence: 42))
    XCTAssertLessThanOrEqual(words.count, SubmissionFrame.computeFrameDwords + SubmissionFrame.ibDwords)
  }

  /// A job on a normal ring that switches context (a VF syncs), flushes its VMID's TLB, maps
  /// its PASID, has a user fence and asks for a memory sync and write-back-only fences.
  func testAJobWithEverythingOnANormalRing() throws {
    let ring = ComputeRingIdentity(me: 1, pipe: 1, highPriority: false, fenceAddress: fence)
    var first = ib
    first.flags = .emitMemorySync
    var last = IndirectBuffer(gpuAddress: 0x80_0020_0000, lengthDwords: 8, flags: .writeBackNotInvalidate)
    last.flags.insert(.resetGDSMaxWaveID)
    let job = SubmissionJob(
      context: 7, vmid: 4, vmFlush: 0x40_0000_0000, pasidMapping: 0x8001,
      gdsSwitch: GDSAllocation.none, userFence: UserFence(address: 0x80_0030_0008, sequence: 0x1_2345_6789))
    let (words, emitted) = try frame([first, last], job: job, ring: ring, last: 0xFFFF_FFFF, contextSwitch: true)
    let expected = try dwords {
      try RingPackets.memorySyncCompute(into: &$0)
      try RingPackets.pipelineSync(fenceAddress: fence, sequence: 0xFFFF_FFFF, ring: .compute, into: &$0)
      try RingPackets.vmFlush(vmid: 4, pageDirectory: 0x40_0000_0000, ring: .compute, into: &$0)
      try RingPackets.pasidMapping(vmid: 4, pasid: 0x8001, ring: .compute, into: &$0)
      try RingPackets.fenceCompute(address: fence, sequence: 0, flags: .interrupt, into: &$0)
      try RingPackets.gdsSwitch(vmid: 4, .none, into: &$0)
      try RingPackets.hdpFlush(me: 1, pipe: 1, ring: .compute, into: &$0)
      try RingPackets.indirectBufferCompute(first, vmid: 4, gdsComputeMaxWaveID: 0, into: &$0)
      try RingPackets.indirectBufferCompute(last, vmid: 4, gdsComputeMaxWaveID: 0, into: &$0)
      try RingPackets.invalidateHDP(ring: .compute, into: &$0)
      try RingPackets.fenceCompute(
        address: 0x80_0030_0008, sequence: 0x1_2345_6789, flags: [.write64Bit, .writeBackOnly], into: &$0)
      try RingPackets.fenceCompute(address: fence, sequence: 1, flags: [.interrupt, .writeBackOnly], into: &$0)
    }
    XCTAssertEqual(words, expected)
    XCTAssertEqual(emitted, SubmissionFrame.Emitted(vmFence: 0, fence: 1), "sequences wrap around")
    XCTAssertLessThanOrEqual(words.count, SubmissionFrame.computeFrameDwords + 2 * SubmissionFrame.ibDwords)
  }

  /// `amdgpu_vm_flush` returns without emitting anything unless a pipeline sync, a TLB flush or a
  /// GDS switch is needed — a PASID mapping alone is left for a later job, as in the kernel. A
  /// job in the ring's current context needs no sync; a bare-metal device syncs only on a
  /// dependency.
  func testWhatDecidesThePipelineSyncAndTheVMFlush() throws {
    let ring = ComputeRingIdentity(me: 1, pipe: 3, highPriority: false, fenceAddress: fence)
    let plain = try dwords {
      try RingPackets.hdpFlush(me: 1, pipe: 3, ring: .compute, into: &$0)
      try RingPackets.indirectBufferCompute(ib, vmid: 2, gdsComputeMaxWaveID: 0, into: &$0)
      try RingPackets.invalidateHDP(ring: .compute, into: &$0)
      try RingPackets.fenceCompute(address: fence, sequence: 6, flags: .interrupt, into: &$0)
    }
    let pasidOnly = SubmissionJob(context: 1, vmid: 2, pasidMapping: 5)
    XCTAssertEqual(try frame([ib], job: pasidOnly, ring: ring, last: 5, contextSwitch: false).0, plain)
    XCTAssertEqual(
      try frame(
        [ib], job: SubmissionJob(context: 1, vmid: 2), ring: ring, last: 5, contextSwitch: true, virtualFunction: false
      ).0,
      plain)
    let sync = try dwords { try RingPackets.pipelineSync(fenceAddress: fence, sequence: 5, ring: .compute, into: &$0) }
    XCTAssertEqual(
      try frame([ib], job: SubmissionJob(context: 1, vmid: 2), ring: ring, last: 5, contextSwitch: true).0, sync + plain
    )
    XCTAssertEqual(
      try frame(
        [ib], job: SubmissionJob(context: 1, vmid: 2, dependencySync: true), ring: ring, last: 5, contextSwitch: false
      ).0,
      sync + plain)
  }
}
