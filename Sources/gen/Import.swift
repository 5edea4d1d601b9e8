import ArgumentParser
import Foundation
import MxHeaderImport

/// `gen import --kernel DIR`: writes Specs/blocks/ from AMD's register headers,
/// Specs/structures/ from the VI memory structures, Specs/interrupts/ from the VI interrupt
/// sources, Specs/clearstate/ from the VI clear state and Specs/packets/vid_opcodes.xml from the
/// VI PM4 opcode names.
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

  @Flag(
    name: .customLong("clear-state"),
    help: "Import the clear state (amdgpu/clearstate_vi.h) into <specs>/clearstate/. Default: with all blocks.")
  var clearState = false

  @Flag(help: "Import the PM4 opcode names (amdgpu/vid.h) into <specs>/packets/. Default: with all blocks.")
  var opcodes = false

  func run() throws {
    let tree = try KernelTree(path: kernel)
    let extras = structures || interrupts || clearState || opcodes
    let everything = blocks.isEmpty && !extras
    if interrupts || everything {
      let result = try tree.importInterruptSources()
      try write(result.xml, report: result.report, folder: "interrupts", name: "ivsrcid_vislands30")
      Console.note("vislands30: \(result.set.sources.count) interrupt sources")
    }
    if structures || everything {
      let result = try tree.importStructures()
      try write(result.xml, report: result.report, folder: "structures", name: "vi_structs")
      Console.note("vi_structs: \(result.structures.count) structures")
    }
    if clearState || everything {
      let result = try tree.importClearState()
      try write(result.xml, report: result.report, folder: "clearstate", name: "clearstate_vi")
      Console.note(result.report[0])
    }
    if opcodes || everything {
      let result = try tree.importOpcodeNames()
      try write(result.xml, report: result.report, folder: "packets", name: "vid_opcodes")
      Console.note(result.report[0])
    }
    if extras && blocks.isEmpty { return }
    let selected =
      blocks.isEmpty
      ? HeaderSet.known
      : try blocks.map { id in
        guard let set = HeaderSet.known.first(where: { $0.id == id }) else {
          throw Console.failure("unknown block '\(id)'; known: \(HeaderSet.known.map(\.id).joined(separator: ", "))")
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

  /// `<specs>/<folder>/<name>.xml` and its import report beside it.
  private func write(_ xml: String, report: [String], folder: String, name: String) throws {
    let folder = "\(specs)/\(folder)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try writeAtomically(xml, to: "\(folder)/\(name).xml")
    try writeAtomically(report.joined(separator: "\n") + "\n", to: "\(folder)/\(name).import-report.txt")
  }

  private func writeAtomically(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
  }
}
