/// The size of a GPU VM on gfx8, as `amdgpu_vm_adjust_size` sets it from `gmc_v8_0_sw_init`
/// (facts 4.1): at most 1 TiB (40 address bits); by default at least 64 GiB and a power of two.
public struct VMSize: Equatable, Sendable, CustomStringConvertible {
  /// The size in GiB.
  public let gigabytes: UInt64

  /// The smallest default size, and the largest size gfx8 takes.
  public static let minimumDefaultGigabytes: UInt64 = 64
  public static let maximumGigabytes: UInt64 = 1024

  /// A VM of `gigabytes` GiB; nil outside 1 … 1024.
  public init?(gigabytes: UInt64) {
    guard (1...Self.maximumGigabytes).contains(gigabytes) else { return nil }
    self.gigabytes = gigabytes
  }

  /// The size the driver picks: the `amdgpu.vm_size` module parameter when it is given and
  /// positive (capped at 1 TiB, taken as is otherwise), else the next power of two of three times
  /// the system memory in whole GiB (rounded up), within 64 GiB … 1 TiB.
  public init(systemMemoryBytes: UInt64, requestedGigabytes: Int? = nil) {
    if let requested = requestedGigabytes, requested >= 1 {
      gigabytes = min(UInt64(requested), Self.maximumGigabytes)
      return
    }
    let memory = (systemMemoryBytes >> 30) + (systemMemoryBytes & (1 << 30 - 1) == 0 ? 0 : 1)
    let wanted = min(
      max(memory.multipliedReportingOverflow(by: 3).partialValue, Self.minimumDefaultGigabytes), Self.maximumGigabytes)
    gigabytes = wanted.nonzeroBitCount == 1 ? wanted : 1 << (64 - UInt64(wanted.leadingZeroBitCount))
  }

  /// The VM's size in bytes (`max_pfn << 12`).
  public var bytes: UInt64 { gigabytes << 30 }
  public var description: String { "\(gigabytes) GiB" }
}
