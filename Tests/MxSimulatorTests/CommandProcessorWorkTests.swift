import MxGFX80
import MxInterruptSources
import MxMMIO
import MxMemory
import MxPM4
import MxPM4Packets
import MxSimulator
import XCTest

/// What the simulated CP runs for work on a compute queue: indirect buffers, CP DMA, fences and
/// their interrupts, waits that block a queue until another queue or the CPU lets it go, and
/// refusals that hang only the queue, with the reason.
final class CommandProcessorWorkTests: XCTestCase {
  func testCPDMACopiesFillsAndSwapsByteForByte() throws {
    let test = TestCP()
    var queue = try test.queue(doorbell: 0x10)
    let source = try test.memory.allocate(bytes: 4096, domain: .gtt)
    let destination = try test.memory.allocate(bytes: 4096, domain: .vram)
    for index in 0..<4096 { source.cpu[index] = UInt8(truncatingIfNeeded: index * 7 + 3) }
    try test.submit(&queue) { sink in
      // 1,001 bytes, memory to memory (an odd count: CP DMA moves bytes).
      try DMA_DATA(
        DST_ADDR_LO: UInt32(truncatingIfNeeded: destination.gpuAddress + 11),
        DST_ADDR_HI: UInt32(destination.gpuAddress >> 32),
        BYTE_COUNT: 1001, SRC_ADDR_LO: .address(SRC_ADDR_LO: UInt32(truncatingIfNeeded: source.gpuAddress + 5)),
        SRC_ADDR_HI: .address(SRC_ADDR_HI: UInt32(source.gpuAddress >> 32))
      ).encode(into: &sink)
      // A fill of 64 bytes with DATA, byte-swapped within 32 bits on the way to memory.
      try DMA_DATA(
        SRC_SEL: .DATA, DST_ADDR_LO: UInt32(truncatingIfNeeded: destination.gpuAddress + 2048),
        DST_ADDR_HI: UInt32(destination.gpuAddress >> 32), BYTE_COUNT: 64, CMD_DST_SWAP: .SWAP_8_IN_32,
        SRC_ADDR_LO: .data(DATA: 0x1122_3344), SRC_ADDR_HI: .data
      ).encode(into: &sink)
    }
    XCTAssertEqual(test.cp.hangs, [])
    XCTAssertEqual(Array(destination.cpu[11..<1012]), Array(source.cpu[5..<1006]))
    XCTAssertEqual(destination.cpu[10], 0, "nothing before")
    XCTAssertEqual(destination.cpu[1012], 0, "nothing after")
    XCTAssertEqual(Array(destination.cpu[2048..<2056]), [0x11, 0x22, 0x33, 0x44, 0x11, 0x22, 0x33, 0x44])
    XCTAssertEqual(destination.cpu[2112], 0)
    XCTAssertEqual(test.memory.faults, [])
  }

  func testCPDMABetweenRegistersAndMemory() throws {
    let test = TestCP()
    var queue = try test.queue(doorbell: 0x10)
    let buffer = try test.memory.allocate(bytes: 64, domain: .gtt)
    test.cp.registers.write32(0xCAFE_0001, at: SCRATCH_REG1.info.offset)
    test.cp.registers.write32(0xCAFE_0002, at: SCRATCH_REG2.info.offset)
    buffer.volatileStore(0xBEEF_0007, dwordAt: 32)
    try test.submit(&queue) { sink in
      // Two registers (byte addresses) to memory, then one dword of memory to a register.
      try DMA_DATA(
        DST_ADDR_LO: UInt32(truncatingIfNeeded: buffer.gpuAddress), DST_ADDR_HI: UInt32(buffer.gpuAddress >> 32),
        BYTE_COUNT: 8, CMD_SAS: true, SRC_ADDR_LO: .address(SRC_ADDR_LO: SCRATCH_REG1.info.offset * 4),
        SRC_ADDR_HI: .address(SRC_ADDR_HI: 0)
      ).encode(into: &sink)
      try DMA_DATA(
        DST_ADDR_LO: SCRATCH_REG7.info.offset * 4, BYTE_COUNT: 4, CMD_DAS: true,
        SRC_ADDR_LO: .address(SRC_ADDR_LO: UInt32(truncatingIfNeeded: buffer.gpuAddress + 32)),
        SRC_ADDR_HI: .address(SRC_ADDR_HI: UInt32(buffer.gpuAddress >> 32))
      ).encode(into: &sink)
    }
    XCTAssertEqual(buffer.volatileLoad(dwordAt: 0), 0xCAFE_0001)
    XCTAssertEqual(buffer.volatileLoad(dwordAt: 4), 0xCAFE_0002)
    XCTAssertEqual(test.cp.registers.read32(at: SCRATCH_REG7.info.offset), 0xBEEF_0007)
  }

