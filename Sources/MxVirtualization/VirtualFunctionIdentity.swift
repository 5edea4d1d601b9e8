import MxMMIO
import MxRuntimeRegisters

/// What BIF_IOV_FUNC_IDENTIFIER (dword 0x1503) says about this PCI function.
public struct VirtualFunctionIdentity: Equatable, Sendable {
  /// FUNC_IDENTIFIER: this function is an SR-IOV virtual function.
  public var isVirtualFunction: Bool
  /// IOV_ENABLE: SR-IOV is enabled on the device.
  public var isIOVEnabled: Bool
  /// The register as read; all zeros on bare metal (and in passthrough, which the kernel tells
  /// apart with the CPU's hypervisor flag).
  public var rawValue: UInt32

  public init(isVirtualFunction: Bool, isIOVEnabled: Bool, rawValue: UInt32) {
    self.isVirtualFunction = isVirtualFunction
    self.isIOVEnabled = isIOVEnabled
    self.rawValue = rawValue
  }
}

extension RegisterBus {
  /// Reads BIF_IOV_FUNC_IDENTIFIER by plain MMIO, as `amdgpu_detect_virtualization` does on
  /// Tonga and Fiji right after mapping BAR 5.
  public func identifyFunction() -> VirtualFunctionIdentity {
    let value = read(BIF_IOV_FUNC_IDENTIFIER.self)
    return VirtualFunctionIdentity(
      isVirtualFunction: value[BIF_IOV_FUNC_IDENTIFIER.FUNC_IDENTIFIER],
      isIOVEnabled: value[BIF_IOV_FUNC_IDENTIFIER.IOV_ENABLE], rawValue: value.rawValue)
  }
}
