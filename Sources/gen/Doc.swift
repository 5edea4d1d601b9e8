import ArgumentParser
import Foundation
import MxGenerator

/// `gen doc --html DIR`: the browsable register reference.
struct Doc: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write a static, searchable HTML reference of every register, packet, message and chip.",
    discussion: """
      A page per register with its bit layout drawn (SVG), fields, enums, access and reset, and \
      the sources overlays cite; a page per block, packet, mailbox and chip; a search page that \
      works from file://. DIR is replaced as a whole (it must be absent, empty, or a reference \
      written before).
      """)

  @Option(help: "Specs folder (every .xml file below it) or a single spec file (default: the built-in specs).")
  var specs: String?

  @Option(name: .customLong("html"), help: "Folder the reference is written to.")
  var output: String

  @Flag(help: "Say nothing on success.")
  var quiet = false

  func run() throws {
    let started = ContinuousClock.now
    let (spec, diagnostics) = Generator().check(specsAt: specs)
    try Console.stopOnErrors(diagnostics, leaving: output)
    let pages = ReferenceSite().pages(for: spec)
    do {
      try ReferenceFolder(path: output).write(pages)
    } catch {
      Console.error("\(error)")
      throw ExitCode.failure
    }
    if !quiet {
      let bytes = pages.reduce(0) { $0 + $1.contents.utf8.count }
      let megabytes = (Double(bytes) / 1_048_576 * 10).rounded() / 10
      Console.note(
        "wrote the reference to '\(output)/index.html': \(pages.count) files, \(megabytes) MB (\(Elapsed.since(started)))"
      )
    }
  }
}
