import MxMMIO

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A PCI BAR through its sysfs file (`/sys/bus/pci/devices/DDDD:BB:DD.F/resource5` is BAR 5 of a
/// VI GPU), mapped shared, or any regular file standing in for it: accesses are volatile loads
/// and stores through `MappedMMIOBus`, checked against the file's size first.
public final class MappedResourceFile: RegisterDevice {
  public let name: String
  public let byteCount: Int
  public let writable: Bool
  private let mapping: UnsafeMutableRawPointer
  private let bus: MappedMMIOBus

  /// Opens and maps `path`, read-only unless `writable`.
  public init(path: String, writable: Bool) throws(DeviceError) {
    name = path
    self.writable = writable
    let descriptor = open(path, writable ? O_RDWR : O_RDONLY)
    guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: Self.reason()) }
    defer { close(descriptor) }  // the mapping outlives the descriptor
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw .cannotOpen(path: path, reason: Self.reason()) }
    let size = Int(status.st_size)
    guard size > 0, size % 4 == 0 else { throw .notRegisters(path: path, byteCount: size) }
    let protection = writable ? PROT_READ | PROT_WRITE : PROT_READ
    guard let base = mmap(nil, size, protection, MAP_SHARED, descriptor, 0), base != MAP_FAILED else {
      throw .cannotMap(path: path, reason: Self.reason())
    }
    byteCount = size
    mapping = base
    bus = MappedMMIOBus(base: base, byteCount: size)
  }

  deinit {
    munmap(mapping, byteCount)
  }

  public func read32(at offset: UInt32) throws(DeviceError) -> UInt32 {
    try check(offset)
    return bus.read32(at: offset)
  }

  public func write32(_ value: UInt32, at offset: UInt32) throws(DeviceError) {
    guard writable else { throw .readOnly(device: name) }  // a store to a read-only mapping faults
    try check(offset)
    bus.write32(value, at: offset)
  }

  static func reason() -> String { String(cString: strerror(errno)) }
}

/// The amdgpu debugfs register file (`/sys/kernel/debug/dri/N/amdgpu_regs`): a 4-byte `pread` or
/// `pwrite` at the register's byte address. The kernel routes it as the driver would (through
/// the KIQ on a VF in runtime).
public final class DebugfsRegisterFile: RegisterDevice {
  public let name: String
  public let byteCount: Int
  private let descriptor: Int32

  /// Opens `path`; `byteCount` is what it exposes (debugfs files report no size).
  public init(path: String, writable: Bool, byteCount: Int = 1 << 20) throws(DeviceError) {
    name = path
    self.byteCount = byteCount
    descriptor = open(path, writable ? O_RDWR : O_RDONLY)
    guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: MappedResourceFile.reason()) }
  }

  deinit {
    close(descriptor)
  }

  public func read32(at offset: UInt32) throws(DeviceError) -> UInt32 {
    try check(offset)
    var value: UInt32 = 0
    let done = withUnsafeMutableBytes(of: &value) { pread(descriptor, $0.baseAddress, 4, off_t(offset) * 4) }
    guard done == 4 else { throw failure(offset, done) }
    return value
  }

  public func write32(_ value: UInt32, at offset: UInt32) throws(DeviceError) {
    try check(offset)
    var value = value
    let done = withUnsafeBytes(of: &value) { pwrite(descriptor, $0.baseAddress, 4, off_t(offset) * 4) }
    guard done == 4 else { throw failure(offset, done) }
  }

  private func failure(_ offset: UInt32, _ done: Int) -> DeviceError {
    .ioFailed(
      device: name, byteAddress: UInt64(offset) * 4,
      reason: done < 0 ? MappedResourceFile.reason() : "\(done) of 4 bytes transferred")
  }
}

/// Any `RegisterBus` as a device (the simulator's BAR 5), with a size to check against.
public final class BusDevice<Bus: RegisterBus>: RegisterDevice {
  public let name: String
  public let byteCount: Int
  private let bus: Bus

  public init(_ bus: Bus, name: String, byteCount: Int) {
    self.bus = bus
    self.name = name
    self.byteCount = byteCount
  }

  public func read32(at offset: UInt32) throws(DeviceError) -> UInt32 {
    try check(offset)
    return bus.read32(at: offset)
  }

  public func write32(_ value: UInt32, at offset: UInt32) throws(DeviceError) {
    try check(offset)
    bus.write32(value, at: offset)
  }
}
