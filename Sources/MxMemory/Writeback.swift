import _Volatile

/// The device's writeback memory (`amdgpu_device_wb_init`): 256 slots of 8 dwords (32 bytes) in
/// one page-aligned GTT buffer, where the CP writes read pointers and fences and the driver
/// writes write pointers. A slot is handed out first-free and returned when done
/// (`amdgpu_device_wb_get` / `_free`).
public struct WritebackSlots: Sendable {
  /// Slots in the buffer.
  public static let slotCount = 256
  /// Dwords in a slot.
  public static let slotDwords = 8

  public let memory: GPUAllocation
  /// Bit i set: slot i is taken.
  private var used: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

  /// Allocates the 8 KiB buffer from `gpuMemory`, in GTT as the driver does — or in VRAM for a
  /// host whose scheduler polls write pointers only there (GIM's liquid mode).
  public init(gpuMemory: some GPUMemory, domain: MemoryDomain = .gtt) throws(GPUMemoryError) {
    memory = try gpuMemory.allocate(bytes: Self.slotCount * Self.slotDwords * 4, domain: domain)
  }

  /// The first free slot, or nil when all 256 are taken.
  public mutating func allocate() -> WritebackSlot? {
    for word in 0..<4 {
      let bits = self[word]
      if bits != .max {
        let bit = (~bits).trailingZeroBitCount
        self[word] = bits | 1 << UInt64(bit)
        return WritebackSlot(index: word * 64 + bit, memory: memory)
      }
    }
    return nil
  }

  /// Returns `slot`; freeing a free slot does nothing.
  public mutating func free(_ slot: WritebackSlot) {
    self[slot.index / 64] &= ~(1 << UInt64(slot.index % 64))
  }

  /// Slots taken.
  public var usedCount: Int {
    used.0.nonzeroBitCount + used.1.nonzeroBitCount + used.2.nonzeroBitCount + used.3.nonzeroBitCount
  }

  private subscript(word: Int) -> UInt64 {
    get {
      switch word {
      case 0: used.0
      case 1: used.1
      case 2: used.2
      default: used.3
      }
    }
    set {
      switch word {
      case 0: used.0 = newValue
      case 1: used.1 = newValue
      case 2: used.2 = newValue
      default: used.3 = newValue
      }
    }
  }
}

/// One writeback slot: 8 dwords the GPU and the CPU share. The driver uses its first dword (a
/// read pointer, write pointer or fence value); `offset` is the dword offset into the writeback
/// buffer that the kernel's `wb` indices hold.
public struct WritebackSlot: Equatable, @unchecked Sendable {
  public let index: Int
  let memory: GPUAllocation

  init(index: Int, memory: GPUAllocation) {
    self.index = index
    self.memory = memory
  }

  public static func == (a: Self, b: Self) -> Bool { a.index == b.index && a.memory.gpuAddress == b.memory.gpuAddress }

  /// Dword offset in the writeback buffer (`slot × 8`).
  public var offset: Int { index * WritebackSlots.slotDwords }
  /// GPU address of the slot's first dword.
  public var gpuAddress: UInt64 { memory.gpuAddress(atByte: offset * 4) }

  /// The slot's first dword. Loads and stores are volatile: the GPU writes the slot behind the
  /// compiler's back, so a polling loop must read memory every time.
  public var value: UInt32 {
    get { cell.load() }
    nonmutating set { cell.store(newValue) }
  }

  private var cell: VolatileMappedRegister<UInt32> {
    unsafe VolatileMappedRegister<UInt32>(
      unsafeBitPattern: UInt(bitPattern: memory.cpu.baseAddress!) + UInt(offset * 4))
  }
}
