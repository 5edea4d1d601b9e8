import MxLock
import MxMMIO
import MxOSS30

/// An interrupt a unit of the GPU raises, as the IH writes it into the ring: a 16-byte IV entry
/// in the layout `tonga_ih_decode_iv` reads.
public struct SimulatedInterrupt: Equatable, Sendable {
  public var sourceID: UInt32
  public var sourceData: UInt32
  public var ringID: UInt32
  public var vmid: UInt32
  public var pasid: UInt32

  public init(sourceID: UInt32, sourceData: UInt32 = 0, ringID: UInt32 = 0, vmid: UInt32 = 0, pasid: UInt32 = 0) {
    self.sourceID = sourceID
    self.sourceData = sourceData
    self.ringID = ringID
    self.vmid = vmid
    self.pasid = pasid
  }

  /// The IV entry: dword 0 the source ID (bits 7:0), dword 1 the source data (27:0), dword 2 the
  /// ring ID (7:0), VMID (15:8) and PASID (31:16), dword 3 unused (VI IVs carry no time stamp).
  public var entry: (UInt32, UInt32, UInt32, UInt32) {
    (sourceID & 0xFF, sourceData & 0x0FFF_FFFF, ringID & 0xFF | (vmid & 0xFF) << 8 | (pasid & 0xFFFF) << 16, 0)
  }
}

/// A VF's interrupt handler (IH, oss_3_0): the ring the guest programs through IH_RB_BASE,
/// IH_RB_CNTL, IH_RB_WPTR_ADDR_LO/HI and IH_DOORBELL_RPTR, into which it writes a 16-byte IV entry
/// for every interrupt a unit raises (the host's mailbox, the CP's end of pipe), writing the write
/// pointer back and signalling the VF's interrupt line (its MSI).
///
/// Hardware facts it follows (the driver's `tonga_ih.c`): the ring is 2^RB_SIZE dwords at
/// IH_RB_BASE << 8; pointers are byte offsets; the write pointer's bit 0 (RB_OVERFLOW) reports an
/// overflow until IH_RB_CNTL is written with WPTR_OVERFLOW_CLEAR; the read pointer comes by
/// doorbell when IH_DOORBELL_RPTR enables it (as the VI driver has it), or by IH_RB_RPTR.
///
/// The model's choices: with RB_ENABLE clear an interrupt is dropped (counted in `dropped`); with
/// ENABLE_INTR clear it is written but the line stays quiet. A full ring takes the entry anyway,
/// over the oldest, and sets RB_OVERFLOW: the driver then starts again after the write pointer,
/// as `tonga_ih_get_wptr` does. The IH runs whether or not its VF is switched in (interrupts
/// reach a VF that is not on the GPU); a function-level reset clears it.
public final class InterruptHandlerSimulation: Sendable {
  /// The registers this model holds; every other BAR 5 register belongs to someone else.
  public static let registerOffsets: Set<UInt32> = [
    IH_RB_CNTL.info.offset, IH_RB_BASE.info.offset, IH_RB_RPTR.info.offset, IH_RB_WPTR.info.offset,
    IH_RB_WPTR_ADDR_LO.info.offset, IH_RB_WPTR_ADDR_HI.info.offset, IH_DOORBELL_RPTR.info.offset,
  ]

  /// One IV entry written, for time lines.
  public struct Written: Equatable, Sendable {
    public var time: Duration
    public var interrupt: SimulatedInterrupt
    /// Its byte offset in the ring.
    public var offset: UInt32
    public var overflowed: Bool
  }

  private struct State {
    var registers: [UInt32: UInt32] = [:]
    /// Byte offsets into the ring.
    var writePointer: UInt32 = 0
    var readPointer: UInt32 = 0
    var overflow = false
    var dropped = 0
    var readPointerUpdates = 0
    var log: BoundedLog<Written>

    func register<R: Register>(_: R.Type) -> RegisterValue<R> { RegisterValue(rawValue: registers[R.info.offset] ?? 0) }
  }

  private let state: Lock<State>
  private let line = Lock<Connection<Void>?>(nil)
  public let memory: SimulatedGPUMemory
  public let scheduler: (any HardwareScheduler)?

  /// - Parameters:
  ///   - memory: the VF's GPU memory, which the ring and the write-pointer writeback live in.
  ///   - scheduler: the time line the entries' times come from.
  ///   - logCapacity: how many written entries `written` keeps (the newest); 0 keeps none.
  public init(memory: SimulatedGPUMemory, scheduler: (any HardwareScheduler)? = nil, logCapacity: Int = 10_000) {
    self.memory = memory
    self.scheduler = scheduler
    state = Lock(State(log: BoundedLog(capacity: logCapacity)))
  }

  /// The VF's interrupt line: called once for every entry written while ENABLE_INTR is set, after
  /// the entry and the write pointer are in memory.
  public func connectInterruptLine(_ handler: @escaping @Sendable () -> Void) {
    line.withLock { $0 = Connection { _ in handler() } }
  }

