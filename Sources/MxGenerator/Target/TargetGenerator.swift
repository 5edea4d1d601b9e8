import Foundation
import MxSpecLoader
import MxSpecModel
import MxSpecValidator
import MxSwiftEmitter

/// Generation for one consumer target, the build plugin's job: the subset of the built-in specs
/// that the target's `mxgpukit.subset` asks for, plus the target's own spec files, checked as
/// `Specs/` is (own files together with the built-in data they may refer to), emitted into the
/// fixed `TargetFiles`.
public struct TargetGenerator: Sendable {
  public var files: TargetFiles

  public init(module: String) {
    files = TargetFiles(module: module)
  }

  /// Generates from the built-in specs (a specs folder instead, when `builtInSpecs` names one),
  /// the subset file (none: nothing built in) and the target's own spec files. `files` is nil
  /// when there were errors.
  public func generate(
    builtInSpecs: String? = nil, subset: String?, ownSpecs: [String]
  ) -> (diagnostics: Diagnostics, files: [GeneratedFile]?) {
    let builtIn = Generator().check(specsAt: builtInSpecs)
    var diagnostics = builtIn.diagnostics

    var configuration = SubsetConfiguration()
    if let subset {
      if let data = FileManager.default.contents(atPath: subset), let text = String(data: data, encoding: .utf8) {
        let parsed = SubsetConfiguration.parse(text, path: subset)
        configuration = parsed.0
        diagnostics.append(contentsOf: parsed.1)
      } else {
        diagnostics.error("cannot read the subset file '\(subset)'", at: nil)
      }
    }

    let loader = SpecLoader()
    var own = Spec()
    for file in ownSpecs {
      let loaded = loader.load(from: file)
      own.merge(loaded.spec)
      diagnostics.append(contentsOf: loaded.diagnostics)
    }
    // The target's specs are checked with the built-in data, so that a chip of its own can use a
    // built-in block and a block of its own cannot take a built-in block's name. What the
    // built-in data's own checks found was reported with it (never, for the data built in).
    diagnostics.append(
      contentsOf: builtIn.diagnostics.hasErrors
        ? SpecValidator().validate(own) : SpecValidator().validate(own, extending: builtIn.spec))

    let selection = SubsetSelection(configuration, from: builtIn.spec)
    diagnostics.append(contentsOf: selection.diagnostics)
    let target = TargetSpec(selection: selection, own: own)
    diagnostics.append(contentsOf: target.diagnostics)
    // A target that gets nothing would build, then fail on its first register name: say it here.
    if !diagnostics.hasErrors, TargetSpec.declarations(in: target.spec).isEmpty {
      diagnostics.error(
        "nothing to generate: \(subset == nil ? "no \(SubsetConfiguration.fileName)" : "the subset selects nothing")"
          + (ownSpecs.isEmpty ? " and the target has no spec of its own" : " and the target's specs declare nothing"),
        at: subset.map { SourceLocation(file: $0, line: 1, column: 1) })
    }
    guard !diagnostics.hasErrors else { return (diagnostics, nil) }
    return (
      diagnostics,
      files.emit(target.spec, repeatedEnums: target.repeatedEnums, allBlocks: builtIn.spec.blocks + own.blocks)
    )
  }
}
