import ArgumentParser
import Foundation
import MxGenerator

/// `gen [--specs DIR] [--output DIR] [--check]`: the main job.
struct Generate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Regenerate the output folder from the specs (the default subcommand).")

  @Option(help: "Specs folder (every .xml file below it) or a single spec file.")
  var specs = "Specs"

  @Option(help: "Folder the generated Swift is written to.")
  var output = "Generated"

  @Flag(help: "Write nothing; fail and name the files that differ if the output is stale.")
  var check = false

  @Flag(help: "Say nothing on success.")
  var quiet = false

  func run() throws {
    let started = ContinuousClock.now
    let result = Generator().generate(specsAt: specs)
    try Console.stopOnErrors(result.diagnostics, leaving: output)
    guard let files = result.files else { throw ExitCode.failure }
    let folder = OutputFolder(path: output)
    let differences = folder.differences(from: files)
    if check {
      guard differences.isEmpty else {
        for difference in differences { Console.error(difference.description) }
        Console.error("'\(output)' is stale: run `swift run gen` and commit the result")
        throw ExitCode.failure
      }
      say("'\(output)' is up to date: \(files.count) files (\(Elapsed.since(started)))")
      return
    }
    guard !differences.isEmpty else {
      say("'\(output)' unchanged: \(files.count) files already up to date (\(Elapsed.since(started)))")
      return
    }
    do {
      try folder.write(files)
    } catch {
      Console.error("\(error)")
      throw ExitCode.failure
    }
    say("wrote '\(output)': \(differences.count) of \(files.count) files changed (\(Elapsed.since(started)))")
  }

  private func say(_ message: String) {
    if !quiet { Console.note(message) }
  }
}

/// How long a command took, for people: `840 ms`, `2.3 s`.
enum Elapsed {
  static func since(_ start: ContinuousClock.Instant) -> String {
    let milliseconds = (ContinuousClock.now - start) / .milliseconds(1)
    return milliseconds < 1000 ? "\(Int(milliseconds)) ms" : "\((milliseconds / 100).rounded() / 10) s"
  }
}
