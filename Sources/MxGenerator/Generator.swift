import MxBuiltInSpecs
import MxSpecLoader
import MxSpecModel
import MxSpecValidator
import MxSwiftEmitter

/// The whole pipeline from a specs folder to the files of Generated/:
/// load (XML, schema) → validate (semantics) → emit (Swift).
public struct Generator: Sendable {
  public var loader: SpecLoader
  public var emitter: RegisterEmitter

  public init(loader: SpecLoader = SpecLoader(), emitter: RegisterEmitter = RegisterEmitter()) {
    self.loader = loader
    self.emitter = emitter
  }

  public struct Output: Sendable {
    public var spec: Spec
    public var diagnostics: Diagnostics
    /// The generated files, sorted by path; nil when there were errors.
    public var files: [GeneratedFile]?
  }

  /// The specs built into MxGPUKit (`MxBuiltInSpecs`), as `swift run gen` last read and
  /// validated Specs/; an archive that does not read (a hand-edited `Generated/`) is an error.
  public static let builtInSpec: (spec: Spec, diagnostics: Diagnostics) = {
    do {
      return (try SpecArchive.spec(from: BuiltInSpecs.archive), Diagnostics())
    } catch {
      var diagnostics = Diagnostics()
      diagnostics.error("internal error: the built-in specs do not read (\(error)); run `swift run gen`", at: nil)
      return (Spec(), diagnostics)
    }
  }()

  /// "the specs at 'PATH'", or "the built-in specs" when `path` is nil: for messages.
  public static func describe(specs path: String?) -> String {
    path.map { "the specs at '\($0)'" } ?? "the built-in specs"
  }

  /// Loads and validates the specs at `path`, without emitting anything; nil means the built-in
  /// ones, validated when they were built in. Semantic checks run even after load errors (over
  /// what did load), so one run reports every problem.
  public func check(specsAt path: String?) -> (spec: Spec, diagnostics: Diagnostics) {
    path.map { validated(loader.load(from: $0)) } ?? Self.builtInSpec
  }

  private func validated(_ loaded: SpecLoader.Result) -> (spec: Spec, diagnostics: Diagnostics) {
    var diagnostics = loaded.diagnostics
    diagnostics.append(contentsOf: SpecValidator().validate(loaded.spec))
    return (loaded.spec, diagnostics)
  }

  /// Everything `swift run gen` writes for the specs at `path`: the Swift of every module, the
  /// runtime's registers as `MxRuntimeRegisters` when the folder has a `runtime.subset`, the enums
  /// several blocks define alike as `MxSharedEnums`, and the validated model itself as
  /// `MxBuiltInSpecs`.
  public func generate(specsAt path: String) -> Output {
    let loaded = loader.load(from: path)
    let (spec, checked) = validated(loaded)
    var diagnostics = checked
    let runtime = diagnostics.hasErrors ? nil : RuntimeRegisters(specsAt: path, spec: spec)
    diagnostics.append(contentsOf: runtime?.diagnostics ?? Diagnostics())
    guard !diagnostics.hasErrors else { return Output(spec: spec, diagnostics: diagnostics, files: nil) }
    let sharedEnums = SharedEnums(spec, leaving: runtime?.shared)
    var emitter = emitter
    emitter.shared = (runtime.map { [$0.shared] } ?? []) + [sharedEnums.shared]
    let files =
      emitter.emit(spec.blocks.sorted { $0.id < $1.id })
      + (runtime?.files() ?? [])
      + sharedEnums.files()
      + ChipEmitter().emit(spec.chips, blocks: spec.blocks)
      + MailboxEmitter().emit(spec.mailboxes)
      + InterruptSourceEmitter().emit(spec.interruptSources)
      + ClearStateEmitter().emit(spec.clearStates)
      + PacketEmitter().emit(spec.packetSets, opcodeNames: spec.opcodeNames)
      + StructureEmitter(registerModule: runtime.map { _ in RuntimeRegisters.moduleName }).emit(
        spec.structures, addresses: spec.addressPairs, blocks: spec.blocks)
      // Under the paths the files have in MxGPUKit's repository, whatever folder `gen` was given.
      + BuiltInSpecsEmitter().emit(spec, specsFolder: loaded.folder)
    return Output(spec: spec, diagnostics: diagnostics, files: files.sorted { $0.path < $1.path })
  }
}
