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

  /// Loads and validates the specs at `path`, without emitting anything. Semantic checks run
  /// even after load errors (over what did load), so one run reports every problem.
  public func check(specsAt path: String) -> (spec: Spec, diagnostics: Diagnostics) {
    let loaded = loader.load(from: path)
    var diagnostics = loaded.diagnostics
    diagnostics.append(contentsOf: SpecValidator().validate(loaded.spec))
    return (loaded.spec, diagnostics)
  }

  public func generate(specsAt path: String) -> Output {
    let (spec, diagnostics) = check(specsAt: path)
    guard !diagnostics.hasErrors else { return Output(spec: spec, diagnostics: diagnostics, files: nil) }
    let files =
      emitter.emit(spec.blocks.sorted { $0.id < $1.id })
      + ChipEmitter().emit(spec.chips, blocks: spec.blocks)
      + MailboxEmitter().emit(spec.mailboxes)
      + InterruptSourceEmitter().emit(spec.interruptSources)
      + ClearStateEmitter().emit(spec.clearStates)
      + PacketEmitter().emit(spec.packetSets, opcodeNames: spec.opcodeNames)
      + StructureEmitter().emit(spec.structures, addresses: spec.addressPairs, blocks: spec.blocks)
    return Output(spec: spec, diagnostics: diagnostics, files: files.sorted { $0.path < $1.path })
  }
}
