import MxPM4
import MxPM4Packets

/// Encodes into a fresh buffer and returns the dwords written.
func encoded(capacity: Int = 64, _ build: (inout PM4Buffer) throws -> Void) rethrows -> [UInt32] {
  let storage = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity)
  defer { storage.deallocate() }
  storage.initialize(repeating: 0xAAAA_AAAA, count: capacity)
  var buffer = PM4Buffer(base: storage, capacity: capacity)
  try build(&buffer)
  return Array(UnsafeBufferPointer(start: storage, count: buffer.count))
}

/// The MAP_QUEUES of compute ring `ring` with the driver's default placement (facts 3.1, 3.10).
func mapQueues(ring: Int, mqd: UInt64, wptr: UInt64) -> MAP_QUEUES {
  MAP_QUEUES(
    NUM_QUEUES: 1, CHECK_DISABLE: false, DOORBELL_OFFSET: UInt32(0x10 + ring), QUEUE: UInt8(ring / 4),
    PIPE: UInt8(ring % 4), ME: false, MQD_ADDR_LO: UInt32(truncatingIfNeeded: mqd), MQD_ADDR_HI: UInt32(mqd >> 32),
    WPTR_ADDR_LO: UInt32(truncatingIfNeeded: wptr), WPTR_ADDR_HI: UInt32(wptr >> 32))
}
