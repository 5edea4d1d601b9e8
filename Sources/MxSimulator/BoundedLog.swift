/// The newest entries of a log, up to a capacity, oldest first: what a long simulation keeps of
/// its packets and interrupts without growing without bound.
struct BoundedLog<Entry> {
  let capacity: Int
  private var storage: [Entry] = []
  /// Where the oldest entry is once the storage is full.
  private var start = 0

  init(capacity: Int) {
    self.capacity = max(0, capacity)
  }

  /// Whether anything is kept at all.
  var isRecording: Bool { capacity > 0 }

  mutating func append(_ entry: Entry) {
    guard capacity > 0 else { return }
    if storage.count < capacity {
      storage.append(entry)
    } else {
      storage[start] = entry
      start = (start + 1) % capacity
    }
  }

  var entries: [Entry] { Array(storage[start...] + storage[..<start]) }
}
