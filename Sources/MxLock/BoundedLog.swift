/// The newest entries of a log, up to a capacity, oldest first, and how many there were in all:
/// what a long run keeps of its packets, interrupts, host actions and life-cycle steps without
/// growing without bound.
public struct BoundedLog<Entry> {
  public let capacity: Int
  private var storage: [Entry] = []
  /// Where the oldest entry is once the storage is full.
  private var start = 0
  /// Entries appended in all, those no longer kept included.
  public private(set) var total = 0

  public init(capacity: Int) {
    self.capacity = max(0, capacity)
  }

  /// Whether anything is kept at all.
  public var isRecording: Bool { capacity > 0 }

  public mutating func append(_ entry: Entry) {
    total += 1
    guard capacity > 0 else { return }
    if storage.count < capacity {
      storage.append(entry)
    } else {
      storage[start] = entry
      start = (start + 1) % capacity
    }
  }

  /// The entries kept, oldest first.
  public var entries: [Entry] { Array(storage[start...] + storage[..<start]) }
}

extension BoundedLog: Sendable where Entry: Sendable {}
