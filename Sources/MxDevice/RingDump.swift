/// A ring as amdgpu's debugfs file `amdgpu_ring_<name>` shows it (`amdgpu_debugfs_ring_read`):
/// three dwords — the read pointer, the write pointer the hardware reports and the driver's own
/// write pointer, each masked to the ring — then every dword of the ring, little-endian. The
/// file's size is the ring's plus 12 bytes.
public struct RingDump: Equatable, Sendable {
  /// Where the CP is, in dwords from the ring's start.
  public var readPointer: UInt32
  /// Where the hardware says the ring is written up to (`amdgpu_ring_get_wptr`).
  public var writePointer: UInt32
  /// Where the driver has written up to (`ring->wptr`); ahead of `writePointer` between a write
  /// and its commit.
  public var driverWritePointer: UInt32
  /// The ring; a power of two of them.
  public var dwords: [UInt32]

  /// A dump of `dwords`; the pointers are masked to the ring, as the kernel masks them.
  public init(readPointer: UInt32, writePointer: UInt32, driverWritePointer: UInt32, dwords: [UInt32]) {
    precondition(dwords.count.nonzeroBitCount == 1, "a ring is a power of two of dwords")
    let mask = UInt32(dwords.count - 1)
    self.readPointer = readPointer & mask
    self.writePointer = writePointer & mask
    self.driverWritePointer = driverWritePointer & mask
    self.dwords = dwords
  }

  /// The dump a debugfs ring file holds.
  public init(bytes: [UInt8], name: String) throws(RingDumpError) {
    guard bytes.count % 4 == 0, bytes.count >= 16 else { throw .notARing(name: name, byteCount: bytes.count) }
    let words = littleEndianDwords(bytes[...])
    let ring = Array(words[3...])
    guard ring.count.nonzeroBitCount == 1 else { throw .notARing(name: name, byteCount: bytes.count) }
    let pointers = words[0..<3]
    if let beyond = pointers.first(where: { $0 >= ring.count }) {
      throw .pointerBeyondRing(name: name, pointer: beyond, ringDwords: ring.count)
    }
    self.init(readPointer: words[0], writePointer: words[1], driverWritePointer: words[2], dwords: ring)
  }

  /// The file's bytes, as the kernel writes them.
  public var bytes: [UInt8] {
    ([readPointer, writePointer, driverWritePointer] + dwords).flatMap { word in
      (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) }
    }
  }

  /// Dwords between the read and the write pointer: what the CP has still to run.
  public var pendingDwords: Int { Int((writePointer &- readPointer) & UInt32(dwords.count - 1)) }
}

/// Why a file is not a debugfs ring dump.
public enum RingDumpError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Not three pointers and a power of two of dwords.
  case notARing(name: String, byteCount: Int)
  /// A pointer the kernel would have masked to the ring points past it.
  case pointerBeyondRing(name: String, pointer: UInt32, ringDwords: Int)

  public var description: String {
    switch self {
    case .notARing(let name, let byteCount):
      "\(name) holds \(byteCount) bytes, which is not a debugfs ring dump (12 bytes of pointers, then a power of "
        + "two of dwords)"
    case .pointerBeyondRing(let name, let pointer, let ringDwords):
      "\(name): pointer \(pointer) lies beyond its ring of \(ringDwords) dwords (the kernel masks them to the ring)"
    }
  }
}

/// The little-endian dwords `bytes` hold, as device files and dumps hold them; a count that is
/// not a multiple of 4 leaves the last bytes out.
public func littleEndianDwords(_ bytes: ArraySlice<UInt8>) -> [UInt32] {
  stride(from: bytes.startIndex, to: bytes.endIndex - 3, by: 4).map { index in
    (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[index + $1]) << (8 * $1) }
  }
}
