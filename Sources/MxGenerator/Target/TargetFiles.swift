import MxSpecModel
import MxSwiftEmitter

/// The Swift files generated into a consumer target. Their names are fixed, whatever the subset
/// holds, because a build-tool plugin declares its outputs before the generator runs: registers
/// in `registerShards` files (so the compiler can work on them in parallel), then one file each
/// for enums, packets, mailbox messages and chips. A file with nothing selected says so.
public struct TargetFiles: Sendable {
  /// The module the files are compiled into; packet code qualifies its enum types with it.
  public var module: String

  public static let registerShards = 4

  /// Every file name, in the order the plugin declares them.
  public static let fileNames =
    (1...registerShards).map { "MxGPUKitRegisters\($0).swift" }
    + ["MxGPUKitEnums.swift", "MxGPUKitPackets.swift", "MxGPUKitMailbox.swift", "MxGPUKitChips.swift"]

  public init(module: String) {
    self.module = module
  }

  /// The files for `spec`, leaving out the enums `repeatedEnums` names; `allBlocks` resolves the
  /// registers chips' golden sequences write.
  func emit(_ spec: Spec, repeatedEnums: SharedDeclarations, allBlocks: [Block]) -> [GeneratedFile] {
    let blockFiles = RegisterEmitter(registersPerFile: 10, shared: [repeatedEnums]).emit(
      spec.blocks.sorted { $0.id < $1.id })
    let registerFiles = blockFiles.filter { !$0.path.hasSuffix("/Enums.swift") }
    var files = Self.shards(of: registerFiles, count: Self.registerShards).enumerated().map { index, shard in
      merge(
        shard, into: Self.fileNames[index], content: "registers, part \(index + 1) of \(Self.registerShards)",
        empty: "too few registers are selected to fill this part")
    }
    files.append(
      merge(blockFiles.filter { $0.path.hasSuffix("/Enums.swift") }, into: "MxGPUKitEnums.swift", content: "enums"))
    files.append(
      merge(
        PacketEmitter(module: module).emit(spec.packetSets, opcodeNames: spec.opcodeNames),
        into: "MxGPUKitPackets.swift", content: "PM4 packets"))
    files.append(
      merge(MailboxEmitter().emit(spec.mailboxes), into: "MxGPUKitMailbox.swift", content: "mailbox messages"))
    files.append(
      merge(ChipEmitter().emit(spec.chips, blocks: allBlocks), into: "MxGPUKitChips.swift", content: "chips"))
    return files
  }

  /// `files` cut into `count` runs of about equal size, in order.
  static func shards(of files: [GeneratedFile], count: Int) -> [[GeneratedFile]] {
    let total = files.reduce(0) { $0 + $1.contents.utf8.count }
    var shards = Array(repeating: [GeneratedFile](), count: count)
    var written = 0
    for file in files {
      let size = file.contents.utf8.count
      shards[min(count - 1, (written + size / 2) * count / max(total, 1))].append(file)
      written += size
    }
    return shards
  }

  /// One file holding the declarations of `parts` under one header with their imports.
  func merge(_ parts: [GeneratedFile], into name: String, content: String, empty: String? = nil) -> GeneratedFile {
    let split = parts.map(Self.split)
    var header = [
      GeneratedFile.banner,
      "// Target \(module): \(content), by the MxGPUKit plugin from \(SubsetConfiguration.fileName) and the",
      "// target's own spec files.",
    ]
    let imports = Set(split.flatMap(\.imports)).sorted()
    if split.isEmpty {
      header += ["", "// Nothing here: \(empty ?? "the target selects no \(content)")."]
    } else if !imports.isEmpty {
      header += [""] + imports
    }
    var text = header.joined(separator: "\n") + "\n"
    for part in split { text += "\n" + part.body }
    return GeneratedFile(path: name, contents: text)
  }

  /// A generated file's imports and the declarations after its header comments.
  static func split(_ file: GeneratedFile) -> (imports: [String], body: String) {
    var imports: [String] = []
    var lines = file.contents.split(separator: "\n", omittingEmptySubsequences: false)[...]
    while let line = lines.first,
      line.isEmpty || line.hasPrefix("import ") || (line.hasPrefix("//") && !line.hasPrefix("///"))
    {
      if line.hasPrefix("import ") { imports.append(String(line)) }
      lines = lines.dropFirst()
    }
    return (imports, lines.joined(separator: "\n"))
  }
}
