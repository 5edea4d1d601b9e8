/// Dword streams as people and tools give them: hex text or little-endian binary (`gen decode`).
public enum DwordInput {
  public struct Error: Swift.Error, CustomStringConvertible {
    public var description: String
  }

  /// Hex dwords, `0x` optional, separated by white space or commas.
  public static func hex(_ text: String) -> Result<[UInt32], Error> {
    var dwords: [UInt32] = []
    for (index, token) in text.split(whereSeparator: { $0.isWhitespace || $0 == "," }).enumerated() {
      let digits = token.lowercased().hasPrefix("0x") ? token.dropFirst(2) : token[...]
      guard !digits.isEmpty, digits.count <= 8, let value = UInt32(digits, radix: 16) else {
        return .failure(Error(description: "input dword \(index): '\(token)' is not a 32-bit hex number"))
      }
      dwords.append(value)
    }
    return .success(dwords)
  }

  /// Little-endian 32-bit words.
  public static func binary(_ bytes: [UInt8]) -> Result<[UInt32], Error> {
    guard bytes.count % 4 == 0 else {
      return .failure(Error(description: "binary input is \(bytes.count) bytes, not a whole number of dwords"))
    }
    return .success(
      stride(from: 0, to: bytes.count, by: 4).map { offset in
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
      })
  }
}
