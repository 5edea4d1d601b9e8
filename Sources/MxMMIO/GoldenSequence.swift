/// One step of a golden register sequence, as the Linux driver's tables give it.
public struct GoldenWrite: Sendable, Equatable {
  /// Dword offset of the register.
  public let offset: UInt32
  public let andMask: UInt32
  public let orMask: UInt32
  /// Hardware name of the register, for logs.
  public let register: StaticString

  public init(_ register: StaticString, offset: UInt32, and andMask: UInt32, or orMask: UInt32) {
    self.register = register
    self.offset = offset
    self.andMask = andMask
    self.orMask = orMask
  }

  public static func == (a: Self, b: Self) -> Bool {
    a.offset == b.offset && a.andMask == b.andMask && a.orMask == b.orMask
  }
}

/// A PCI vendor/device ID and which kind of function it names, where a source says so.
public struct PCIDeviceID: Sendable, Equatable {
  public enum Function: Sendable, Equatable {
    case physical
    case virtual
    /// No source says; decide at run time from BIF_IOV_FUNC_IDENTIFIER.
    case unknown
  }

  public let vendor: UInt16
  public let device: UInt16
  public let function: Function

  public init(vendor: UInt16, device: UInt16, function: Function) {
    self.vendor = vendor
    self.device = device
    self.function = function
  }
}

extension RegisterBus {
  /// Applies a golden sequence in order, as `amdgpu_device_program_register_sequence` does on VI:
  /// an all-ones `andMask` writes `orMask` without reading; otherwise the register is read, the
  /// `andMask` bits cleared and the whole `orMask` ORed in.
  ///
  /// Quirk 8 of the facts sheet, decided: the VI driver ORs the *full* `orMask`, not
  /// `orMask & andMask` as AI and later do, and a few VI table entries (TCC_CTRL: and
  /// 0x00100000, or 0xF31FFF7F) rely on that. The tables are VI's, so VI's rule applies.
  public func apply(_ sequence: [GoldenWrite]) {
    for step in sequence {
      if step.andMask == 0xFFFF_FFFF {
        write32(step.orMask, at: step.offset)
      } else {
        write32((read32(at: step.offset) & ~step.andMask) | step.orMask, at: step.offset)
      }
    }
  }
}
