import MxGFX80

/// The CP's rings as amdgpu's debugfs shows them (`amdgpu_ring_<name>`, `amdgpu_debugfs_ring_read`),
/// so that tools read a simulated VF as they read a real one.
extension CommandProcessorSimulation {
  /// One ring: its name, its three pointers (each masked to the ring) and its dwords.
  public struct RingImage: Equatable, Sendable {
    /// The kernel's name: `gfx`, `kiq_<me>.<pipe>.<queue>` (the queue committed by MMIO),
    /// `comp_<me>.<pipe>.<queue>` (a queue MAP_QUEUES mapped).
    public var name: String
    /// Where the CP is.
    public var readPointer: UInt32
    /// The write pointer the queue was last given (by its doorbell or CP_RB0_WPTR).
    public var writePointer: UInt32
    /// The driver's: what it last stored at the queue's write-pointer address.
    public var driverWritePointer: UInt32
    public var dwords: [UInt32]
    /// Where the queue's MQD is: the one MAP_QUEUES named, or CP_MQD_BASE_ADDR of a queue
    /// committed by MMIO; nil for the GFX ring, which has none.
    public var mqdAddress: UInt64?
  }

  /// Every active queue's ring, the GFX ring first; a ring whose memory cannot be read is left out.
  public var rings: [RingImage] {
    let queues = state.withLock { state in
      state.queues.filter { !$0.retired }.map { queue -> (Queue, UInt64?) in
        let bank = state.banks[[queue.me, queue.pipe, queue.queue]] ?? [:]
        let committed = bank[CP_MQD_BASE_ADDR.info.offset].map { low in
          UInt64(bank[CP_MQD_BASE_ADDR_HI.info.offset] ?? 0) << 32 | UInt64(low)
        }
        return (queue, queue.me == 0 ? nil : queue.mqdAddress ?? committed)
      }
    }
    return queues.sorted { ($0.0.me, $0.0.pipe, $0.0.queue) < ($1.0.me, $1.0.pipe, $1.0.queue) }.compactMap {
      (queue, mqd) in
      guard
        let dwords = memory.withBytes(
          at: queue.ringAddress, count: queue.ringDwords * 4, writing: false,
          {
            Array($0.bindMemory(to: UInt32.self))
          })
      else { return nil }
      let mask = UInt32(queue.ringDwords - 1)
      let place = "\(queue.me).\(queue.pipe).\(queue.queue)"
      let name = queue.me == 0 ? "gfx" : queue.mqdAddress == nil ? "kiq_\(place)" : "comp_\(place)"
      let driver = memory.read32(at: queue.writePointerAddress) ?? UInt32(truncatingIfNeeded: queue.writePointer)
      return RingImage(
        name: name, readPointer: UInt32(truncatingIfNeeded: queue.readPointer) & mask,
        writePointer: UInt32(truncatingIfNeeded: queue.writePointer) & mask, driverWritePointer: driver & mask,
        dwords: dwords, mqdAddress: mqd)
    }
  }
}
