// The Swift side of the PM4 encoding benchmark (Benchmarks/pm4-encode/run.sh): the same stream as
// reference.c, built with the generated MxPM4Packets builders into a PM4Ring.
import MxPM4
import MxPM4Packets

let ringDwords = 1 << 18  // the KIQ ring: 1 MiB

// A stable symbol, so that callgrind can count this function alone (run.sh --toggle-collect).
@inline(never) @_silgen_name("pm4_swift_encode_stream")
func encodeStream(_ ring: inout PM4Ring, packets: Int) throws(PM4EncodingError) {
  try SET_RESOURCES(QUEUE_MASK_LO: 0x0303_0303).encode(into: &ring)
  for i in 0..<8 {
    let mqd = 0x1_0000_0000 + UInt64(i) * 0x1000
    let wptr = 0x2_0000_0000 + UInt64(i) * 8
    try MAP_QUEUES(
      NUM_QUEUES: 1, DOORBELL_OFFSET: UInt32(0x10 + i), QUEUE: UInt8(i / 4), PIPE: UInt8(i % 4), ME: false,
      MQD_ADDR_LO: UInt32(truncatingIfNeeded: mqd), MQD_ADDR_HI: UInt32(mqd >> 32),
      WPTR_ADDR_LO: UInt32(truncatingIfNeeded: wptr), WPTR_ADDR_HI: UInt32(wptr >> 32)
    ).encode(into: &ring)
  }
  // The driver arithmetic wraps, as C's does, so that only the builders are compared.
  for i in 0..<packets {
    let register = 0xC040 &+ UInt32(truncatingIfNeeded: i & 0xFF)
    if i & 1 == 0 {
      let slot = 0x4_0000_0000 &+ UInt64(truncatingIfNeeded: i & 0xFF) &* 32
      try COPY_DATA(
        SRC_SEL: 0, DST_SEL: .MEMORY_ASYNC, WR_CONFIRM: true, SRC_ADDR_LO: .register(SRC_REG_OFFSET: register),
        SRC_ADDR_HI: .register, DST_ADDR_LO: .memory(DST_ADDR_LO: UInt32(truncatingIfNeeded: slot)),
        DST_ADDR_HI: .memory(DST_ADDR_HI: UInt32(slot >> 32))
      ).encode(into: &ring)
    } else {
      try WRITE_DATA(DST_SEL: .REGISTER, WR_ONE_ADDR: true, DST_ADDR_LO: register)
        .encode(into: &ring, payload: CollectionOfOne(UInt32(truncatingIfNeeded: i)))
    }
  }
}

let packets = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 1_000_000
let storage = UnsafeMutablePointer<UInt32>.allocate(capacity: ringDwords)
storage.initialize(repeating: 0, count: ringDwords)
var ring = PM4Ring(base: storage, mask: UInt64(ringDwords - 1), allowance: 1 << 30)
do {
  try encodeStream(&ring, packets: packets)
} catch {
  print("encoding failed: \(error)")
}
var checksum: UInt64 = 0
for i in 0..<ringDwords { checksum = checksum &* 31 &+ UInt64(storage[i]) }
let hex = String(checksum, radix: 16)
// The kernel keeps wptr masked (ptr_mask == buf_mask on gfx_v8); print it the same way.
print(
  "wptr \(ring.writePointer & UInt64(ringDwords - 1)) checksum \(String(repeating: "0", count: 16 - hex.count) + hex) errors 0"
)
