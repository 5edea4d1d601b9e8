/// Where a compute queue lives: micro engine (ME 1 and 2 are the two MECs), pipe and queue
/// (`ring->me`, `->pipe`, `->queue`).
public struct QueuePlacement: Equatable, Hashable, Sendable, CustomStringConvertible {
  public var me: UInt32
  public var pipe: UInt32
  public var queue: UInt32

  public init(me: UInt32, pipe: UInt32, queue: UInt32) {
    self.me = me
    self.pipe = pipe
    self.queue = queue
  }

  /// `comp_1.0.0`-style, as the driver names rings.
  public var description: String { "\(me).\(pipe).\(queue)" }
}

/// The MEC layout of Tonga and Fiji (facts 3.1): 2 MECs × 4 pipes × 8 queues, and which queues
/// the driver takes for itself.
public enum ComputeTopology {
  public static let mecCount: UInt32 = 2
  public static let pipesPerMEC: UInt32 = 4
  public static let queuesPerPipe: UInt32 = 8
  /// Kernel compute rings by default (`num_kcq` = -1 → 8).
  public static let defaultComputeRings = 8

  /// The bit of a queue in the 64-bit queue masks (`amdgpu_gfx_mec_queue_to_bit`).
  public static func bit(of placement: QueuePlacement) -> Int {
    Int((placement.me - 1) * pipesPerMEC * queuesPerPipe + placement.pipe * queuesPerPipe + placement.queue)
  }

  /// The queue of a bit of the masks.
  public static func placement(ofBit bit: Int) -> QueuePlacement {
    let bit = UInt32(bit)
    return QueuePlacement(
      me: bit / (pipesPerMEC * queuesPerPipe) + 1, pipe: bit / queuesPerPipe % pipesPerMEC, queue: bit % queuesPerPipe)
  }

  /// The kernel compute rings' queues in ring order (`amdgpu_gfx_compute_queue_acquire` with the
  /// multipipe policy, rings created MEC → queue → pipe): ring i is pipe i mod 4, queue i / 4 of
  /// MEC 1.
  public static func computeQueues(count: Int = defaultComputeRings) -> [QueuePlacement] {
    precondition((1...8).contains(count), "gfx_v8 runs 1 to 8 kernel compute rings")
    return (0..<count).map { QueuePlacement(me: 1, pipe: UInt32($0) % pipesPerMEC, queue: UInt32($0) / pipesPerMEC) }
  }

  /// The mask of `queues` (SET_RESOURCES' queue mask).
  public static func queueMask(_ queues: [QueuePlacement]) -> UInt64 {
    queues.reduce(0) { $0 | 1 << UInt64(bit(of: $1)) }
  }

  /// The KIQ's queue (`amdgpu_gfx_kiq_acquire`): from bit 63 down, the first not owned by a
  /// compute ring, not on MEC 2's pipes 2 and 3, and queue 0. By default ME 2, pipe 1, queue 0.
  public static func kiqQueue(avoiding owned: [QueuePlacement] = computeQueues()) -> QueuePlacement? {
    let taken = queueMask(owned)
    for bit in stride(from: 63, through: 0, by: -1) where taken & 1 << UInt64(bit) == 0 {
      let placement = placement(ofBit: bit)
      if placement.me == 2 && placement.pipe > 1 || placement.queue != 0 { continue }
      return placement
    }
    return nil
  }
}