  /// Interrupts dropped because the ring was off.
  public var dropped: Int { state.withLock { $0.dropped } }
  /// The newest entries written, oldest first.
  public var written: [Written] { state.withLock { $0.log.entries } }
  /// The write pointer (byte offset, with RB_OVERFLOW in bit 0) as IH_RB_WPTR reads.
  public var writePointer: UInt32 { state.withLock { $0.writePointer | ($0.overflow ? 1 : 0) } }
  /// The read pointer the guest last gave back.
  public var readPointer: UInt32 { state.withLock { $0.readPointer } }
  /// How often the guest gave the read pointer back (doorbell or IH_RB_RPTR).
  public var readPointerUpdates: Int { state.withLock { $0.readPointerUpdates } }

  /// A unit raises `interrupt`.
  public func raise(_ interrupt: SimulatedInterrupt) {
    let signal = state.withLock { state -> Bool in
      let control = state.register(IH_RB_CNTL.self)
      guard control[IH_RB_CNTL.RB_ENABLE] else {
        state.dropped += 1
        return false
      }
      let size = UInt32(4) << control[IH_RB_CNTL.RB_SIZE]
      let mask = size &- 1
      let base = UInt64(state.registers[IH_RB_BASE.info.offset] ?? 0) << 8
      let offset = state.writePointer & mask
      let next = (offset + 16) & mask
      let full = next == state.readPointer & mask
      let stored: Void? = memory.withBytes(at: base + UInt64(offset), count: 16, writing: true) { bytes in
        let entry = interrupt.entry
        bytes.storeBytes(of: entry.0, toByteOffset: 0, as: UInt32.self)
        bytes.storeBytes(of: entry.1, toByteOffset: 4, as: UInt32.self)
        bytes.storeBytes(of: entry.2, toByteOffset: 8, as: UInt32.self)
        bytes.storeBytes(of: entry.3, toByteOffset: 12, as: UInt32.self)
      }
      guard stored != nil else {
        state.dropped += 1
        return false
      }
      if full { state.overflow = true }
      state.writePointer = next
      if control[IH_RB_CNTL.WPTR_WRITEBACK_ENABLE] {
        let address =
          UInt64((state.registers[IH_RB_WPTR_ADDR_HI.info.offset] ?? 0) & 0xFF) << 32
          | UInt64(state.registers[IH_RB_WPTR_ADDR_LO.info.offset] ?? 0)
        memory.write32(next | (state.overflow ? 1 : 0), at: address)
      }
      if state.log.isRecording {
        state.log.append(
          Written(time: scheduler?.elapsed ?? .zero, interrupt: interrupt, offset: offset, overflowed: full))
      }
      return control[IH_RB_CNTL.ENABLE_INTR]
    }
    if signal { line.withLock { $0 }?.call(()) }
  }

  /// A function-level reset: every register 0, the ring off, nothing pending.
  public func reset() {
    state.withLock { state in
      state.registers.removeAll()
      (state.writePointer, state.readPointer, state.overflow) = (0, 0, false)
    }
  }

  /// A doorbell write: the read pointer, if IH_DOORBELL_RPTR enables this doorbell. Whether it
  /// was the IH's.
  public func doorbell(_ index: UInt32, _ value: UInt32) -> Bool {
    state.withLock { state in
      let control = state.register(IH_DOORBELL_RPTR.self)
      guard control[IH_DOORBELL_RPTR.ENABLE], control[IH_DOORBELL_RPTR.OFFSET] == index else { return false }
      state.readPointer = value
      state.readPointerUpdates += 1
      return true
    }
  }

  /// The IH's registers on BAR 5.
  public var registers: Registers { Registers(simulation: self) }

  public struct Registers: RegisterBus, Sendable {
    let simulation: InterruptHandlerSimulation

    public func read32(at offset: UInt32) -> UInt32 {
      simulation.state.withLock { state in
        switch offset {
        case IH_RB_WPTR.info.offset: state.writePointer | (state.overflow ? 1 : 0)
        case IH_RB_RPTR.info.offset: state.readPointer
        default: state.registers[offset] ?? 0
        }
      }
    }

    public func write32(_ value: UInt32, at offset: UInt32) {
      simulation.state.withLock { state in
        switch offset {
        case IH_RB_WPTR.info.offset:
          state.writePointer = value & ~1
        case IH_RB_RPTR.info.offset:
          state.readPointer = value
          state.readPointerUpdates += 1
        case IH_RB_CNTL.info.offset:
          var control = RegisterValue<IH_RB_CNTL>(rawValue: value)
          if control[IH_RB_CNTL.WPTR_OVERFLOW_CLEAR] { state.overflow = false }
          control[IH_RB_CNTL.WPTR_OVERFLOW_CLEAR] = false  // an action, not a setting
          state.registers[offset] = control.rawValue
        default:
          state.registers[offset] = value
        }
      }
    }
  }
}
