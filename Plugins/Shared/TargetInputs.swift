import Foundation
import PackagePlugin

/// What `gen target` reads for one consumer target besides MxGPUKit's specs, which it carries:
/// the target's `mxgpukit.subset` and its own `.xml` spec files. Shared by the build-tool and
/// command plugins (the same file in both folders: plugins cannot depend on a library).
///
/// Both inputs are found in the target's folder, not among its source files: a target that
/// excludes them (as one without the build plugin must, or SwiftPM warns that they are unhandled)
/// still has them. An `.xml` the target declares as a resource is not a spec.
struct TargetInputs {
  /// The file name `SubsetConfiguration.fileName` gives.
  static let subsetFileName = "mxgpukit.subset"

  /// The files `gen target` writes, in the order `TargetFiles.fileNames` gives (a build command
  /// declares its outputs before it runs; a test checks that the two lists agree).
  static let outputFileNames =
    (1...4).map { "MxGPUKitRegisters\($0).swift" }
    + ["MxGPUKitEnums.swift", "MxGPUKitPackets.swift", "MxGPUKitMailbox.swift", "MxGPUKitChips.swift"]

  let module: String
  let subset: URL?
  let ownSpecs: [URL]

  /// The inputs of `target`, or nil when it has neither a subset file nor a spec of its own.
  init?(target: SourceModuleTarget) {
    let subset = target.directoryURL.appendingPathComponent(Self.subsetFileName)
    self.subset = FileManager.default.fileExists(atPath: subset.path) ? subset : nil
    let resources = Set(target.sourceFiles.filter { $0.type == .resource }.map(\.url.standardizedFileURL.path))
    ownSpecs = Self.xmlFiles(under: target.directoryURL).filter { !resources.contains($0.standardizedFileURL.path) }
    guard self.subset != nil || !ownSpecs.isEmpty else { return nil }
    module = target.moduleName
  }

  /// `gen target`'s arguments, writing into `output`.
  func arguments(output: URL) -> [String] {
    ["target", "--quiet", "--module", module, "--output", output.path]
      + (subset.map { ["--subset", $0.path] } ?? []) + ownSpecs.map(\.path)
  }

  /// The files a build command depends on: the target's and `gen`, which holds the built-in
  /// specs (so a new MxGPUKit, with new specs, generates again).
  func inputFiles(gen: URL) -> [URL] { (subset.map { [$0] } ?? []) + ownSpecs + [gen] }

  /// The `.xml` files in `folder` and its subfolders, hidden ones left out, in path order.
  private static func xmlFiles(under folder: URL) -> [URL] {
    let enumerator = FileManager.default.enumerator(
      at: folder, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles])
    return (enumerator?.compactMap { $0 as? URL } ?? []).filter { $0.pathExtension == "xml" }.sorted {
      $0.path < $1.path
    }
  }
}

struct PluginError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