  func testAnIndirectBufferRunsAndItsFenceInterrupts() throws {
    let test = TestCP()
    var queue = try test.queue(pipe: 2, queue: 1, doorbell: 0x16)
    let ib = try test.memory.allocate(bytes: 256, domain: .gtt)
    let target = try test.memory.allocate(bytes: 64, domain: .gtt)
    var ibSink = PM4Buffer(base: ib.cpu.baseAddress!.assumingMemoryBound(to: UInt32.self), capacity: 64)
    try WRITE_DATA(
      DST_SEL: .MEMORY_ASYNC, WR_CONFIRM: true, DST_ADDR_LO: UInt32(truncatingIfNeeded: target.gpuAddress),
      DST_ADDR_HI: UInt32(target.gpuAddress >> 32)
    ).encode(into: &ibSink, payload: [0x1111, 0x2222])
    // The interrupt only with TIME_STAMP_INT_ENABLE on the queue's pipe (CP_ME1_PIPE2_INT_CNTL).
    test.cp.registers.modify(CP_ME1_PIPE2_INT_CNTL.self) { $0[CP_ME1_PIPE2_INT_CNTL.TIME_STAMP_INT_ENABLE] = true }
    try test.submit(&queue) { sink in
      try INDIRECT_BUFFER(
        IB_BASE_LO: UInt32(truncatingIfNeeded: ib.gpuAddress) >> 2, IB_BASE_HI: UInt16(ib.gpuAddress >> 32),
        IB_SIZE: UInt32(ibSink.count), VALID: true, VMID: 0
      ).encode(into: &sink)
      try RELEASE_MEM(
        EVENT_TYPE: 0x14, EVENT_INDEX: .END_OF_PIPE, INT_SEL: .SEND_INTERRUPT_AFTER_WRITE_CONFIRM,
        DATA_SEL: .SEND_32_BIT_LOW, ADDRESS_LO: UInt32(truncatingIfNeeded: target.gpuAddress + 16) >> 2,
        ADDRESS_HI: UInt32(target.gpuAddress >> 32), DATA_LO: 77
      ).encode(into: &sink)
    }
    XCTAssertEqual(test.cp.hangs, [])
    XCTAssertEqual(target.volatileLoad(dwordAt: 0), 0x1111)
    XCTAssertEqual(target.volatileLoad(dwordAt: 4), 0x2222)
    XCTAssertEqual(target.volatileLoad(dwordAt: 16), 77)
    // CP_END_OF_PIPE with the queue in the ring ID: queue << 4 | ME << 2 | pipe.
    XCTAssertEqual(
      test.interrupts.withLock { $0 },
      [SimulatedInterrupt(sourceID: Vislands30InterruptSource.CP_END_OF_PIPE.sourceID, ringID: 1 << 4 | 1 << 2 | 2)])
    XCTAssertEqual(test.readPointer(queue), UInt32(queue.writePointer))
    XCTAssertEqual(test.cp.executed.filter(\.indirect).count, 1, "the WRITE_DATA came from the IB")
  }

