import MxLock
import MxMMIO
import MxMemory
import MxRuntimeRegisters
import MxVirtualization

/// A VF's interrupt ring as the VI driver has it (`tonga_ih.c` with `amdgpu_ih.c`): 64 KiB in
/// system memory (GTT) with the write-pointer writeback and the read-pointer shadow in the 8
/// bytes after it (`amdgpu_ih_ring_init` with `use_bus_addr`), programmed by
/// `initialize(registers:dummyPageAddress:)` in the driver's order (`tonga_ih_irq_init`), the
/// read pointer handed back by doorbell (the VI driver's choice, `tonga_ih_set_rptr`), and
/// processed as `amdgpu_ih_process` does: from the read pointer to the written-back write
/// pointer, 16-byte IV entries decoded and dispatched by client and source ID, at most 31
/// before the read pointer is handed back, until no new entry came meanwhile.
///
/// An overflow (RB_OVERFLOW in the written-back write pointer, confirmed by IH_RB_WPTR) is
/// handled as `tonga_ih_get_wptr` does: the entries the IH overwrote are lost, processing
/// starts again at the oldest one left (the entry after the write pointer), and IH_RB_CNTL is
/// written with WPTR_OVERFLOW_CLEAR set, then clear.
///
/// Decided: the kernel processes the ring in the hard interrupt handler, reaching IH_RB_WPTR and
/// IH_RB_CNTL on an overflow through the KIQ in interrupt context (one poll, then failure). Here
/// the line wakes a task that processes the ring (`serve(registers:)`, a threaded interrupt
/// handler), so those accesses wait as any runtime access does; handlers still run without
/// waiting. The line is an `InterruptSignal` the OS's MSI handler signals.
///
/// Not an actor: the serving task and the VF's init and fini share the ring's pointers under a
/// lock, each briefly. An actor on a task executor would cost a heap allocation at every
/// interrupt.
public final class InterruptRing: Sendable {
  /// `tonga_ih_sw_init`: 64 KiB.
  public static let ringBytes = 64 * 1024
  /// Entries are 16 bytes (`tonga_ih_decode_iv`).
  public static let entryBytes: UInt32 = 16
  /// `AMDGPU_IH_MAX_NUM_IVS`: the read pointer goes back to the IH at least every 31 entries.
  public static let entriesPerRound = 32

  /// The ring, then the write-pointer writeback (at `ringBytes`) and the read-pointer shadow
  /// (at `ringBytes + 4`).
  public let allocation: GPUAllocation
  public let doorbellIndex: UInt32
  public let dispatcher: InterruptDispatcher
  private let doorbells: any RegisterBus & Sendable

  private struct State {
    var readPointer: UInt32 = 0
    var enabled = false
    var processed = 0
    var overflows = 0
    /// Bumped by every init, disable and reset: a round of processing that began before one
    /// does not write its read pointer over the new one.
    var generation = 0
  }

  private let state = Lock(State())

  /// The read pointer, a byte offset (`ih->rptr`).
  public var readPointer: UInt32 { state.withLock { $0.readPointer } }
  /// Whether the ring is on (`ih->enabled`): a disabled ring is not processed.
  public var enabled: Bool { state.withLock { $0.enabled } }
  /// Entries dispatched, and overflows seen, since the ring was made.
  public var processed: Int { state.withLock { $0.processed } }
  public var overflows: Int { state.withLock { $0.overflows } }

  /// `amdgpu_ih_ring_init(adev, ih, 64 KiB, use_bus_addr: true)`: the ring and its two pointer
  /// dwords in GTT. The read pointer goes back by doorbell `doorbellIndex` (AMDGPU_DOORBELL_IH).
  public init(
    memory: some GPUMemory, doorbells: any RegisterBus & Sendable, doorbellIndex: UInt32,
    dispatcher: InterruptDispatcher
  ) throws(GPUMemoryError) {
    allocation = try memory.allocate(bytes: Self.ringBytes + 8, domain: .gtt)
    self.doorbells = doorbells
    self.doorbellIndex = doorbellIndex
    self.dispatcher = dispatcher
  }

