import MxCSA
import MxGFX80
import MxKIQ
import MxMemory
import MxPM4
import MxPM4Packets
import MxSimulator
import MxSubmission
import XCTest

/// The GFX ring's constant engine as the user-mode driver stack uses it on VI: libdrm's CE test
/// (a CE IB that sets and raises the counters, a DE IB that waits on them, in one submission),
/// radeonsi's descriptors (written into the CE RAM, dumped to memory, read by the DE once the CE
/// counter says they are out), the CE held back by the DE, a world switch in between, and what
/// the model refuses.
final class ConstantEngineTests: XCTestCase {
  func testLibdrmsCESubmissionRunsBothEnginesAndSignalsItsFence() throws {
    let (test, ring) = try broughtUp()
    let jobs = try GraphicsJobs(test: test, ring: ring)
    let buffers = try test.memory.allocate(bytes: 4096, domain: .gtt)
    var ce = IndirectBufferWriter(in: buffers, offsetDwords: 0, capacityDwords: 64)
    try ce.write { sink throws(PM4EncodingError) in
      try SET_CE_DE_COUNTERS(COUNTER: 0).encode(into: &sink)
      try INCREMENT_CE_COUNTER(CNTRSEL: 1).encode(into: &sink)
    }
    var de = IndirectBufferWriter(in: buffers, offsetDwords: 64, capacityDwords: 64)
    try de.write { sink throws(PM4EncodingError) in try WAIT_ON_CE_COUNTER(CONTROL: 1).encode(into: &sink) }

    let fence = try jobs.submit([ce.indirectBuffer(flags: .constantEngine), de.indirectBuffer()])

    XCTAssertEqual(test.cp.hangs, [])
    XCTAssertEqual(jobs.status(of: fence), .signaled)
    let onCE = test.cp.executed.filter(\.constantEngine)
    XCTAssertEqual(onCE.flatMap(\.dwords), [0xC000_8900, 0, 0xC000_8400, 1], "libdrm's CE IB, dword for dword")
    XCTAssertEqual(
      test.cp.executed.first { $0.packet == .WAIT_ON_CE_COUNTER(WAIT_ON_CE_COUNTER(CONTROL: 1)) }?.dwords,
      [0xC000_8600, 1], "libdrm's DE IB")
    XCTAssertTrue(
      test.cp.executed.contains { executed in
        guard case .INDIRECT_BUFFER_CONST = executed.packet else { return false }
        return !executed.constantEngine
      },
      "the ring's INDIRECT_BUFFER_CONST is the DE's, handing the buffer over")
    let counters = test.cp.constantEngineCounters
    XCTAssertEqual([counters.ce, counters.de, UInt32(counters.buffersWaiting)], [1, 0, 0])
  }

  func testDescriptorsWrittenIntoTheCERAMAreDumpedBeforeTheDEReadsThem() throws {
    let (test, ring) = try broughtUp()
    let memory = try test.memory.allocate(bytes: 4096, domain: .gtt)
    let (dumped, reloaded, read) = (memory.gpuAddress + 0x800, memory.gpuAddress + 0x900, memory.gpuAddress + 0xA00)
    let descriptors: [UInt32] = [0x1111_0000, 0x2222_0000, 0x3333_0000, 0x4444_0000]

    // Frame 1: the CE uploads four descriptors at byte 0x100 of its RAM and dumps them; the DE
    // waits for the CE counter, copies the third one out, and raises its own counter.
    let ce1 = try buffer(in: memory, at: 0) { sink throws(PM4EncodingError) in
      try WRITE_CONST_RAM(OFFSET: 0x100).encode(into: &sink, payload: descriptors)
      try DUMP_CONST_RAM(OFFSET: 0x100, NUM_DW: 4, ADDR_LO: low(dumped), ADDR_HI: high(dumped)).encode(into: &sink)
      try INCREMENT_CE_COUNTER(CNTRSEL: 1).encode(into: &sink)
    }
    let de1 = try buffer(in: memory, at: 64) { sink throws(PM4EncodingError) in
      try WAIT_ON_CE_COUNTER(CONTROL: 1).encode(into: &sink)
      try copy(from: dumped + 8, to: read, into: &sink)
      try INCREMENT_DE_COUNTER().encode(into: &sink)
    }
    // Frame 2: the CE reloads what frame 1 dumped into byte 0x200 and dumps that again.
    let ce2 = try buffer(in: memory, at: 128) { sink throws(PM4EncodingError) in
      try LOAD_CONST_RAM(ADDR_LO: low(dumped), ADDR_HI: high(dumped), NUM_DW: 4, OFFSET: 0x200).encode(into: &sink)
      try DUMP_CONST_RAM(OFFSET: 0x200, NUM_DW: 4, ADDR_LO: low(reloaded), ADDR_HI: high(reloaded)).encode(
        into: &sink)
      try INCREMENT_CE_COUNTER(CNTRSEL: 1).encode(into: &sink)
    }
    try handOver([(ce1, true), (de1, false), (ce2, true)], on: ring)

    XCTAssertEqual(test.cp.hangs, [])
    XCTAssertEqual(dwords(at: dumped, count: 4, in: test.memory), descriptors)
    XCTAssertEqual(dwords(at: read, count: 1, in: test.memory), [0x3333_0000], "the DE read the dumped descriptor")
    XCTAssertEqual(dwords(at: reloaded, count: 4, in: test.memory), descriptors, "loaded and dumped again")
    let counters = test.cp.constantEngineCounters
    XCTAssertEqual([counters.ce, counters.de], [2, 1])
  }

