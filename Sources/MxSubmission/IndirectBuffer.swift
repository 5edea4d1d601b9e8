import MxMemory
import MxPM4

/// An indirect buffer as a submission names it (`struct amdgpu_ib`): its GPU address, its length
/// in dwords and the flags userspace gives it (`AMDGPU_IB_FLAG_*`).
public struct IndirectBuffer: Equatable, Sendable {
  public var gpuAddress: UInt64
  public var lengthDwords: UInt32
  public var flags: IndirectBufferFlags

  public init(gpuAddress: UInt64, lengthDwords: UInt32, flags: IndirectBufferFlags = []) {
    self.gpuAddress = gpuAddress
    self.lengthDwords = lengthDwords
    self.flags = flags
  }
}

/// `AMDGPU_IB_FLAG_*` (`include/uapi/drm/amdgpu_drm.h`), bit for bit.
public struct IndirectBufferFlags: OptionSet, Hashable, Sendable {
  public var rawValue: UInt32
  public init(rawValue: UInt32) { self.rawValue = rawValue }

  /// A constant-engine IB (graphics).
  public static let constantEngine = Self(rawValue: 1 << 0)
  /// A preamble IB (graphics).
  public static let preamble = Self(rawValue: 1 << 1)
  /// The IB may be preempted (graphics, PRE_ENB).
  public static let preempt = Self(rawValue: 1 << 2)
  /// The fence after it writes back the texture cache without invalidating it.
  public static let writeBackNotInvalidate = Self(rawValue: 1 << 3)
  /// Reset GDS_COMPUTE_MAX_WAVE_ID before the IB (compute).
  public static let resetGDSMaxWaveID = Self(rawValue: 1 << 4)
  /// A secure (TMZ) submission.
  public static let secure = Self(rawValue: 1 << 5)
  /// Emit a memory sync (ACQUIRE_MEM) before the IB.
  public static let emitMemorySync = Self(rawValue: 1 << 6)
}

/// Writes an indirect buffer into GPU memory with the generated packet builders: a window of
/// `capacityDwords` dwords at `offsetDwords` of `allocation`, which must outlive every use of the
/// buffer by the GPU. `indirectBuffer(flags:)` names what was written.
public struct IndirectBufferWriter {
  public let allocation: GPUAllocation
  public let offsetDwords: Int
  public private(set) var sink: PM4Buffer

  public init(in allocation: GPUAllocation, offsetDwords: Int = 0, capacityDwords: Int? = nil) {
    let available = allocation.size / 4 - offsetDwords
    let capacity = capacityDwords ?? available
    precondition(offsetDwords >= 0 && capacity >= 0 && capacity <= available, "indirect buffer outside its allocation")
    self.allocation = allocation
    self.offsetDwords = offsetDwords
    sink = PM4Buffer(
      base: allocation.cpu.baseAddress!.assumingMemoryBound(to: UInt32.self) + offsetDwords, capacity: capacity)
  }

  /// Builds packets into the buffer; a packet that does not fit throws and writes nothing.
  public mutating func write(_ body: (inout PM4Buffer) throws(PM4EncodingError) -> Void) throws(PM4EncodingError) {
    try body(&sink)
  }

  /// The buffer as written so far.
  public func indirectBuffer(flags: IndirectBufferFlags = []) -> IndirectBuffer {
    IndirectBuffer(
      gpuAddress: allocation.gpuAddress(atByte: offsetDwords * 4), lengthDwords: UInt32(sink.count), flags: flags)
  }
}
