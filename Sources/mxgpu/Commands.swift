import ArgumentParser
import Foundation
import MxDevice
import MxGenerator
import MxSpecModel

struct Read: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Read a register and decode it field by field.")

  @Argument(help: "Register name, glob or part of a name (one match), or address.")
  var register: String

  @OptionGroup var device: DeviceOptions

  func run() throws {
    try reporting {
      let target = try device.resolve(register)
      let bar = try device.open(writable: false)
      try device.show(try bar.read32(at: target.offset), of: target, device: bar)
    }
  }
}

struct Write: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write a whole register value (nothing is read first), then read it back.")

  @Argument(help: "Register name or address.")
  var register: String

  @Argument(help: "The value: decimal or 0x-prefixed hexadecimal.")
  var value: String

  @OptionGroup var device: DeviceOptions

  func run() throws {
    try reporting {
      let target = try device.resolve(register)
      let value = try parseValue(value)
      let bar = try device.open(writable: true)
      try bar.write32(value, at: target.offset)
      try device.show(try bar.read32(at: target.offset), of: target, device: bar)
    }
  }
}

struct Modify: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Read a register, set fields (FIELD=VALUE, any case), write it back, read it back.")

  @Argument(help: "Register name.")
  var register: String

  @Argument(help: "FIELD=VALUE, one or more.")
  var assignments: [String]

  @OptionGroup var device: DeviceOptions

  func run() throws {
    try reporting {
      let target = try device.resolve(register)
      guard let (_, definition) = target.register else {
        throw Failure("an address with no register has no fields; use write")
      }
      var changes: [(field: Field, value: UInt64)] = []
      for assignment in assignments {
        let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw Failure("'\(assignment)' is not FIELD=VALUE") }
        guard let field = definition.fields.first(where: { $0.name.caseInsensitiveCompare(parts[0]) == .orderedSame })
        else {
          throw Failure(
            "\(definition.name) has no field '\(parts[0])' (fields: \(definition.fields.map(\.name).joined(separator: ", ")))"
          )
        }
        // As the typed API: a read-only field has no setter.
        guard definition.access(of: field).isWritable else {
          throw Failure(
            "\(definition.name).\(field.name) is read-only\(field.accessSource.map { " (\($0))" } ?? ""); it cannot be set"
          )
        }
        let value = UInt64(try parseValue(parts[1]))
        guard field.bits.width >= 64 || value >> UInt64(field.bits.width) == 0 else {
          throw Failure("\(value) does not fit \(definition.name).\(field.name) (\(field.bits.width) bits)")
        }
        changes.append((field, value))
      }
      let bar = try device.open(writable: true)
      // As the typed `modify`: a pending write-1-to-clear bit is written back as 0, not cleared,
      // unless it is one of the fields set here.
      let writeOneToClear = definition.fields.filter { definition.access(of: $0) == .writeOneToClear }
      var value = UInt64(try bar.read32(at: target.offset)) & ~writeOneToClear.reduce(0) { $0 | $1.bits.mask }
      for (field, bits) in changes {
        value = (value & ~field.bits.mask) | (bits << UInt64(field.bits.lsb)) & field.bits.mask
      }
      try bar.write32(UInt32(truncatingIfNeeded: value), at: target.offset)
      try device.show(try bar.read32(at: target.offset), of: target, device: bar)
    }
  }
}

struct Watch: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Read a register every interval and print it whenever it changes.")

  @Argument(help: "Register name or address.")
  var register: String

  @Option(help: "Milliseconds between reads.")
  var interval = 100

  @Option(help: "Stop after this many reads (0: never).")
  var count = 0

  @OptionGroup var device: DeviceOptions

  func run() throws {
    try reporting {
      let target = try device.resolve(register)
      let bar = try device.open(writable: false)
      var last: UInt32?
      var reads = 0
      while count == 0 || reads < count {
        let value = try bar.read32(at: target.offset)
        reads += 1
        if value != last {
          try device.show(value, of: target, device: bar)
          last = value
        }
        if count == 0 || reads < count { usleep(UInt32(max(1, interval)) * 1000) }
      }
    }
  }
}
