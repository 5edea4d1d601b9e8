import MxCSA
import MxPM4
import MxSubmission
import XCTest

/// `amdgpu_ib_schedule` on a VF's GFX ring: which pieces a frame has, in which order, for the
/// inputs that decide them — each piece's dwords are checked on their own in
/// `GraphicsRingPacketVectorTests` and `RingPacketVectorTests`.
final class GraphicsFrameTests: XCTestCase {
  private let ring = GraphicsRingIdentity(
    fenceAddress: 0x80_0000_1040, conditionalExecutionAddress: 0x80_0000_1050, csa: ContextSaveArea(vmTop: 1 << 40),
    metadataLayout: .chainedIB)
  private let ib = IndirectBuffer(gpuAddress: 0x40_0010_0000, lengthDwords: 24, flags: .preempt)

  private func dwords(_ emit: (inout PM4Buffer) throws -> Void) throws -> [UInt32] {
    var storage = [UInt32](repeating: 0, count: 1024)
    return try storage.withUnsafeMutableBufferPointer { buffer in
      var sink = PM4Buffer(base: buffer.baseAddress!, capacity: buffer.count)
      try emit(&sink)
      return Array(buffer.prefix(sink.count))
    }
  }

  private func frame(_ ibs: [IndirectBuffer], job: SubmissionJob?, last: UInt32, contextSwitch: Bool) throws -> (
    [UInt32], SubmissionFrame.Emitted
  ) {
    var emitted: SubmissionFrame.Emitted?
    let words = try dwords {
      emitted = try SubmissionFrame.graphics(
        ibs, job: job, ring: ring, lastSequence: last, contextSwitch: contextSwitch, into: &$0)
    }
    return (words, try XCTUnwrap(emitted))
  }

  private func indirectBuffer(_ ib: IndirectBuffer, vmid: UInt8) throws -> [UInt32] {
    try dwords {
      try GFXIndirectBuffer(
        address: ib.gpuAddress, lengthDwords: ib.lengthDwords, vmid: vmid,
        constantEngine: ib.flags.contains(.constantEngine), preemptible: ib.flags.contains(.preempt)
      ).emit(csa: ring.csa, layout: ring.metadataLayout, into: &$0)
    }
  }

  /// The IB test: no job, so no VM flush, COND_EXEC, CE metadata, CONTEXT_CONTROL or
  /// SWITCH_BUFFER; VMID 0, so no DE metadata either.
  func testAnIBWithoutAJob() throws {
    let plain = IndirectBuffer(gpuAddress: 0x80_0010_0000, lengthDwords: 5)
    let (words, emitted) = try frame([plain], job: nil, last: 6, contextSwitch: true)
    let expected = try dwords {
      try RingPackets.hdpFlush(me: 0, pipe: 0, ring: .gfx, into: &$0)
      $0.put(contentsOf: try indirectBuffer(plain, vmid: 0))
      try RingPackets.invalidateHDP(ring: .gfx, into: &$0)
      try RingPackets.fenceGraphics(address: ring.fenceAddress, sequence: 7, flags: .interrupt, into: &$0)
    }
    XCTAssertEqual(words, expected)
    XCTAssertEqual(emitted, SubmissionFrame.Emitted(vmFence: nil, fence: 7))
  }

