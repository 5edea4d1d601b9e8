import ArgumentParser
import Foundation
import MxGenerator

/// `gen export --json`: the resolved model on standard output.
struct Export: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print the resolved model (blocks, registers, fields, enums, chips, …) as JSON.")

  @Option(help: "Specs folder or file.")
  var specs = "Specs"

  @Flag(help: "JSON output (the only format; required so that later formats can be added).")
  var json = false

  func run() throws {
    guard json else { throw Console.failure("choose a format: --json") }
    let (spec, diagnostics) = Generator().check(specsAt: specs)
    Console.report(diagnostics)
    guard !diagnostics.hasErrors else { throw ExitCode.failure }
    FileHandle.standardOutput.write(try SpecExport.json(spec))
    FileHandle.standardOutput.write(Data("\n".utf8))
  }
}