  func testTheCEWaitsForTheDEBeforeItOverwritesWhatADrawStillReads() throws {
    let (test, ring) = try broughtUp()
    let memory = try test.memory.allocate(bytes: 4096, domain: .gtt)
    let (dumped, first, second) = (memory.gpuAddress + 0x800, memory.gpuAddress + 0x900, memory.gpuAddress + 0x904)
    // The CE dumps version 1, raises its counter, then may not run more than 1 ahead of the DE:
    // it waits before dumping version 2.
    let ce = try buffer(in: memory, at: 0) { sink throws(PM4EncodingError) in
      try dump(0x1, to: dumped, into: &sink)
      try INCREMENT_CE_COUNTER(CNTRSEL: 1).encode(into: &sink)
      try WAIT_ON_DE_COUNTER_DIFF(DIFF: 1).encode(into: &sink)
      try dump(0x2, to: dumped, into: &sink)
      try INCREMENT_CE_COUNTER(CNTRSEL: 1).encode(into: &sink)
    }
    let draw1 = try buffer(in: memory, at: 64) { sink throws(PM4EncodingError) in
      try WAIT_ON_CE_COUNTER(CONTROL: 1).encode(into: &sink)
      try copy(from: dumped, to: first, into: &sink)
      try INCREMENT_DE_COUNTER().encode(into: &sink)
    }
    let draw2 = try buffer(in: memory, at: 128) { sink throws(PM4EncodingError) in
      try WAIT_ON_CE_COUNTER(CONTROL: 1).encode(into: &sink)
      try copy(from: dumped, to: second, into: &sink)
      try INCREMENT_DE_COUNTER().encode(into: &sink)
    }
    try handOver([(ce, true)], on: ring)
    XCTAssertEqual(dwords(at: dumped, count: 1, in: test.memory), [0x1], "the CE stopped before its second dump")
    XCTAssertEqual(test.cp.constantEngineCounters.buffersWaiting, 1)

    // A world switch while the CE waits: SAVE takes its state with the rest, LOAD gives it back.
    test.cp.idle()
    let image = test.cp.saveContext()
    XCTAssertEqual(test.cp.constantEngineCounters.buffersWaiting, 0, "saved away")
    XCTAssertFalse(test.cp.loadContext(Array(image.dropLast())), "a cut image is refused")
    XCTAssertTrue(test.cp.loadContext(image))
    test.cp.setRunning(true)
    XCTAssertEqual(test.cp.constantEngineCounters.ce, 1)
    XCTAssertEqual(test.cp.constantEngineCounters.buffersWaiting, 1)

    try handOver([(draw1, false), (draw2, false)], on: ring)
    XCTAssertEqual(test.cp.hangs, [])
    XCTAssertEqual(dwords(at: first, count: 1, in: test.memory), [0x1], "the first draw read version 1")
    XCTAssertEqual(dwords(at: second, count: 1, in: test.memory), [0x2], "the second, version 2")
    let counters = test.cp.constantEngineCounters
    XCTAssertEqual([counters.ce, counters.de, UInt32(counters.buffersWaiting)], [2, 2, 0])
  }

