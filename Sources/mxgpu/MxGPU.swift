import ArgumentParser
import Foundation
import MxDevice
import MxGenerator
import MxSimulator
import MxSpecModel

/// `mxgpu`: registers of a real or simulated VI GPU by name, field or address — read, written,
/// modified, watched — decoded field by field as `gen describe` shows them.
@main
struct MxGPU: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mxgpu",
    abstract:
      "Read, write, modify and watch registers of a real or simulated Tonga/Fiji GPU; decode its rings and MQDs.",
    discussion: """
      Devices: --resource /sys/bus/pci/devices/DDDD:BB:DD.F/resource5 (BAR 5, mapped; any regular \
      file stands in for it), --debugfs /sys/kernel/debug/dri/N/amdgpu_regs, or --sim (a simulated \
      VF's BAR 5, fresh each run).
      """,
    subcommands: [Read.self, Write.self, Modify.self, Watch.self, RingCommand.self, MQDCommand.self])
}

/// Where the registers are, and how registers are named.
struct DeviceOptions: ParsableArguments {
  @Option(help: "A BAR's sysfs resource file (or a file standing in for it).")
  var resource: String?

  @Option(help: "The amdgpu debugfs register file.")
  var debugfs: String?

  @Flag(help: "A simulated VF's BAR 5.")
  var sim = false

  @Flag(help: "A numeric register is a byte address rather than a dword offset.")
  var byteAddress = false

  @Option(help: "Block id (gfx_8_0): only registers of this block.")
  var block: String?

  @Option(help: "Specs folder or file, for names and fields (default: the built-in specs).")
  var specs: String?

  @Flag(help: "Print JSON.")
  var json = false

  /// The device, opened for writing when `writable`.
  func open(writable: Bool) throws -> any RegisterDevice {
    do {
      if let resource { return try MappedResourceFile(path: resource, writable: writable) }
      if let debugfs { return try DebugfsRegisterFile(path: debugfs, writable: writable) }
    } catch {
      throw Failure(error.description)
    }
    let function = SimulatedGPU().functions[0]
    return BusDevice(function.registers, name: "simulated VF BAR 5", byteCount: 256 << 10)
  }

  /// The register `text` names: exactly one, or an address no register has (read raw). Checks
  /// first that one device was chosen, so that every command's first step is this one.
  func resolve(_ text: String) throws -> Target {
    guard [resource != nil, debugfs != nil, sim].filter({ $0 }).count == 1 else {
      throw Failure("choose one device: --resource PATH, --debugfs PATH or --sim")
    }
    let query: RegisterQuery
    do {
      query = try RegisterQuery(text, byteAddress: byteAddress)
    } catch {
      throw Failure(error.description)
    }
    let (spec, diagnostics) = Generator().check(specsAt: specs)
    guard !diagnostics.hasErrors else {
      throw Failure(
        "cannot read \(Generator.describe(specs: specs)) (\(diagnostics.errors.count) error\(diagnostics.errors.count == 1 ? "" : "s"))"
      )
    }
    let matches = query.matches(in: spec, block: block)
    if case .offset(let offset) = query.kind, matches.isEmpty { return Target(offset: offset, register: nil) }
    let direct = matches.filter { $0.register.space == AddressSpace.mmioName }
    guard let first = direct.first(where: { $0.register.aliasOf == nil }) ?? direct.first else {
      if let indirect = matches.first {
        throw Failure(
          "\(indirect.register.name) is in the \(indirect.register.space) space, reached through its index/data pair; give the pair's registers"
        )
      }
      throw Failure("no register matches '\(text)'\(block.map { " in block \($0)" } ?? "")")
    }
    if case .offset = query.kind {
    } else if direct.count > 1 {
      throw Failure(
        "'\(text)' matches \(direct.count) registers (\(direct.prefix(5).map(\.register.name).joined(separator: ", "))…); name one"
      )
    }
    return Target(offset: first.register.offset, register: (first.block, first.register))
  }

  /// Prints `value` of `target` as `gen describe` does, or as JSON.
  func show(_ value: UInt32, of target: Target, device: any RegisterDevice) throws {
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      let data: Data
      if let (block, register) = target.register {
        data = try encoder.encode(RegisterDescriptionJSON(register, of: block, value: value))
      } else {
        data = try encoder.encode(["offset": target.offset, "byteAddress": target.offset &* 4, "value": value])
      }
      FileHandle.standardOutput.write(data + Data("\n".utf8))
    } else if let (block, register) = target.register {
      print(RegisterDiagram.render(register, of: block, value: value), terminator: "")
    } else {
      print(
        "dword \(Hex.plain(target.offset)) (byte \(Hex.plain(target.offset &* 4))) of \(device.name): \(Hex.word(value))"
      )
    }
  }
}

struct Target {
  var offset: UInt32
  var register: (block: Block, register: Register)?
}

/// A failure with a message for the user, printed as `error: …` with exit status 1 — every
/// error in what the user asked for (the command line's own syntax is the argument parser's,
/// exit status 64 with the usage).
struct Failure: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

func parseValue(_ text: String) throws -> UInt32 {
  guard let number = Hex.parse(text), let value = UInt32(exactly: number) else {
    throw Failure("'\(text)' is not a 32-bit value")
  }
  return value
}

/// Runs `body`, turning a `Failure` or a device error into `error: …` and exit status 1.
func reporting(_ body: () throws -> Void) throws {
  do {
    try body()
  } catch {
    try report(error)
  }
}

/// `reporting` for a command that awaits.
func reportingAsync(_ body: () async throws -> Void) async throws {
  do {
    try await body()
  } catch {
    try report(error)
  }
}

/// `error: …` and exit status 1 for a failure the user can act on; any other error as it is.
private func report(_ error: any Error) throws -> Never {
  switch error {
  case let failure as Failure: FileHandle.standardError.write(Data("error: \(failure.description)\n".utf8))
  case let device as DeviceError: FileHandle.standardError.write(Data("error: \(device.description)\n".utf8))
  default: throw error
  }
  throw ExitCode.failure
}
