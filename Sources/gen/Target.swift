import ArgumentParser
import Foundation
import MxGenerator

/// `gen target`: the Swift for one consumer target, as the MxGPUKit build plugin runs it.
struct Target: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Generate one consumer target's Swift: a subset of the built-in specs plus the target's own.",
    discussion: """
      The build-tool plugin runs this on every build whose inputs changed; the command plugin runs \
      it to write into the source tree. The output file names are fixed (\(TargetFiles.fileNames.count) files).
      """)

  @Option(help: "The target's module name (packet code names its types through it).")
  var module: String

  @Option(help: "A specs folder to use instead of the built-in specs.")
  var specs: String?

  @Option(help: "The target's subset file (\(SubsetConfiguration.fileName)); without it nothing built in is generated.")
  var subset: String?

  @Option(help: "Folder the generated Swift is written to.")
  var output: String

  @Flag(help: "Say nothing on success.")
  var quiet = false

  @Argument(help: "The target's own spec files.")
  var ownSpecs: [String] = []

  func run() throws {
    let started = ContinuousClock.now
    let result = TargetGenerator(module: module).generate(builtInSpecs: specs, subset: subset, ownSpecs: ownSpecs)
    try Console.stopOnErrors(result.diagnostics, leaving: output)
    guard let files = result.files else { throw ExitCode.failure }
    let folder = OutputFolder(path: output)
    // Unchanged files keep their dates, so the compiler does not build them again.
    let differences = folder.differences(from: files)
    if !differences.isEmpty {
      do {
        try folder.write(files)
      } catch {
        Console.error("\(error)")
        throw ExitCode.failure
      }
    }
    if !quiet {
      let counts = files.map { $0.contents.utf8.count }.reduce(0, +)
      Console.note(
        "target \(module): \(differences.isEmpty ? "unchanged" : "wrote \(differences.count) of \(files.count) files"), \(counts / 1024) KiB (\(Elapsed.since(started)))"
      )
    }
  }
}
