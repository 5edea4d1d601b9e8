import ArgumentParser
import MxGenerator
import MxSpecModel

/// `gen describe REGISTER [VALUE]`: a register's bit layout, and a value decoded field by field.
struct Describe: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show a register's layout as a bit diagram and decode a value field by field.")

  @Argument(help: "Register name, as in the headers (MAILBOX_CONTROL).")
  var register: String

  @Argument(help: "A value to decode: decimal or 0x-prefixed hexadecimal.")
  var value: String?

  @Option(help: "Block id (bif_5_0) when the name exists in several blocks.")
  var block: String?

  @Option(help: "Specs folder or file.")
  var specs = "Specs"

  func run() throws {
    let decoded: UInt32? = try value.map { text in
      let digits = text.lowercased().hasPrefix("0x") ? String(text.dropFirst(2)) : text
      guard let number = UInt32(digits.filter { $0 != "_" }, radix: text.lowercased().hasPrefix("0x") ? 16 : 10) else {
        throw ValidationError("'\(text)' is not a 32-bit value")
      }
      return number
    }
    let (spec, diagnostics) = Generator().check(specsAt: specs)
    Console.report(diagnostics)
    guard !diagnostics.hasErrors else { throw ExitCode.failure }
    let matches = spec.blocks.filter { block == nil || $0.id == block }.flatMap { candidate in
      candidate.registers.filter { $0.name == register }.map { (candidate, $0) }
    }
    guard !matches.isEmpty else {
      throw ValidationError("no register named '\(register)'\(block.map { " in block \($0)" } ?? "")")
    }
    guard Set(matches.map(\.0.id)).count == 1 else {
      throw ValidationError(
        "'\(register)' exists in blocks \(matches.map(\.0.id).joined(separator: ", ")); choose one with --block")
    }
    print(
      matches.map { RegisterDiagram.render($0.1, of: $0.0, value: decoded) }.joined(separator: "\n"), terminator: "")
  }
}
