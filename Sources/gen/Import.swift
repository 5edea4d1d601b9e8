import ArgumentParser
import Foundation
import MxHeaderImport

/// `gen import --kernel DIR`: writes Specs/blocks/ from AMD's register headers,
/// Specs/structures/ from the VI memory structures and Specs/interrupts/ from the VI interrupt
/// sources.
struct Import: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Import register blocks from a Linux kernel tree's AMD headers into the specs folder.")

  @Option(help: "Kernel tree root, or its drivers/gpu/drm/amd folder.")
  var kernel: String

  @Option(help: "Specs folder; blocks are written to <specs>/blocks/<folder>/<block>.xml.")
  var specs = "Specs"

  @Option(
    name: .customLong("block"),
    help: "Block to import (\(HeaderSet.known.map(\.id).joined(separator: ", "))); repeat for several. Default: all.")
  var blocks: [String] = []

  @Option(help: "Import only these registers (comma-separated). Default: the block's registers the project uses.")
  var only: String?

  @Flag(help: "Import the memory structures (include/vi_structs.h) into <specs>/structures/. Default: with all blocks.")
  var structures = false

  @Flag(
    help:
      "Import the interrupt sources (include/ivsrcid/ivsrcid_vislands30.h) into <specs>/interrupts/. Default: with all blocks."
  )
  var interrupts = false

  func run() throws {
    let tree = try KernelTree(path: kernel)
    let onlyExtras = (structures || interrupts) && blocks.isEmpty
    if interrupts || blocks.isEmpty && !structures {
      let result = try tree.importInterruptSources()
      let folder = "\(specs)/interrupts"
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      try writeAtomically(result.xml, to: "\(folder)/ivsrcid_vislands30.xml")
      try writeAtomically(
        result.report.joined(separator: "\n") + "\n", to: "\(folder)/ivsrcid_vislands30.import-report.txt")
      Console.note("vislands30: \(result.set.sources.count) interrupt sources")
    }
    if structures || blocks.isEmpty && !interrupts {
      let result = try tree.importStructures()
      let folder = "\(specs)/structures"
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      try writeAtomically(result.xml, to: "\(folder)/vi_structs.xml")
      try writeAtomically(result.report.joined(separator: "\n") + "\n", to: "\(folder)/vi_structs.import-report.txt")
      Console.note("vi_structs: \(result.structures.count) structures")
    }
    if onlyExtras { return }
    let selected =
      blocks.isEmpty
      ? HeaderSet.known
      : try blocks.map { id in
        guard let set = HeaderSet.known.first(where: { $0.id == id }) else {
          throw ValidationError("unknown block '\(id)'; known: \(HeaderSet.known.map(\.id).joined(separator: ", "))")
        }
        return set
      }
    let filter = only.map { Set($0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }) }
    for headers in selected {
      let result = try tree.importBlock(headers, only: filter ?? headers.slice.map(Set.init))
      let folder = "\(specs)/blocks/\(headers.folder)"
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      try writeAtomically(result.xml, to: "\(folder)/\(headers.prefix).xml")
      let report = ([result.report.summary] + result.report.anomalies).joined(separator: "\n") + "\n"
      try writeAtomically(report, to: "\(folder)/\(headers.prefix).import-report.txt")
      Console.note(result.report.summary)
    }
  }

  private func writeAtomically(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
  }
}