  func testAWaitOnAnotherQueuesWriteOrdersTheTwoQueues() throws {
    let test = TestCP()
    var waiter = try test.queue(pipe: 0, doorbell: 0x10)
    var writer = try test.queue(pipe: 1, doorbell: 0x11)
    let flags = try test.memory.allocate(bytes: 64, domain: .gtt)
    let (address, result) = (flags.gpuAddress, flags.gpuAddress + 8)
    try test.submit(&waiter) { sink in
      try WAIT_REG_MEM(
        FUNCTION: .EQUAL, MEM_SPACE: .MEMORY, POLL_ADDRESS_LO: UInt32(truncatingIfNeeded: address),
        POLL_ADDRESS_HI: UInt32(address >> 32), REFERENCE: 1, MASK: 0xFFFF_FFFF, POLL_INTERVAL: 4
      ).encode(into: &sink)
      // Runs only after the other queue's write: it copies what the other queue wrote next.
      try COPY_DATA(
        SRC_SEL: 1, DST_SEL: .MEMORY_ASYNC,
        SRC_ADDR_LO: .memory(SRC_ADDR_LO: UInt32(truncatingIfNeeded: address + 4)),
        SRC_ADDR_HI: .memory(SRC_ADDR_HI: UInt32(address >> 32)),
        DST_ADDR_LO: .memory(DST_ADDR_LO: UInt32(truncatingIfNeeded: result)),
        DST_ADDR_HI: .memory(DST_ADDR_HI: UInt32(result >> 32))
      ).encode(into: &sink)
    }
    XCTAssertNotNil(test.cp.queues[0].waitingFor, "blocked on the flag")
    XCTAssertEqual(test.readPointer(waiter), 0, "the wait is not consumed")
    try test.submit(&writer) { sink in
      try WRITE_DATA(
        DST_SEL: .MEMORY_ASYNC, DST_ADDR_LO: UInt32(truncatingIfNeeded: address + 4), DST_ADDR_HI: UInt32(address >> 32)
      ).encode(into: &sink, payload: [0xABCD])
      try WRITE_DATA(
        DST_SEL: .MEMORY_ASYNC, DST_ADDR_LO: UInt32(truncatingIfNeeded: address), DST_ADDR_HI: UInt32(address >> 32)
      ).encode(into: &sink, payload: [1])
    }
    XCTAssertNil(test.cp.queues[0].waitingFor, "the other queue's write released it at once")
    XCTAssertEqual(flags.volatileLoad(dwordAt: 8), 0xABCD)
    XCTAssertEqual(test.readPointer(waiter), UInt32(waiter.writePointer))
  }

  func testEveryCompareFunctionAndThePollIntervalInVirtualTime() async throws {
    let cases: [(WAIT_REG_MEM_FUNCTION, UInt32, Bool)] = [
      (.ALWAYS, 0, true), (.LESS, 6, true), (.LESS, 5, false), (.LESS_EQUAL, 5, true), (.EQUAL, 5, true),
      (.EQUAL, 6, false), (.NOT_EQUAL, 6, true), (.GREATER_EQUAL, 5, true), (.GREATER, 5, false), (.GREATER, 4, true),
    ]
    for (function, reference, holdsAtOnce) in cases {
      let test = TestCP()
      var queue = try test.queue(doorbell: 0x10)
      test.cp.registers.write32(5, at: SCRATCH_REG3.info.offset)
      try test.submit(&queue) { sink in
        // Register SCRATCH_REG3 (value 5) compared as `value FUNCTION reference`.
        try WAIT_REG_MEM(
          FUNCTION: function, MEM_SPACE: .REGISTER, POLL_ADDRESS_LO: SCRATCH_REG3.info.offset, REFERENCE: reference,
          MASK: 0xFF, POLL_INTERVAL: 0x100
        ).encode(into: &sink)
      }
      XCTAssertEqual(test.cp.queues[0].waitingFor == nil, holdsAtOnce, "\(function) \(reference)")
    }
    // The CPU changes a value the CP polls: noticed at the next poll, 0x100 × 16 ns later.
    let test = TestCP()
    var queue = try test.queue(doorbell: 0x10)
    try test.submit(&queue) { sink in
      try WAIT_REG_MEM(
        FUNCTION: .EQUAL, MEM_SPACE: .REGISTER, POLL_ADDRESS_LO: SCRATCH_REG3.info.offset, REFERENCE: 9,
        MASK: 0xFFFF_FFFF, POLL_INTERVAL: 0x100
      ).encode(into: &sink)
    }
    try await test.clock.sleep(for: .nanoseconds(1000))
    test.cp.registers.write32(9, at: SCRATCH_REG3.info.offset)
    XCTAssertNotNil(test.cp.queues[0].waitingFor, "not polled yet")
    try await test.clock.sleep(for: .nanoseconds(4096 - 1000))
    XCTAssertNil(test.cp.queues[0].waitingFor, "met at the poll")
  }

