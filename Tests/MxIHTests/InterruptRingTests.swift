import MxBIF50
import MxIH
import MxInterruptSources
import MxKIQ
import MxLock
import MxMMIO
import MxOSS30
import MxSimulator
import MxVirtualization
import XCTest

/// The IH ring as `tonga_ih.c` and `amdgpu_ih.c` have it, against the simulated IH of one VF:
/// the MMIO of its init in the driver's order, IV entries decoded, the read pointer handed back
/// by doorbell at least every 31 entries, wrap-around with every interrupt delivered once and in
/// order, and an overflow handled as the driver handles it.
final class InterruptRingTests: XCTestCase {
  private struct Setup {
    let gpu = SimulatedGPU(recordsTrace: true)
    var function: SimulatedVirtualFunction { gpu.functions[0] }
    let dispatcher = InterruptDispatcher()
    let ring: InterruptRing
    let dummy: UInt64 = 0x80_0012_3000
    /// Source data of each interrupt delivered, in order.
    let delivered = Lock<[UInt32]>([])
    let lines = Lock(0)

    init() throws {
      let function = gpu.functions[0]
      ring = try InterruptRing(
        memory: function.memory, doorbells: function.doorbells, doorbellIndex: VIDoorbell.ih, dispatcher: dispatcher)
      let delivered = delivered
      dispatcher.register(sourceID: Vislands30InterruptSource.CP_END_OF_PIPE.sourceID) { vector in
        delivered.withLock { $0.append(vector.sourceData) }
      }
      let lines = lines
      function.connectInterruptLine { lines.withLock { $0 += 1 } }
    }

    var registers: DirectRegisterAccess<SimulatedVirtualFunction.Registers> { DirectRegisterAccess(function.registers) }

    func raise(_ count: Int, from first: UInt32 = 0) {
      for index in 0..<UInt32(count) {
        function.interruptHandler.raise(
          SimulatedInterrupt(sourceID: Vislands30InterruptSource.CP_END_OF_PIPE.sourceID, sourceData: first + index))
      }
    }
  }

  func testInitWritesTheDriversRegistersInItsOrder() async throws {
    let setup = try Setup()
    setup.ring.initialize(registers: setup.function.registers, dummyPageAddress: setup.dummy)
    let writes = setup.function.trace.compactMap { access -> BusAccess? in
      if case .write = access.access { access.access } else { nil }
    }
    let ring = setup.ring.allocation.gpuAddress
    let writeback = setup.ring.writePointerAddress
    // tonga_ih_irq_init: disable (IH_RB_CNTL without RB_ENABLE and ENABLE_INTR, both pointers 0),
    // INTERRUPT_CNTL2 ← dummy >> 8, INTERRUPT_CNTL without IH_DUMMY_RD_OVERRIDE and
    // IH_REQ_NONSNOOP_EN, IH_RB_BASE ← ring >> 8, IH_RB_CNTL ← WPTR_OVERFLOW_CLEAR | RB_SIZE
    // (log2 of 16384 dwords = 14) | WPTR_WRITEBACK_ENABLE | RPTR_REARM (MSI), the writeback
    // address, both pointers 0, IH_DOORBELL_RPTR ← OFFSET 0x1E8 | ENABLE, then RB_ENABLE and
    // ENABLE_INTR set in IH_RB_CNTL.
    let base = UInt32(truncatingIfNeeded: ring >> 8)
    let dummy = UInt32(truncatingIfNeeded: setup.dummy >> 8)
    let control: UInt32 = 14 << 1 | 1 << 8 | 1 << 21
    let enabledControl: UInt32 = control | 1 | 1 << 17
    let writebackLow = UInt32(truncatingIfNeeded: writeback)
    let writebackHigh = UInt32(truncatingIfNeeded: writeback >> 32) & 0xFF
    let expected: [(UInt32, UInt32)] = [
      (IH_RB_CNTL.info.offset, 0), (IH_RB_RPTR.info.offset, 0), (IH_RB_WPTR.info.offset, 0),
      (INTERRUPT_CNTL2.info.offset, dummy), (INTERRUPT_CNTL.info.offset, 0), (IH_RB_BASE.info.offset, base),
      (IH_RB_CNTL.info.offset, 0x8000_0000 | control), (IH_RB_WPTR_ADDR_LO.info.offset, writebackLow),
      (IH_RB_WPTR_ADDR_HI.info.offset, writebackHigh), (IH_RB_RPTR.info.offset, 0), (IH_RB_WPTR.info.offset, 0),
      (IH_DOORBELL_RPTR.info.offset, 1 << 28 | 0x1E8),
      // The read-back IH_RB_CNTL: the overflow clear is an action, it does not stay set.
      (IH_RB_CNTL.info.offset, enabledControl),
    ]
    XCTAssertEqual(writes, expected.map { BusAccess.write(offset: $0.0, value: $0.1) })
    let enabled = setup.ring.enabled
    XCTAssertTrue(enabled)
  }

