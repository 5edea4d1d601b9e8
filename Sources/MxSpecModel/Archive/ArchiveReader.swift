/// Reads the tokens of a `SpecArchive` from its UTF-8 bytes. It runs in every start of the tools
/// and, built for debugging, in every build a consumer's plugin makes: it reads bytes through a
/// pointer, not characters, and copies a string only once.
struct ArchiveReader {
  private let bytes: UnsafeBufferPointer<UInt8>
  private(set) var position = 0
  private var files: [String] = []

  init(_ bytes: UnsafeBufferPointer<UInt8>) {
    self.bytes = bytes
  }

  // One reader per integer type, not a generic one: a debug build, which the build plugin's
  // `gen` is, does not specialize generics and pays for their metadata on every call.
  mutating func int() throws -> Int { try narrow(uint64()) { Int(exactly: $0) } }
  mutating func int() throws -> UInt32 { try narrow(uint64()) { UInt32(exactly: $0) } }
  mutating func int() throws -> UInt16 { try narrow(uint64()) { UInt16(exactly: $0) } }
  mutating func int() throws -> UInt8 { try narrow(uint64()) { UInt8(exactly: $0) } }
  mutating func int() throws -> UInt64 { try uint64() }

  private func narrow<T>(_ value: UInt64, _ convert: (UInt64) -> T?) throws -> T {
    guard let narrowed = convert(value) else { throw error(at: position, "the number \(value) does not fit \(T.self)") }
    return narrowed
  }

  private mutating func uint64() throws -> UInt64 {
    let token = try nextToken()
    guard !token.isEmpty else { throw error(at: token.lowerBound, "expected a number, found an empty token") }
    var value: UInt64 = 0
    for index in token {
      let digit = bytes[index] &- UInt8(ascii: "0")
      guard digit < 10 else { throw error(at: index, "expected a number") }
      // Up to 19 digits cannot overflow; only a 20th needs the check.
      if index - token.lowerBound < 19 {
        value = value &* 10 &+ UInt64(digit)
      } else {
        let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
        let (sum, carry) = times10.addingReportingOverflow(UInt64(digit))
        guard !overflow, !carry else { throw error(at: token.lowerBound, "the number does not fit 64 bits") }
        value = sum
      }
    }
    return value
  }

  mutating func bool() throws -> Bool {
    switch try uint64() {
    case 0: false
    case 1: true
    default: throw error(at: position, "expected 0 or 1")
    }
  }

  mutating func string() throws -> String {
    let token = try nextToken()
    let (start, end) = (token.lowerBound, token.upperBound)
    var index = start
    while index < end, bytes[index] != UInt8(ascii: "\\") { index += 1 }
    if index == end { return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self) }
    var unescaped = Array(bytes[start..<index])
    while index < end {
      let byte = bytes[index]
      index += 1
      guard byte == UInt8(ascii: "\\") else {
        unescaped.append(byte)
        continue
      }
      guard index < end else { throw error(at: index - 1, "a string ends in a lone '\\'") }
      switch bytes[index] {
      case UInt8(ascii: "\\"): unescaped.append(UInt8(ascii: "\\"))
      case UInt8(ascii: "t"): unescaped.append(UInt8(ascii: "\t"))
      case UInt8(ascii: "n"): unescaped.append(UInt8(ascii: "\n"))
      case UInt8(ascii: "r"): unescaped.append(UInt8(ascii: "\r"))
      case UInt8(ascii: "~"): unescaped.append(UInt8(ascii: "~"))
      default: throw error(at: index - 1, "unknown escape in a string")
      }
      index += 1
    }
    return String(decoding: unescaped, as: UTF8.self)
  }

  /// nil for the absent token `~`, else what `read` reads.
  mutating func optional<T>(_ read: (inout Self) throws -> T) throws -> T? {
    if position < bytes.count, bytes[position] == UInt8(ascii: "~"),
      position + 1 == bytes.count || bytes[position + 1] == 0x09 || bytes[position + 1] == 0x0A
    {
      position = min(position + 2, bytes.count)
      return nil
    }
    return try read(&self)
  }

  mutating func optionalString() throws -> String? { try optional { reader in try reader.string() } }
  mutating func optionalInt() throws -> Int? { try optional { reader in try reader.int() } }
  mutating func optionalInt() throws -> UInt32? { try optional { reader in try reader.int() } }
  mutating func optionalInt() throws -> UInt8? { try optional { reader in try reader.int() } }

  mutating func array<T: Archivable>(_: T.Type = T.self) throws -> [T] {
    let count: Int = try int()
    // Every item takes at least two bytes: a count larger than what is left is damage, not data.
    guard count <= (bytes.count - position) / 2 else {
      throw error(at: position, "a count of \(count) runs past the end")
    }
    var items: [T] = []
    items.reserveCapacity(count)
    for _ in 0..<count { items.append(try T(from: &self)) }
    return items
  }

  mutating func location() throws -> SourceLocation {
    let start = position
    let number: Int = try int()
    if number == files.count {
      files.append(try string())
    } else if number > files.count {
      throw error(at: start, "file number \(number) was never given a path")
    }
    return SourceLocation(file: files[number], line: try int(), column: try int())
  }

  func expectEnd() throws {
    guard position >= bytes.count else { throw error(at: position, "more data after the spec") }
  }

  /// A value of `T` named by its raw value, as `Access` and the model's other enums are.
  mutating func raw<T: RawRepresentable<String>>(_: T.Type = T.self) throws -> T {
    let start = position
    let name = try string()
    guard let value = T(rawValue: name) else { throw error(at: start, "'\(name)' is no \(T.self)") }
    return value
  }

  func error(at offset: Int, _ message: String) -> SpecArchiveError {
    SpecArchiveError(offset: offset, message: message)
  }

  /// The bytes of the token at `position`, which moves past its separator.
  private mutating func nextToken() throws -> Range<Int> {
    guard position < bytes.count else { throw error(at: bytes.count, "the archive ends too early") }
    var end = position
    while end < bytes.count {
      let byte = bytes[end]
      if byte == 0x09 || byte == 0x0A { break }  // tab, line break
      end += 1
    }
    // Past the separator, but never past the end: an error reports where it is, in the text.
    defer { position = min(end + 1, bytes.count) }
    return position..<end
  }
}