  /// A job of a CE IB and a preemptible DE IB in VMID 3 that switches context (a VF syncs the
  /// pipeline), flushes its TLB, has a preamble and a user fence and asks for a memory sync: every
  /// piece, the COND_EXEC covering the frame up to SWITCH_BUFFER.
  func testAJobWithEverything() throws {
    let constant = IndirectBuffer(
      gpuAddress: 0x40_0020_0000, lengthDwords: 8, flags: [.constantEngine, .emitMemorySync])
    let job = SubmissionJob(
      context: 9, vmid: 3, vmFlush: 0x40_0000_0000, userFence: UserFence(address: 0x40_0030_0000, sequence: 77),
      preambleStatus: .preamblePresent)
    let (words, emitted) = try frame([constant, ib], job: job, last: 20, contextSwitch: true)
    var placeholder = 0
    let expected = try dwords {
      try RingPackets.memorySyncGraphics(into: &$0)
      try RingPackets.pipelineSync(fenceAddress: ring.fenceAddress, sequence: 20, ring: .gfx, into: &$0)
      try RingPackets.vmFlushGraphics(vmid: 3, pageDirectory: 0x40_0000_0000, into: &$0)
      try RingPackets.fenceGraphics(address: ring.fenceAddress, sequence: 21, flags: .interrupt, into: &$0)
      placeholder = Int(try RingPackets.conditionalExecution(address: ring.conditionalExecutionAddress, into: &$0))
      try RingPackets.hdpFlush(me: 0, pipe: 0, ring: .gfx, into: &$0)
      try RingPackets.contextControl(
        [.contextSwitch, .preamblePresent], csa: ring.csa, layout: .chainedIB, into: &$0)
      $0.put(contentsOf: try indirectBuffer(constant, vmid: 3))
      $0.put(contentsOf: try indirectBuffer(ib, vmid: 3))
      try RingPackets.invalidateHDP(ring: .gfx, into: &$0)
      try RingPackets.fenceGraphics(address: 0x40_0030_0000, sequence: 77, flags: .write64Bit, into: &$0)
      try RingPackets.fenceGraphics(address: ring.fenceAddress, sequence: 22, flags: .interrupt, into: &$0)
      RingPackets.patchConditionalExecution(at: UInt64(placeholder), in: &$0)
      try RingPackets.switchBuffer(into: &$0)
    }
    XCTAssertEqual(words, expected)
    XCTAssertEqual(
      words[placeholder], UInt32(words.count - 2 - 1 - placeholder), "COND_EXEC stops before SWITCH_BUFFER")
    XCTAssertEqual(emitted, SubmissionFrame.Emitted(vmFence: 21, fence: 22))
    let deMetadata = CSAMetadata.drawEngineDwords(.chainedIB)
    XCTAssertEqual(try indirectBuffer(ib, vmid: 3).count, 4 + deMetadata, "the preemptible IB carries DE metadata")
    XCTAssertLessThanOrEqual(words.count, SubmissionFrame.graphicsFrameDwords + 2 * SubmissionFrame.graphicsIBDwords)
  }

  /// The same context again, in VMID 0 (a kernel job): no pipeline sync, no VGT flush, no DE
  /// metadata, no SWITCH_BUFFER; CONTEXT_CONTROL loads only the CE RAM of a first preamble.
  func testAKernelJobInTheSameContext() throws {
    let job = SubmissionJob(context: 9, vmid: 0, preambleStatus: .preamblePresentFirst)
    let (words, _) = try frame([ib], job: job, last: 3, contextSwitch: false)
    var placeholder = 0
    let expected = try dwords {
      placeholder = Int(try RingPackets.conditionalExecution(address: ring.conditionalExecutionAddress, into: &$0))
      try RingPackets.hdpFlush(me: 0, pipe: 0, ring: .gfx, into: &$0)
      try RingPackets.contextControl(.preamblePresentFirst, csa: ring.csa, layout: .chainedIB, into: &$0)
      $0.put(contentsOf: try indirectBuffer(ib, vmid: 0))
      try RingPackets.invalidateHDP(ring: .gfx, into: &$0)
      try RingPackets.fenceGraphics(address: ring.fenceAddress, sequence: 4, flags: .interrupt, into: &$0)
      RingPackets.patchConditionalExecution(at: UInt64(placeholder), in: &$0)
    }
    XCTAssertEqual(words, expected)
    XCTAssertEqual(words[placeholder], UInt32(words.count - 1 - placeholder))
  }
}

extension PM4Buffer {
  fileprivate mutating func put(contentsOf dwords: [UInt32]) {
    for dword in dwords { put(dword) }
  }
}