  /// `ptr_mask`: the ring's size in bytes minus one.
  public var pointerMask: UInt32 { UInt32(Self.ringBytes - 1) }
  /// The GPU address the IH writes its write pointer back to (`ih->wptr_addr`).
  public var writePointerAddress: UInt64 { allocation.gpuAddress(atByte: Self.ringBytes) }

  /// `tonga_ih_irq_init` (hardware init and resume), under exclusive access: the ring
  /// disabled, INTERRUPT_CNTL2 (the dummy read address) and INTERRUPT_CNTL (dummy reads and
  /// snooping left to MSI), IH_RB_BASE, IH_RB_CNTL (overflow cleared, RB_SIZE, write-pointer
  /// writeback, VMID 0, RPTR_REARM with MSI), the writeback address, both pointers 0, the
  /// read-pointer doorbell, then the ring enabled.
  public func initialize(registers: some RegisterBus, dummyPageAddress: UInt64, messageSignalled: Bool = true) {
    disable(registers: registers)
    registers.write32(UInt32(truncatingIfNeeded: dummyPageAddress >> 8), at: INTERRUPT_CNTL2.info.offset)
    registers.modify(INTERRUPT_CNTL.self) {
      $0[INTERRUPT_CNTL.IH_DUMMY_RD_OVERRIDE] = false
      $0[INTERRUPT_CNTL.IH_REQ_NONSNOOP_EN] = false
    }
    registers.write(IH_RB_BASE.self) { $0[IH_RB_BASE.ADDR] = UInt32(truncatingIfNeeded: allocation.gpuAddress >> 8) }
    registers.write(IH_RB_CNTL.self) {
      $0[IH_RB_CNTL.WPTR_OVERFLOW_CLEAR] = true
      $0[IH_RB_CNTL.RB_SIZE] = UInt8(truncatingIfNeeded: (Self.ringBytes / 4).trailingZeroBitCount)
      $0[IH_RB_CNTL.WPTR_WRITEBACK_ENABLE] = true
      $0[IH_RB_CNTL.MC_VMID] = 0
      if messageSignalled { $0[IH_RB_CNTL.RPTR_REARM] = true }
    }
    registers.write32(UInt32(truncatingIfNeeded: writePointerAddress), at: IH_RB_WPTR_ADDR_LO.info.offset)
    registers.write32(UInt32(truncatingIfNeeded: writePointerAddress >> 32) & 0xFF, at: IH_RB_WPTR_ADDR_HI.info.offset)
    registers.write32(0, at: IH_RB_RPTR.info.offset)
    registers.write32(0, at: IH_RB_WPTR.info.offset)
    registers.modify(IH_DOORBELL_RPTR.self) {
      $0[IH_DOORBELL_RPTR.OFFSET] = doorbellIndex
      $0[IH_DOORBELL_RPTR.ENABLE] = true
    }
    registers.modify(IH_RB_CNTL.self) {
      $0[IH_RB_CNTL.RB_ENABLE] = true
      $0[IH_RB_CNTL.ENABLE_INTR] = true
    }
    state.withLock { $0.enabled = true }
  }

  /// `tonga_ih_disable_interrupts` (hardware fini, suspend, and the start of init): RB_ENABLE
  /// and ENABLE_INTR cleared, both pointers 0.
  public func disable(registers: some RegisterBus) {
    registers.modify(IH_RB_CNTL.self) {
      $0[IH_RB_CNTL.RB_ENABLE] = false
      $0[IH_RB_CNTL.ENABLE_INTR] = false
    }
    registers.write32(0, at: IH_RB_RPTR.info.offset)
    registers.write32(0, at: IH_RB_WPTR.info.offset)
    forget()
  }

  /// After a reset that took the ring's memory or registers: the ring counts as off until it is
  /// initialised again; nothing is written to the hardware.
  public func forget() {
    state.withLock { state in
      (state.enabled, state.readPointer) = (false, 0)
      state.generation += 1
    }
  }

  /// The threaded interrupt handler: processes the ring each time `line` is signalled, until
  /// the task is cancelled. `registers` reaches IH_RB_WPTR and IH_RB_CNTL on an overflow (the
  /// KIQ, in runtime).
  public func serve<Registers: AsyncRegisterBus>(line: InterruptSignal, registers: Registers) async {
    while !Task.isCancelled {
      await line.next()
      guard !Task.isCancelled else { return }
      await process(registers: registers)
    }
  }

