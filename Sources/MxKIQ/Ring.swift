import MxMMIO
import MxMemory
import MxPM4

/// A ring buffer as the driver has it (`amdgpu_ring.c`, gfx_v8 ring functions; facts 3.8): a
/// power-of-two buffer of dwords filled with NOPs, a write pointer the driver advances, a read
/// pointer the CP reports through writeback memory, and a doorbell. Work is written between
/// `allocate` and `commit`: `allocate` rounds the request up to the ring's alignment (256 dwords)
/// and hands out a `PM4Ring` sink over the buffer, `commit` pads to the alignment with NOPs,
/// stores the write pointer in its writeback slot and rings the doorbell.
///
/// Unlike the kernel, which trusts fences to keep the CP ahead, `allocate` refuses to overwrite
/// dwords the CP has not read (`RingError.full`), and the read pointer is checked before use: a
/// value outside what was committed and not yet consumed is `RingError.invalidReadPointer`.
public final class Ring {
  /// PACKET3(NOP, 0x3FFF): the one-dword pad of every gfx_v8 ring.
  public static let nop: UInt32 = 0xFFFF_1000
  /// `align_mask` of every gfx_v8 ring: work is committed in multiples of 256 dwords.
  public static let alignMask: UInt64 = 0xFF

  public let name: String
  public let buffer: GPUAllocation
  /// Ring size in dwords minus one (`buf_mask`, also `ptr_mask`: gfx_v8 rings have 32-bit pointers).
  public let bufferMask: UInt64
  /// Most dwords one `allocate` may ask for (`max_dw`).
  public let maxDwords: Int
  /// Writeback slots: read pointer (the CP writes it), write pointer (the driver writes it, the CP
  /// may poll it), fence, trail fence, conditional execution (set to 1).
  public let readPointerSlot, writePointerSlot, fenceSlot, trailFenceSlot, conditionalExecutionSlot: WritebackSlot
  public let doorbellIndex: UInt32
  private let doorbells: any RegisterBus

  /// The write pointer in dwords, masked (`ring->wptr`).
  public private(set) var writePointer: UInt64 = 0
  /// The write pointer at the last `allocate` (`wptr_old`), for `undo`.
  private var writePointerAtAllocation: UInt64 = 0
  /// What the last `allocate` allowed (`count_dw`).
  private var allowance = 0
  /// The write pointer the CP was last told about, and the read pointer last seen.
  private var committed: UInt64 = 0
  private var lastReadPointer: UInt64 = 0

  /// The ring size the driver computes: the next power of two of `maxDwords × 4 × depth` bytes
  /// (`amdgpu_ring_init`); KIQ: depth 256 → 1 MiB, compute and gfx: depth 2 → 8 KiB.
  public static func sizeInBytes(maxDwords: Int = 1024, submissionDepth: Int) -> Int {
    var size = 1
    while size < maxDwords * 4 * submissionDepth { size <<= 1 }
    return size
  }

  /// Allocates the ring buffer (`sizeInBytes`, page-aligned) in `domain` and five writeback slots,
  /// fills the buffer with NOPs, sets the conditional-execution slot to 1.
  public init(
    name: String, sizeInBytes: Int, maxDwords: Int = 1024, domain: MemoryDomain = .gtt, doorbellIndex: UInt32,
    doorbells: any RegisterBus, memory: some GPUMemory, writeback: inout WritebackSlots
  ) throws(RingError) {
    precondition(sizeInBytes >= 1024 && sizeInBytes & (sizeInBytes - 1) == 0, "ring size is not a power of two")
    self.name = name
    self.maxDwords = maxDwords
    self.doorbellIndex = doorbellIndex
    self.doorbells = doorbells
    do {
      buffer = try memory.allocate(bytes: sizeInBytes, domain: domain)
    } catch {
      throw .memory(error)
    }
    bufferMask = UInt64(sizeInBytes / 4 - 1)
    var slots: [WritebackSlot] = []
    for _ in 0..<5 {
      guard let slot = writeback.allocate() else {
        for taken in slots { writeback.free(taken) }
        memory.free(buffer)
        throw .noWritebackSlot
      }
      slots.append(slot)
    }
    (readPointerSlot, writePointerSlot, fenceSlot, trailFenceSlot, conditionalExecutionSlot) =
      (slots[0], slots[1], slots[2], slots[3], slots[4])
    conditionalExecutionSlot.value = 1
    buffer.cpu.bindMemory(to: UInt32.self).update(repeating: Self.nop)
  }

