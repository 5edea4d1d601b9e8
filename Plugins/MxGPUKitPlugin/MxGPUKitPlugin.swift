import Foundation
import PackagePlugin

/// The build-tool plugin: before a target that uses it compiles, `gen target` writes the Swift
/// for the registers, packets, messages and chips its `mxgpukit.subset` selects and for its own
/// `.xml` spec files. It runs again only when one of those, or `gen` (which holds MxGPUKit's
/// specs), changed; spec errors stop the build as `path:line:col: error:` lines on the target's
/// files.
@main
struct MxGPUKitPlugin: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
    guard let target = target as? SourceModuleTarget else { return [] }
    // Applying the plugin asks for code; a target that would get none fails here, not at its first
    // register name.
    guard let inputs = TargetInputs(target: target) else {
      throw PluginError(
        "target '\(target.name)' uses the MxGPUKit plugin but its folder has no "
          + "\(TargetInputs.subsetFileName) and no .xml spec")
    }
    let output = context.pluginWorkDirectoryURL.appendingPathComponent("MxGPUKit")
    let gen = try context.tool(named: "gen").url
    return [
      .buildCommand(
        displayName: "MxGPUKit: generating \(target.name)'s registers",
        executable: gen,
        arguments: inputs.arguments(output: output),
        inputFiles: inputs.inputFiles(gen: gen),
        outputFiles: TargetInputs.outputFileNames.map { output.appendingPathComponent($0) })
    ]
  }
}
