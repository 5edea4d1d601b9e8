import MxKIQ
import MxMMIO
import MxMemory
import MxPM4
import MxPM4Packets
import MxSimulator
import XCTest

/// The ring as the driver has it (facts 3.8, appendix B).
final class RingTests: XCTestCase {
  private let memory = SimulatedGPUMemory()
  private let doorbells = RecordingBus(recording: RegisterFile())

  private func kiqRing() throws -> (Ring, WritebackSlots) {
    var writeback = try WritebackSlots(gpuMemory: memory)
    let ring = try Ring(
      name: "kiq_2.1.0", sizeInBytes: Ring.sizeInBytes(submissionDepth: 256), doorbellIndex: 0, doorbells: doorbells,
      memory: memory, writeback: &writeback)
    return (ring, writeback)
  }

  private func dwords(_ ring: Ring) -> UnsafeMutableBufferPointer<UInt32> {
    ring.buffer.cpu.bindMemory(to: UInt32.self)
  }

  /// One NOP pad dword committed: 256 dwords of ring once padded.
  private func commitOnePad(_ ring: Ring) throws {
    var sink = try ring.allocate(dwords: 1)
    try NOP().encode(into: &sink, payload: EmptyCollection())
    ring.commit(sink)
  }

  func testSizesMasksAndSlotsAreTheDrivers() throws {
    XCTAssertEqual(Ring.sizeInBytes(submissionDepth: 256), 1 << 20)
    XCTAssertEqual(Ring.sizeInBytes(submissionDepth: 2), 8192)
    let (ring, writeback) = try kiqRing()
    XCTAssertEqual(ring.bufferMask, 0x3FFFF)
    XCTAssertEqual(ring.sizeInDwords, 262_144)
    XCTAssertTrue(dwords(ring).allSatisfy { $0 == Ring.nop })
    XCTAssertEqual(writeback.usedCount, 5)
    XCTAssertEqual(
      [ring.readPointerSlot, ring.writePointerSlot, ring.fenceSlot, ring.trailFenceSlot, ring.conditionalExecutionSlot]
        .map(\.index), [0, 1, 2, 3, 4])
    XCTAssertEqual(ring.conditionalExecutionSlot.value, 1)
  }

  func testCommitPadsTo256WithNopsThenWritesTheWritePointerAndTheDoorbell() throws {
    let (ring, _) = try kiqRing()
    var sink = try ring.allocate(dwords: 32)
    XCTAssertEqual(sink.allowance, 256)
    try SET_UCONFIG_REG(REG_OFFSET: 0x40).encode(into: &sink, payload: CollectionOfOne(0xDEAD_BEEF))
    dwords(ring)[3] = 0  // so the padding is seen to be written, not left over
    ring.commit(sink)
    XCTAssertEqual(Array(dwords(ring)[0..<4]), [0xC001_7900, 0x40, 0xDEAD_BEEF, Ring.nop])
    XCTAssertEqual(ring.writePointer, 256)
    XCTAssertEqual(ring.writePointerSlot.value, 256)
    XCTAssertEqual(doorbells.trace, [.write(offset: 0, value: 256)])
  }

  func testAnEmptyCommitPadsNothing() throws {
    let (ring, _) = try kiqRing()
    ring.commit(try ring.allocate(dwords: 8))
    XCTAssertEqual(ring.writePointer, 0)
  }

  func testAllocationLimitsAndUndo() throws {
    let (ring, _) = try kiqRing()
    XCTAssertThrowsError(try ring.allocate(dwords: 1025)) {
      XCTAssertEqual($0 as? RingError, .tooLarge(dwords: 1280, maximum: 1024))
    }
    var sink = try ring.allocate(dwords: 6)
    try NOP().encode(into: &sink, payload: [1, 2])
    ring.undo()
    XCTAssertEqual(ring.writePointer, 0)
    XCTAssertTrue(doorbells.trace.isEmpty)
  }

  func testTheRingNeverOverwritesWhatTheCPHasNotReadAndWraps() throws {
    var writeback = try WritebackSlots(gpuMemory: memory)
    let ring = try Ring(
      name: "comp_1.0.0", sizeInBytes: 8192, doorbellIndex: 0x10, doorbells: doorbells, memory: memory,
      writeback: &writeback)
    XCTAssertEqual(ring.bufferMask, 0x7FF)
    for _ in 0..<7 { try commitOnePad(ring) }
    XCTAssertEqual(ring.writePointer, 1792)
    XCTAssertThrowsError(try ring.allocate(dwords: 1)) {
      XCTAssertEqual($0 as? RingError, .full(needed: 256, free: 255))
    }
    ring.readPointerSlot.value = 512  // the CP has consumed two allocations
    var sink = try ring.allocate(dwords: 3)
    try NOP().encode(into: &sink, payload: [7, 7])
    ring.commit(sink)
    XCTAssertEqual(ring.writePointer, 0, "wrapped")
    XCTAssertEqual(Array(dwords(ring)[1792..<1795]), [0xC001_1000, 7, 7])
    XCTAssertEqual(doorbells.trace.last, .write(offset: 0x10, value: 0))
  }

  func testAReadPointerOutsideTheCommittedWindowIsRefused() throws {
    let (ring, _) = try kiqRing()
    try commitOnePad(ring)
    ring.readPointerSlot.value = 0xFFFF_FFFF
    XCTAssertThrowsError(try ring.readPointer()) {
      XCTAssertEqual($0 as? RingError, .invalidReadPointer(reported: 0xFFFF_FFFF, committed: 256))
    }
    ring.readPointerSlot.value = 300  // past what was committed
    XCTAssertThrowsError(try ring.readPointer())
    ring.readPointerSlot.value = 200
    XCTAssertEqual(try ring.readPointer(), 200)
    ring.readPointerSlot.value = 100  // backwards
    XCTAssertThrowsError(try ring.readPointer())
  }
}
