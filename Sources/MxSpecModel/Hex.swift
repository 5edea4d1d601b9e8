/// How numbers are shown in generated code, diagnostics and tools: upper-case hex digits.
public enum Hex {
  /// `0x14D0`, `0x0000_0101`: four-digit groups beyond four digits, for Swift literals.
  public static func literal(_ value: UInt64, minimumDigits: Int = 1) -> String {
    var digits = String(value, radix: 16, uppercase: true)
    if digits.count < minimumDigits { digits = String(repeating: "0", count: minimumDigits - digits.count) + digits }
    if digits.count > 4 {
      var grouped: [Character] = []
      for (i, c) in digits.reversed().enumerated() {
        if i > 0 && i % 4 == 0 { grouped.append("_") }
        grouped.append(c)
      }
      digits = String(grouped.reversed())
    }
    return "0x" + digits
  }

  /// A 32-bit value with all eight digits: `0x0000_0101`.
  public static func word(_ value: UInt32) -> String { literal(UInt64(value), minimumDigits: 8) }

  /// `0x14D0`: no grouping, for messages.
  public static func plain<T: BinaryInteger>(_ value: T) -> String { "0x" + String(value, radix: 16, uppercase: true) }
}
