import MxMMIO

/// Registers of a real device (or a stand-in) reached from user space: a BAR's sysfs `resource`
/// file mapped into memory, or the amdgpu debugfs register file. Unlike `RegisterBus`, every
/// access is checked against what the device exposes and can fail with a clear message.
public protocol RegisterDevice: AnyObject {
  /// Where the registers come from, for messages.
  var name: String { get }
  /// How many bytes of registers there are.
  var byteCount: Int { get }
  func read32(at offset: UInt32) throws(DeviceError) -> UInt32
  func write32(_ value: UInt32, at offset: UInt32) throws(DeviceError)
}

extension RegisterDevice {
  /// Throws unless the dword at `offset` lies inside the device.
  func check(_ offset: UInt32) throws(DeviceError) {
    guard UInt64(offset) * 4 + 4 <= UInt64(byteCount) else {
      throw .outOfRange(device: name, byteAddress: UInt64(offset) * 4, byteCount: byteCount)
    }
  }
}

/// Why a device's registers could not be reached.
public enum DeviceError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file could not be opened (`reason` is the system's, e.g. "Permission denied").
  case cannotOpen(path: String, reason: String)
  /// The file is not a register BAR: empty, or not a whole number of dwords.
  case notRegisters(path: String, byteCount: Int)
  case cannotMap(path: String, reason: String)
  /// The register lies beyond what the device exposes.
  case outOfRange(device: String, byteAddress: UInt64, byteCount: Int)
  case ioFailed(device: String, byteAddress: UInt64, reason: String)
  /// A write to a device opened for reading.
  case readOnly(device: String)

  public var description: String {
    switch self {
    case .cannotOpen(let path, let reason):
      "cannot open \(path): \(reason)\(reason.contains("ermission") ? " (reading a BAR takes root, or access to the PCI device)" : "")"
    case .notRegisters(let path, let byteCount):
      "\(path) holds \(byteCount) bytes, which is not a register BAR (a non-empty whole number of dwords)"
    case .cannotMap(let path, let reason): "cannot map \(path): \(reason)"
    case .outOfRange(let device, let address, let byteCount):
      "byte address 0x\(String(address, radix: 16, uppercase: true)) is beyond \(device) (\(byteCount) bytes)"
    case .readOnly(let device): "\(device) was opened read-only"
    case .ioFailed(let device, let address, let reason):
      "access at byte 0x\(String(address, radix: 16, uppercase: true)) of \(device) failed: \(reason)"
    }
  }
}
