import Foundation
import PackagePlugin

/// The command plugin, for projects that commit generated code: writes what the build-tool
/// plugin would generate into each target's `MxGPUKitGenerated/` folder.
///
///     swift package --allow-writing-to-package-directory mxgpukit-generate [--target NAME …]
///
/// A target uses one or the other: with both, every declaration would be there twice.
@main
struct MxGPUKitGenerate: CommandPlugin {
  static let folderName = "MxGPUKitGenerated"

  func performCommand(context: PluginContext, arguments: [String]) throws {
    var extractor = ArgumentExtractor(arguments)
    let named = extractor.extractOption(named: "target")
    guard extractor.remainingArguments.isEmpty else {
      throw PluginError("unexpected arguments \(extractor.remainingArguments); the only option is --target NAME")
    }
    let targets = try named.isEmpty ? context.package.targets : context.package.targets(named: named)
    let gen = try context.tool(named: "gen").url
    var generated = 0
    for case let target as SourceModuleTarget in targets {
      guard let inputs = TargetInputs(target: target) else {
        guard named.isEmpty else {
          throw PluginError(
            "target '\(target.name)' has no \(TargetInputs.subsetFileName) and no .xml spec in its folder")
        }
        continue
      }
      let output = target.directoryURL.appendingPathComponent(Self.folderName)
      let process = Process()
      process.executableURL = gen
      process.arguments = inputs.arguments(output: output)
      try process.run()
      process.waitUntilExit()
      guard process.terminationStatus == 0 else {
        throw PluginError("generating '\(target.name)' failed (see the errors above)")
      }
      print("MxGPUKit: wrote \(target.name)'s registers to \(output.path)")
      generated += 1
    }
    if generated == 0 {
      throw PluginError(
        "no target has a \(TargetInputs.subsetFileName) or an .xml spec in its folder; nothing generated")
    }
  }
}
