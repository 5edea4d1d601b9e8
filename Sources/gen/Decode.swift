import ArgumentParser
import Foundation
import MxGenerator

/// `gen decode [FILE|-]`: a PM4 disassembler driven by the specs — strict by default (the first
/// error stops it, exit status 1: for round trips and checks), `--lenient` for dumps.
struct Decode: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Disassemble PM4 dwords: hex text (0x optional, separated by spaces, newlines or commas) or --binary.")

  @Argument(help: "Input file, or - for standard input.")
  var input = "-"

  @Flag(help: "Read little-endian binary dwords instead of hex text.")
  var binary = false

  @Flag(help: "Print a JSON array (index, opcode name, header fields, body fields by hardware name, payload).")
  var json = false

  @Flag(
    help: """
      Decode a dump: never stop; a known packet whose body does not fit its layout is shown raw, \
      garbage is reported once per run and decoding picks up at the next packet. Exit status 0.
      """)
  var lenient = false

  @Flag(help: "Leave out the registers packets set, copy and wait on (named from the specs, their values by field).")
  var noRegisters = false

  @Option(help: "Packet set to decode with (default: the only one in the specs).")
  var set: String?

  @Option(help: "Specs folder or file (default: the built-in specs).")
  var specs: String?

  func run() throws {
    let (spec, diagnostics) = Generator().check(specsAt: specs)
    Console.report(diagnostics)
    guard !diagnostics.hasErrors else { throw ExitCode.failure }
    guard let packetSet = spec.packetSets.first(where: { set == nil || $0.name == set }) else {
      throw Console.failure("no packet set\(set.map { " named '\($0)'" } ?? "") in the specs")
    }
    let data = try read()
    let parsed = binary ? DwordInput.binary([UInt8](data)) : DwordInput.hex(String(decoding: data, as: UTF8.self))
    guard case .success(let dwords) = parsed else {
      if case .failure(let error) = parsed { Console.error(error.description) }
      throw ExitCode.failure
    }
    let disassembler = PacketDisassembler(set: packetSet, in: spec)
    // Specs without registers (a packets folder alone) name none.
    let registers = noRegisters ? nil : Optional(PacketRegisters(spec: spec)).flatMap { $0.isEmpty ? nil : $0 }
    if lenient {
      let items = disassembler.decodeLeniently(dwords)
      if json {
        FileHandle.standardOutput.write(try PacketJSON.encode(items, registers: registers) + Data("\n".utf8))
      } else {
        for item in items {
          print(item.line)
          if case .packet(let packet) = item { printRegisters(of: packet, registers) }
        }
      }
      return
    }
    let (packets, error) = disassembler.decode(dwords)
    if json {
      if error == nil {
        FileHandle.standardOutput.write(try PacketJSON.encode(packets, registers: registers) + Data("\n".utf8))
      }
    } else {
      for packet in packets {
        print(packet.line)
        printRegisters(of: packet, registers)
      }
    }
    if let error {
      Console.error(error.description)
      throw ExitCode.failure
    }
  }

  /// The registers a packet touches, one a line under it.
  private func printRegisters(of packet: PacketDisassembler.Packet, _ registers: PacketRegisters?) {
    for access in registers?.accesses(of: packet) ?? [] { print("      " + access.line) }
  }

  private func read() throws -> Data {
    if input == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
    guard let data = FileManager.default.contents(atPath: input) else {
      throw Console.failure("cannot read '\(input)'")
    }
    return data
  }
}
