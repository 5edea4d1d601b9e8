import MxSpecModel
import MxSwiftEmitter

/// What one consumer target compiles: the built-in subset and the target's own specs in one
/// module. Names that two of them declare would not compile, so they are reported here, at the
/// target's own definition or at the subset line that selected them.
struct TargetSpec {
  var spec: Spec
  /// The enums a block leaves to an earlier block that declares them alike.
  let repeatedEnums: SharedDeclarations
  var diagnostics = Diagnostics()

  init(selection: SubsetSelection, own: Spec) {
    var spec = selection.spec
    spec.merge(own)
    self.spec = spec
    let enumsOnce = EnumsOnce(spec.blocks)
    repeatedEnums = enumsOnce.repeated
    for structure in own.structures {
      diagnostics.error(
        "memory structures are not generated into a target; depend on the MxStructures product instead",
        at: structure.location)
    }
    // A different enum of a name already declared is reported as declared twice.
    reportDuplicates(selection: selection, own: own, blocks: enumsOnce.declaringOnce(spec.blocks))
  }

  /// Every top-level Swift name the target's generated code declares, each once.
  private mutating func reportDuplicates(selection: SubsetSelection, own: Spec, blocks: [Block]) {
    let selectedBlocks = selection.spec.blocks.count
    let builtIn = Spec(
      blocks: Array(blocks.prefix(selectedBlocks)), chips: selection.spec.chips,
      packetSets: selection.spec.packetSets, mailboxes: selection.spec.mailboxes)
    let ownPart = Spec(
      blocks: Array(blocks.dropFirst(selectedBlocks)), chips: own.chips, packetSets: own.packetSets,
      mailboxes: own.mailboxes)
    // Point at what the target's author wrote: the subset line for built-in data, else their spec.
    let declarations =
      Self.declarations(in: builtIn).map { ($0.name, $0.what, selection.origins[$0.name] ?? $0.location) }
      + Self.declarations(in: ownPart)
    var first: [String: (what: String, location: SourceLocation)] = [:]
    for (name, what, location) in declarations {
      guard let earlier = first[name] else {
        first[name] = (what, location)
        continue
      }
      diagnostics.error(
        "'\(name)' (\(what)) is declared twice in this target; the other is the \(earlier.what) at \(earlier.location)",
        at: location)
    }
  }

  /// The top-level Swift names emitted for `spec`, with what declares them and where.
  static func declarations(in spec: Spec) -> [(name: String, what: String, location: SourceLocation)] {
    var result: [(name: String, what: String, location: SourceLocation)] = []
    for block in spec.blocks {
      result += block.registers.map { ($0.name, "register of \(block.id)", $0.location) }
      result += block.enums.map { ($0.name, "enum of \(block.id)", $0.location) }
    }
    for set in spec.packetSets {
      result += set.packets.map { ($0.name, "packet of \(set.name)", $0.location) }
      result += set.enums.map { ($0.name, "enum of \(set.name)", $0.location) }
      result.append((MailboxEmitter.typePrefix(set.name) + "Packet", "decoder of \(set.name)", set.location))
    }
    for mailbox in spec.mailboxes {
      let prefix = MailboxEmitter.typePrefix(mailbox.name)
      result.append((prefix + "Request", "requests of mailbox \(mailbox.name)", mailbox.location))
      result.append((prefix + "Event", "events of mailbox \(mailbox.name)", mailbox.location))
    }
    result += spec.chips.map { ($0.name, "chip", $0.location) }
    return result.map { (SwiftNaming.identifier($0.name), $0.what, $0.location) }
  }
}
