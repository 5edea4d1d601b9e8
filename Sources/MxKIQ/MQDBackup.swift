import MxMemory
import MxStructures

/// A copy of a queue's `vi_mqd_allocation` in CPU memory (`mqd_backup`): the driver keeps one
/// per queue after initialising it and puts it back after a GPU reset, when the MQD in VRAM may
/// have been overwritten.
public struct MQDBackup: Equatable, Sendable {
  public private(set) var dwords: [UInt32]

  /// A copy of `allocation` as it is now.
  public init(of allocation: vi_mqd_allocation) {
    dwords = (0..<vi_mqd_allocation.dwordCount).map { allocation[dword: $0] }
  }

  /// Writes the copy back.
  public func restore(into allocation: vi_mqd_allocation) {
    for (index, dword) in dwords.enumerated() { allocation[dword: index] = dword }
  }
}
