/// One register access seen by a `RecordingBus`.
public enum BusAccess: Equatable, Sendable, CustomStringConvertible {
  case read(offset: UInt32, value: UInt32)
  case write(offset: UInt32, value: UInt32)

  public var description: String {
    switch self {
    case .read(let offset, let value): "R 0x\(hex(offset)) -> 0x\(hex(value))"
    case .write(let offset, let value): "W 0x\(hex(offset)) <- 0x\(hex(value))"
    }
  }
}

func hex(_ value: UInt32) -> String { String(value, radix: 16, uppercase: true) }

/// A bus for tests: a sparse register file that records every access in order, optionally in
/// front of another bus (interposing), so a test can assert the exact MMIO trace of a flow.
public final class RecordingBus<Backing: RegisterBus>: RegisterBus {
  public private(set) var trace: [BusAccess] = []
  private let backing: Backing

  public init(recording backing: Backing) {
    self.backing = backing
  }

  public func read32(at offset: UInt32) -> UInt32 {
    let value = backing.read32(at: offset)
    trace.append(.read(offset: offset, value: value))
    return value
  }

  public func write32(_ value: UInt32, at offset: UInt32) {
    trace.append(.write(offset: offset, value: value))
    backing.write32(value, at: offset)
  }

  public func clearTrace() { trace.removeAll() }
}

/// Plain memory that acts as registers: reads return the last value written (0 at first).
public final class RegisterFile: RegisterBus {
  private var values: [UInt32: UInt32]

  public init(_ initial: [UInt32: UInt32] = [:]) {
    values = initial
  }

  public func read32(at offset: UInt32) -> UInt32 { values[offset] ?? 0 }
  public func write32(_ value: UInt32, at offset: UInt32) { values[offset] = value }
}
