import ArgumentParser
import Foundation
import MxGenerator
import MxSpecModel

/// `gen describe QUERY [VALUE]`: a register's bit layout, and a value decoded field by field; a
/// query that matches several registers lists them.
struct Describe: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show a register's layout as a bit diagram and decode a value field by field.",
    discussion: """
      QUERY is a name (any case: MAILBOX_CONTROL), a glob (CP_HQD_*), part of a name (hqd_pq), or an \
      MMIO dword offset (0x14D0; with --byte-address, a byte address: 0x5340). One match is \
      described; several are listed.
      """)

  @Argument(help: "Register name, glob, part of a name, or MMIO address.")
  var query: String

  @Argument(help: "A value to decode: decimal or 0x-prefixed hexadecimal.")
  var value: String?

  @Option(help: "Block id (bif_5_0): only registers of this block.")
  var block: String?

  @Flag(help: "QUERY, when a number, is a byte address in BAR 5 rather than a dword offset.")
  var byteAddress = false

  @Flag(help: "Print JSON.")
  var json = false

  @Option(help: "Specs folder or file (default: the built-in specs).")
  var specs: String?

  func run() throws {
    let decoded: UInt32? = try value.map { text in
      guard let number = Hex.parse(text), let word = UInt32(exactly: number) else {
        throw Console.failure("'\(text)' is not a 32-bit value")
      }
      return word
    }
    let registerQuery: RegisterQuery
    do {
      registerQuery = try RegisterQuery(query, byteAddress: byteAddress)
    } catch {
      throw Console.failure(error.description)
    }
    let (spec, diagnostics) = Generator().check(specsAt: specs)
    Console.report(diagnostics)
    guard !diagnostics.hasErrors else { throw ExitCode.failure }
    let matches = registerQuery.matches(in: spec, block: block)
    guard !matches.isEmpty else {
      throw Console.failure("no register matches '\(query)'\(block.map { " in block \($0)" } ?? "")")
    }
    if matches.count > 1 {
      guard decoded == nil else {
        throw Console.failure("'\(query)' matches \(matches.count) registers; name one to decode a value")
      }
      if json {
        try printJSON(["matches": matches.map { RegisterMatchJSON($0.register, of: $0.block) }])
      } else {
        for (block, register) in matches {
          print("\(register.name)  \(block.id)  \(Self.place(register))")
        }
      }
      return
    }
    let (block, register) = matches[0]
    if json {
      try printJSON(RegisterDescriptionJSON(register, of: block, value: decoded))
    } else {
      print(RegisterDiagram.render(register, of: block, value: decoded), terminator: "")
    }
  }

  private static func place(_ register: Register) -> String {
    register.space == AddressSpace.mmioName
      ? "mmio dword \(Hex.plain(register.offset)) (byte \(Hex.plain(register.offset &* 4)))"
      : "\(register.space) index \(Hex.plain(register.offset))"
  }

  private func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    FileHandle.standardOutput.write(try encoder.encode(value) + Data("\n".utf8))
  }
}
