/// Bits `msb...lsb` of a 32-bit word, as written `msb:lsb` (or a single `bit`) in specs.
public struct BitRange: Hashable, Sendable, CustomStringConvertible {
  public var lsb: Int
  public var msb: Int

  public init(lsb: Int, msb: Int) {
    self.lsb = lsb
    self.msb = msb
  }

  public var width: Int { msb - lsb + 1 }

  /// The bits as a mask; valid when `msb < 64`.
  public var mask: UInt64 {
    let ones: UInt64 = width >= 64 ? ~0 : (1 << UInt64(width)) - 1
    return ones << UInt64(lsb)
  }

  public func overlaps(_ other: BitRange) -> Bool { lsb <= other.msb && other.lsb <= msb }

  public var description: String { width == 1 ? "\(lsb)" : "\(msb):\(lsb)" }
}
