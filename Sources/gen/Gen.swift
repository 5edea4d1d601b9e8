import ArgumentParser

@main
struct Gen: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gen",
    abstract: "Generates typed Swift for AMD MxGPU (VI) registers, packets and messages from Specs/.",
    subcommands: [
      Generate.self, Target.self, Describe.self, Doc.self, Decode.self, Import.self, Export.self, Schema.self,
    ],
    defaultSubcommand: Generate.self
  )
}