  func testAWaitingQueueIsPausedByAWorldSwitchAndGoesOnAfter() async throws {
    let test = TestCP()
    var queue = try test.queue(doorbell: 0x10)
    try test.submit(&queue) { sink in
      try WAIT_REG_MEM(
        FUNCTION: .EQUAL, MEM_SPACE: .REGISTER, POLL_ADDRESS_LO: SCRATCH_REG3.info.offset, REFERENCE: 1,
        MASK: 1, POLL_INTERVAL: 1
      ).encode(into: &sink)
      try SET_UCONFIG_REG(REG_OFFSET: UInt16(SCRATCH_REG4.info.offset - 0xC000)).encode(into: &sink, payload: [42])
    }
    test.cp.setRunning(false)
    test.cp.registers.write32(1, at: SCRATCH_REG3.info.offset)
    try await test.clock.sleep(for: .milliseconds(5))
    XCTAssertEqual(test.cp.registers.read32(at: SCRATCH_REG4.info.offset), 0, "switched out: nothing runs")
    test.cp.setRunning(true)
    XCTAssertEqual(test.cp.registers.read32(at: SCRATCH_REG4.info.offset), 42, "switched in: on from the wait")
  }

  func testWhatTheCPCannotRunHangsOnlyThatQueueWithTheReason() throws {
    let test = TestCP()
    var bad = try test.queue(pipe: 0, doorbell: 0x10)
    var good = try test.queue(pipe: 1, doorbell: 0x11)
    let buffer = try test.memory.allocate(bytes: 64, domain: .gtt)
    try test.submit(&bad) { sink in
      try INDIRECT_BUFFER(IB_BASE_LO: 0x100, IB_BASE_HI: 0x7F, IB_SIZE: 16, VALID: true).encode(into: &sink)
    }
    try test.submit(&good) { sink in
      try WRITE_DATA(
        DST_SEL: .MEMORY_ASYNC, DST_ADDR_LO: UInt32(truncatingIfNeeded: buffer.gpuAddress),
        DST_ADDR_HI: UInt32(buffer.gpuAddress >> 32)
      ).encode(into: &sink, payload: [5])
    }
    XCTAssertEqual(test.cp.queues.map(\.hung), [true, false])
    XCTAssertEqual(test.cp.hangRecords.count, 1)
    XCTAssertEqual(test.cp.hangRecords.first?.doorbell, 0x10)
    XCTAssertTrue(test.cp.hangs[0].contains("outside memory"), test.cp.hangs[0])
    XCTAssertEqual(buffer.volatileLoad(dwordAt: 0), 5)

    // Garbage: a header the decoder does not take, a graphics packet on a compute queue.
    for (index, packet) in [[0x4000_0000 as UInt32], [0xC000_2800, 0, 0]].enumerated() {
      let test = TestCP()
      var queue = try test.queue(doorbell: 0x12)
      test.submit(&queue) { sink in for dword in packet { sink.put(dword) } }
      XCTAssertEqual(test.cp.queues.map(\.hung), [true], "case \(index)")
      XCTAssertEqual(test.cp.hangs.count, 1, "case \(index): \(test.cp.hangs)")
    }
  }
}
