/// How numbers are shown in generated code, diagnostics and tools: upper-case hex digits.
public enum Hex {
  /// `0x14D0`, `0x0000_0101`: four-digit groups beyond four digits, for Swift literals.
  public static func literal(_ value: UInt64, minimumDigits: Int = 1) -> String {
    // Built as bytes: generation formats every offset, mask and reset value this way.
    var count = max(minimumDigits, 1)
    while count < 16 && value >> (4 * UInt64(count)) != 0 { count += 1 }
    let width = 2 + count + (count > 4 ? (count - 1) / 4 : 0)
    return String(unsafeUninitializedCapacity: width) { buffer in
      var position = width
      for digit in 0..<count {
        if digit > 0 && digit % 4 == 0 && count > 4 {
          position -= 1
          buffer[position] = UInt8(ascii: "_")
        }
        position -= 1
        buffer[position] = digits[Int((value >> (4 * UInt64(digit))) & 0xF)]
      }
      buffer[0] = UInt8(ascii: "0")
      buffer[1] = UInt8(ascii: "x")
      return width
    }
  }

  private static let digits = Array("0123456789ABCDEF".utf8)

  /// A 32-bit value with all eight digits: `0x0000_0101`.
  public static func word(_ value: UInt32) -> String { literal(UInt64(value), minimumDigits: 8) }

  /// `0x14D0`: no grouping, for messages.
  public static func plain<T: BinaryInteger>(_ value: T) -> String { "0x" + String(value, radix: 16, uppercase: true) }

  /// Reads a number as tools take it from people: decimal, or 0x-prefixed hexadecimal in any
  /// case, `_` allowed between hex digits; nil for anything else.
  public static func parse(_ text: String) -> UInt64? {
    let lower = text.lowercased()
    if lower.hasPrefix("0x") { return UInt64(lower.dropFirst(2).filter { $0 != "_" }, radix: 16) }
    return lower.first?.isNumber == true ? UInt64(lower) : nil
  }
}