  /// The ring's size in dwords.
  public var sizeInDwords: Int { Int(bufferMask) + 1 }

  /// Room for `dwords` dwords, rounded up to the ring's alignment (`amdgpu_ring_alloc`): a sink to
  /// build packets into. Nothing is visible to the CP until `commit`.
  public func allocate(dwords: Int) throws(RingError) -> PM4Ring {
    let rounded = Int((UInt64(dwords) + Self.alignMask) & ~Self.alignMask)
    guard rounded <= maxDwords else { throw .tooLarge(dwords: rounded, maximum: maxDwords) }
    let free = try freeDwords()
    guard rounded <= free else { throw .full(needed: rounded, free: free) }
    writePointerAtAllocation = writePointer
    allowance = rounded
    return PM4Ring(
      base: buffer.cpu.baseAddress!.assumingMemoryBound(to: UInt32.self), mask: bufferMask,
      writePointer: writePointer, allowance: rounded)
  }

  /// Pads what `sink` wrote to the ring's alignment with NOPs, then publishes the write pointer:
  /// its writeback slot, then the doorbell (`amdgpu_ring_commit`, gfx_v8 `set_wptr`).
  public func commit(_ sink: PM4Ring) {
    var sink = sink
    // Every allocation starts aligned and allows a multiple of the alignment, so the padding
    // always fits in what is left of it.
    let padding = Int((Self.alignMask + 1 - (sink.writePointer & Self.alignMask)) & Self.alignMask)
    precondition(padding <= sink.allowance, "ring work outside its allocation")
    for _ in 0..<padding { sink.put(Self.nop) }
    writePointer = sink.writePointer & bufferMask
    committed = writePointer
    writePointerSlot.value = UInt32(truncatingIfNeeded: writePointer)
    doorbells.write32(UInt32(truncatingIfNeeded: writePointer), at: doorbellIndex)
  }

  /// Starts the ring over after a GPU reset (`ring->wptr = 0; amdgpu_ring_clear_ring`): every
  /// dword a NOP again, write and read pointers at 0, in writeback too — the read pointer the CP
  /// reported before the reset no longer means anything (the kernel leaves it, but never checks
  /// it). The CP learns the new pointers when the queue is committed again.
  public func reset() {
    buffer.cpu.bindMemory(to: UInt32.self).update(repeating: Self.nop)
    readPointerSlot.value = 0
    writePointerSlot.value = 0
    writePointer = 0
    writePointerAtAllocation = 0
    committed = 0
    lastReadPointer = 0
  }

  /// Forgets what was written since the last `allocate` (`amdgpu_ring_undo`).
  public func undo() {
    writePointer = writePointerAtAllocation
  }

  /// The read pointer the CP last reported, checked: it must lie between the last one seen and
  /// the committed write pointer.
  public func readPointer() throws(RingError) -> UInt64 {
    let reported = UInt64(readPointerSlot.value)
    guard reported <= bufferMask,
      (committed &- reported) & bufferMask <= (committed &- lastReadPointer) & bufferMask
    else { throw .invalidReadPointer(reported: reported, committed: committed) }
    lastReadPointer = reported
    return reported
  }

  /// Dwords that may be written without overwriting what the CP has not read (one short of the
  /// whole ring, so that a full ring and an empty one differ).
  public func freeDwords() throws(RingError) -> Int {
    let read = try readPointer()
    return Int(bufferMask - ((writePointer &- read) & bufferMask))
  }
}

/// Why ring work could not be written.
public enum RingError: Error, Equatable, Sendable {
  /// The request, rounded to the ring's alignment, is more than one allocation may ask for.
  case tooLarge(dwords: Int, maximum: Int)
  /// The CP has not read far enough to make room.
  case full(needed: Int, free: Int)
  /// The CP reported a read pointer outside what was committed and not yet consumed.
  case invalidReadPointer(reported: UInt64, committed: UInt64)
  /// No writeback slot was free for the ring.
  case noWritebackSlot
  /// The ring buffer could not be allocated.
  case memory(GPUMemoryError)
}
