import ArgumentParser
import MxSpecLoader

/// `gen schema`: prints the RelaxNG schema spec files are validated against, for editors.
struct Schema: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Print the RelaxNG schema of spec files.")

  func run() {
    print(SpecSchema.relaxNG)
  }
}