  /// `amdgpu_ih_process`: every entry from the read pointer to the write pointer dispatched, the
  /// read pointer handed back, and again while the write pointer moved meanwhile. How many
  /// entries it dispatched.
  @discardableResult
  public func process<Registers: AsyncRegisterBus>(registers: Registers) async -> Int {
    let (enabled, generation) = state.withLock { ($0.enabled, $0.generation) }
    guard enabled else { return 0 }
    var total = 0
    var writePointer = await self.writePointer(registers: registers, generation: generation)
    var readPointer = state.withLock { $0.readPointer }
    repeat {
      var budget = Self.entriesPerRound
      var count = 0
      while readPointer != writePointer {
        budget -= 1
        guard budget > 0 else { break }
        dispatcher.dispatch(entry(at: readPointer))
        readPointer = (readPointer + Self.entryBytes) & pointerMask
        count += 1
      }
      let current = state.withLock { state -> Bool in
        guard state.generation == generation else { return false }
        state.readPointer = readPointer
        state.processed += count
        return true
      }
      total += count
      guard current else { break }  // the ring was set up again meanwhile
      handBackReadPointer(readPointer)
      writePointer = await self.writePointer(registers: registers, generation: generation)
      readPointer = state.withLock { $0.readPointer }
    } while writePointer != readPointer
    return total
  }

  /// `tonga_ih_get_wptr`: the written-back write pointer; on an overflow that IH_RB_WPTR
  /// confirms, the read pointer moves to the oldest entry left and the overflow is cleared.
  private func writePointer<Registers: AsyncRegisterBus>(registers: Registers, generation: Int) async -> UInt32 {
    var pointer = allocation.volatileLoad(dwordAt: Self.ringBytes)
    guard RegisterValue<IH_RB_WPTR>(rawValue: pointer)[IH_RB_WPTR.RB_OVERFLOW] else { return pointer & pointerMask }
    // Confirmed by the register: the writeback may be older than the IH's clear. Unconfirmed,
    // the register's pointer is the one taken, as in the driver; unread (the access failed),
    // the writeback's, without the overflow, and the next interrupt looks again.
    guard let confirmed = try? await registers.read32(at: IH_RB_WPTR.info.offset) else {
      return pointer & pointerMask & ~1
    }
    guard RegisterValue<IH_RB_WPTR>(rawValue: confirmed)[IH_RB_WPTR.RB_OVERFLOW] else { return confirmed & pointerMask }
    pointer = confirmed & ~1
    let skipped = state.withLock { state -> Bool in
      guard state.generation == generation else { return false }
      state.overflows += 1
      state.readPointer = (pointer + Self.entryBytes) & pointerMask
      return true
    }
    if skipped, let control = try? await registers.read32(at: IH_RB_CNTL.info.offset) {
      var value = RegisterValue<IH_RB_CNTL>(rawValue: control)
      value[IH_RB_CNTL.WPTR_OVERFLOW_CLEAR] = true
      try? await registers.write32(value.rawValue, at: IH_RB_CNTL.info.offset)
      value[IH_RB_CNTL.WPTR_OVERFLOW_CLEAR] = false
      try? await registers.write32(value.rawValue, at: IH_RB_CNTL.info.offset)
    }
    return pointer & pointerMask
  }

  /// The entry at byte offset `offset`, decoded.
  private func entry(at offset: UInt32) -> InterruptVector {
    let base = Int(offset)
    return InterruptVector(
      entry: allocation.volatileLoad(dwordAt: base), allocation.volatileLoad(dwordAt: base + 4),
      allocation.volatileLoad(dwordAt: base + 8), allocation.volatileLoad(dwordAt: base + 12))
  }

  /// `tonga_ih_set_rptr` with the doorbell: the shadow, then the doorbell.
  private func handBackReadPointer(_ readPointer: UInt32) {
    allocation.volatileStore(readPointer, dwordAt: Self.ringBytes + 4)
    doorbells.write32(readPointer, at: doorbellIndex)
  }
}