  func testWhatTheModelRefusesHangsTheRingWithItsReason() throws {
    typealias Body = (inout PM4Buffer) throws(PM4EncodingError) -> Void
    /// The hangs of a fresh GFX ring given one buffer per body, for the CE (`true`) or the DE.
    func hangs(_ buffers: [(constant: Bool, body: Body)]) throws -> [String] {
      let (test, ring) = try broughtUp()
      let memory = try test.memory.allocate(bytes: 4096, domain: .gtt)
      let ibs = try buffers.enumerated().map {
        (try buffer(in: memory, at: 64 * $0.offset, $0.element.body), $0.element.constant)
      }
      try handOver(ibs, on: ring)
      return test.cp.hangs
    }
    let wait: Body = { sink throws(PM4EncodingError) in try WAIT_ON_CE_COUNTER(CONTROL: 1).encode(into: &sink) }
    XCTAssertEqual(
      try hangs([(false, wait)]),
      [
        "doorbell 32: WAIT_ON_CE_COUNTER: the CE counter (0) is not ahead of the DE counter (0) and no CE buffer "
          + "handed over would raise it (the model's CE does not read the ring ahead of the DE)"
      ])
    XCTAssertEqual(
      try hangs([
        (true, { sink throws(PM4EncodingError) in try WAIT_ON_DE_COUNTER_DIFF(DIFF: 0).encode(into: &sink) }),
        (false, wait),
      ]),
      ["doorbell 32: WAIT_ON_CE_COUNTER: the DE waits for the CE, which waits for the DE (WAIT_ON_DE_COUNTER_DIFF)"])
    XCTAssertEqual(
      try hangs([(false, { sink throws(PM4EncodingError) in try INCREMENT_CE_COUNTER(CNTRSEL: 1).encode(into: &sink) })]
      ),
      ["doorbell 32: INCREMENT_CE_COUNTER is the constant engine's: the DE does not run it"])
    XCTAssertEqual(
      try hangs([(true, { sink throws(PM4EncodingError) in try INCREMENT_CE_COUNTER(CNTRSEL: 2).encode(into: &sink) })]
      ),
      ["CE: INCREMENT_CE_COUNTER of counter 2 (only 1, the CE's, is run)"])
    XCTAssertEqual(
      try hangs([
        (
          true,
          { sink throws(PM4EncodingError) in try WRITE_CONST_RAM(OFFSET: 0x7FFC).encode(into: &sink, payload: [1, 2]) }
        )
      ]),
      ["CE: WRITE_CONST_RAM of 2 dwords at byte 32764 of the CE RAM: it holds 32768 bytes, addressed by aligned dwords"]
    )
    XCTAssertEqual(
      try hangs([(true, { sink throws(PM4EncodingError) in try CLEAR_STATE().encode(into: &sink) })]),
      [
        "CE: CLEAR_STATE is not run by the constant engine (it runs WRITE_CONST_RAM, LOAD_CONST_RAM, DUMP_CONST_RAM, "
          + "INCREMENT_CE_COUNTER, WAIT_ON_DE_COUNTER_DIFF, SET_CE_DE_COUNTERS and NOP)"
      ])

    let test = TestCP()
    var queue = try test.queue(doorbell: 0x10)
    try test.submit(&queue) { try INDIRECT_BUFFER_CONST(IB_SIZE: 1).encode(into: &$0) }
    XCTAssertEqual(
      test.cp.hangs,
      ["doorbell 16: INDIRECT_BUFFER_CONST is a graphics ring's packet: a compute queue has no constant engine"])
  }
}

// MARK: Helpers

/// An indirect buffer of what `body` writes at dword `offset` of `allocation`.
private func buffer(
  in allocation: GPUAllocation, at offset: Int, _ body: (inout PM4Buffer) throws(PM4EncodingError) -> Void
) throws -> IndirectBuffer {
  var writer = IndirectBufferWriter(in: allocation, offsetDwords: offset, capacityDwords: 64)
  try writer.write(body)
  return writer.indirectBuffer()
}

/// Hands each buffer to the CE (`true`) or the DE on the GFX ring, in order, in one commit.
private func handOver(_ buffers: [(IndirectBuffer, Bool)], on ring: Ring) throws {
  var sink = try ring.allocate(dwords: 4 * buffers.count)
  for (ib, constant) in buffers {
    let (low, high, size) = (
      UInt32(truncatingIfNeeded: ib.gpuAddress) >> 2, UInt16(ib.gpuAddress >> 32), ib.lengthDwords
    )
    if constant {
      try INDIRECT_BUFFER_CONST(IB_BASE_LO: low, IB_BASE_HI: high, IB_SIZE: size).encode(into: &sink)
    } else {
      try INDIRECT_BUFFER(IB_BASE_LO: low, IB_BASE_HI: high, IB_SIZE: size).encode(into: &sink)
    }
  }
  ring.commit(sink)
}

/// The CE writes `value` into its RAM at byte 0 and dumps it to `address`.
private func dump(_ value: UInt32, to address: UInt64, into sink: inout PM4Buffer) throws(PM4EncodingError) {
  try WRITE_CONST_RAM(OFFSET: 0).encode(into: &sink, payload: CollectionOfOne(value))
  try DUMP_CONST_RAM(OFFSET: 0, NUM_DW: 1, ADDR_LO: low(address), ADDR_HI: high(address)).encode(into: &sink)
}

/// The DE copies one dword of memory (standing in for a draw reading a descriptor).
private func copy(from source: UInt64, to destination: UInt64, into sink: inout PM4Buffer) throws(PM4EncodingError) {
  try COPY_DATA(
    SRC_SEL: 1, DST_SEL: .MEMORY_ASYNC, SRC_ADDR_LO: .memory(SRC_ADDR_LO: low(source)),
    SRC_ADDR_HI: .memory(SRC_ADDR_HI: high(source)), DST_ADDR_LO: .memory(DST_ADDR_LO: low(destination)),
    DST_ADDR_HI: .memory(DST_ADDR_HI: high(destination))
  ).encode(into: &sink)
}

private func dwords(at address: UInt64, count: Int, in memory: SimulatedGPUMemory) -> [UInt32] {
  (0..<count).map { memory.read32(at: address + UInt64($0) * 4) ?? 0xDEAD_DEAD }
}

private func low(_ address: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: address) }
private func high(_ address: UInt64) -> UInt32 { UInt32(address >> 32) }