  func testEntriesAreDecodedAndTheReadPointerGoesBackEvery31() async throws {
    let setup = try Setup()
    setup.ring.initialize(registers: setup.function.registers, dummyPageAddress: setup.dummy)
    setup.function.interruptHandler.raise(
      SimulatedInterrupt(sourceID: 0xB5, sourceData: 0x0ABC_DEF1, ringID: 0x25, vmid: 3, pasid: 0x8001))
    let decoded = Lock<[InterruptVector]>([])
    setup.dispatcher.register(sourceID: 0xB5) { vector in decoded.withLock { $0.append(vector) } }
    await setup.ring.process(registers: setup.registers)
    XCTAssertEqual(
      decoded.withLock { $0 },
      [InterruptVector(sourceID: 0xB5, sourceData: 0x0ABC_DEF1, ringID: 0x25, vmid: 3, pasid: 0x8001)])
    XCTAssertEqual(decoded.withLock { $0 }.first?.endOfPipeQueue.me, 1)
    XCTAssertEqual(decoded.withLock { $0 }.first?.endOfPipeQueue.pipe, 1)
    XCTAssertEqual(decoded.withLock { $0 }.first?.endOfPipeQueue.queue, 2)

    setup.dispatcher.register(sourceID: 0xB5) { _ in }
    setup.raise(100)
    let updatesBefore = setup.function.interruptHandler.readPointerUpdates
    let processed = await setup.ring.process(registers: setup.registers)
    XCTAssertEqual(processed, 100)
    // The read pointer goes back after 31, 62, 93 entries and at the end (amdgpu_ih_process's
    // count of 32, pre-decremented), each time as the shadow dword and the IH doorbell.
    XCTAssertEqual(setup.function.interruptHandler.readPointerUpdates - updatesBefore, 4)
    XCTAssertEqual(setup.function.interruptHandler.readPointer, 101 * 16)
    XCTAssertEqual(setup.ring.allocation.volatileLoad(dwordAt: InterruptRing.ringBytes + 4), 101 * 16)
  }

  func testWrapAroundDeliversEveryInterruptOnceInOrder() async throws {
    let setup = try Setup()
    setup.ring.initialize(registers: setup.function.registers, dummyPageAddress: setup.dummy)
    // 4,096 entries fit the 64 KiB ring; 10,000 in batches of 1,000 go round it twice and more.
    for batch in 0..<10 {
      setup.raise(1000, from: UInt32(batch * 1000))
      await setup.ring.process(registers: setup.registers)
    }
    XCTAssertEqual(setup.delivered.withLock { $0 }, Array(0..<10_000))
    XCTAssertEqual(setup.lines.withLock { $0 }, 10_000, "one MSI per entry")
    XCTAssertEqual(setup.dispatcher.deliveredCount(sourceID: Vislands30InterruptSource.CP_END_OF_PIPE.sourceID), 10_000)
    let overflows = setup.ring.overflows
    XCTAssertEqual(overflows, 0)
  }

  func testAnOverflowSkipsToTheOldestEntryLeftAndIsCleared() async throws {
    let setup = try Setup()
    setup.ring.initialize(registers: setup.function.registers, dummyPageAddress: setup.dummy)
    setup.raise(5000)  // 904 more than the ring holds, nothing processed
    XCTAssertEqual(setup.function.interruptHandler.writePointer & 1, 1, "RB_OVERFLOW")
    await setup.ring.process(registers: setup.registers)
    // Entries 0…903 were overwritten by 4096…4999; the driver starts after the write pointer,
    // at slot 905, so 904 (the oldest left) is skipped too: 905…4999 arrive, once each.
    XCTAssertEqual(setup.delivered.withLock { $0 }, Array(905..<5000))
    let overflows = setup.ring.overflows
    XCTAssertEqual(overflows, 1)
    XCTAssertEqual(setup.function.interruptHandler.writePointer & 1, 0, "cleared by WPTR_OVERFLOW_CLEAR")
    let clears = setup.function.trace.filter {
      if case .write(IH_RB_CNTL.info.offset, let value) = $0.access { value >> 31 == 1 } else { false }
    }
    XCTAssertEqual(clears.count, 2, "once at init, once for the overflow")
    // And on from there as usual.
    setup.delivered.withLock { $0.removeAll() }
    setup.raise(10, from: 7000)
    await setup.ring.process(registers: setup.registers)
    XCTAssertEqual(setup.delivered.withLock { $0 }, Array(7000..<7010))
  }

  func testAnInterruptWhileTheRingIsOffIsDroppedAndADisabledRingIsNotProcessed() async throws {
    let setup = try Setup()
    setup.raise(3)
    XCTAssertEqual(setup.function.interruptHandler.dropped, 3)
    setup.ring.initialize(registers: setup.function.registers, dummyPageAddress: setup.dummy)
    setup.raise(2)
    setup.ring.disable(registers: setup.function.registers)
    let processed = await setup.ring.process(registers: setup.registers)
    XCTAssertEqual(processed, 0)
    XCTAssertEqual(setup.dispatcher.unhandledCount, 0)
  }

  func testAnUnregisteredSourceIsCountedNotLost() async throws {
    let setup = try Setup()
    setup.ring.initialize(registers: setup.function.registers, dummyPageAddress: setup.dummy)
    setup.function.interruptHandler.raise(
      SimulatedInterrupt(sourceID: Vislands30InterruptSource.CP_PRIV_REG_FAULT.sourceID))
    await setup.ring.process(registers: setup.registers)
    XCTAssertEqual(setup.dispatcher.unhandledCount, 1)
    XCTAssertEqual(setup.dispatcher.unhandled.first?.sourceID, 184)
  }
}
