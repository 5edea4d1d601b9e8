import MxKIQ
import MxMemory
import MxPM4
import MxPM4Packets
import MxSubmission

/// The ring and IB tests every gfx_v8 ring runs alike (`gfx_v8_0_ring_test_ring`,
/// `gfx_v8_0_ring_test_ib`), shared by the blocks that own rings.
enum RingTests {
  /// `AMDGPU_IB_TEST_TIMEOUT`: 1 s; 8 s in runtime, where the VF waits for its time slices.
  static let indirectBufferTimeout: Duration = .seconds(1)
  static let indirectBufferTimeoutInRuntime: Duration = .seconds(8)

  /// The ring test's packet on `ring` (SCRATCH_REG0 ← 0xDEADBEEF by SET_UCONFIG_REG), committed;
  /// `VirtualFunction.ringTest` sets the register before and polls it after.
  static func emitRingTest(on ring: Ring) throws(VirtualFunctionError) {
    var sink: PM4Ring
    do {
      sink = try ring.allocate(dwords: 3)
    } catch {
      throw .ring(error)
    }
    do {
      try KIQPackets.ringTest(into: &sink)
    } catch {
      ring.undo()
      throw .kiq(.encoding(error))
    }
    ring.commit(sink)
  }

  /// `gfx_v8_0_ring_test_ib` on `ring`: an IB at `offsetDwords` of `buffer` (8 dwords) writes
  /// 0xDEADBEEF over 0xCAFEDEAD in `slot`, and must finish within `timeout`. Nil when it passed.
  static func indirectBuffer<C: Clock>(
    on ring: SubmissionRing<C>, slot: WritebackSlot, buffer: GPUAllocation, offsetDwords: Int, timeout: Duration
  ) async -> IndirectBufferTestFailure? {
    slot.value = KIQPackets.ringTestInitialValue
    var writer = IndirectBufferWriter(in: buffer, offsetDwords: offsetDwords, capacityDwords: 8)
    do {
      try writer.write { sink throws(PM4EncodingError) in
        try WRITE_DATA(
          DST_SEL: .MEMORY_ASYNC, WR_CONFIRM: true, DST_ADDR_LO: UInt32(truncatingIfNeeded: slot.gpuAddress),
          DST_ADDR_HI: UInt32(slot.gpuAddress >> 32)
        ).encode(into: &sink, payload: CollectionOfOne(KIQPackets.ringTestValue))
      }
    } catch {
      preconditionFailure("the IB test's packet fits its 8 dwords: \(error)")
    }
    do {
      let fence = try await ring.submit(writer.indirectBuffer())
      try await fence.wait(timeout: timeout)
    } catch let error as SubmissionError {
      return .submission(error)
    } catch let error as FenceError {
      return .fence(error)
    } catch {
      preconditionFailure("submit and wait throw only their own errors")
    }
    let value = slot.value
    return value == KIQPackets.ringTestValue ? nil : .wrongValue(value)
  }
}
