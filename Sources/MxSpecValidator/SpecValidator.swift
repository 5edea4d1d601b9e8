import MxSpecModel

/// Semantic checks of a loaded spec: everything the schema cannot express. Every problem is
/// reported (a run never stops at the first), each at the element it concerns.
public struct SpecValidator: Sendable {
  public init() {}

  public func validate(_ spec: Spec) -> Diagnostics {
    validate(ValidationContext(spec: spec))
  }

  /// The diagnostics of `validate(base + additions)` where `base` is known to be valid (the
  /// built-in specs, validated when `gen` built them in): what no addition can change — each
  /// block's own rules, a chip's use of its blocks and its golden sequences — is not checked for
  /// `base` again. Everything between items (names, PCI IDs, references) is checked as always.
  public func validate(_ additions: Spec, extending base: Spec) -> Diagnostics {
    var spec = base
    spec.merge(additions)
    var context = ValidationContext(spec: spec)
    context.settledBlocks = base.blocks.count
    context.settledChips = base.chips.count
    return validate(context)
  }

  private func validate(_ context: ValidationContext) -> Diagnostics {
    var context = context
    context.checkBlocks()
    context.checkChips()
    context.checkPacketSets()
    context.checkOpcodeNames()
    context.checkMailboxes()
    context.checkInterruptSources()
    context.checkClearStates()
    context.checkStructures()
    return context.diagnostics
  }
}

/// State shared by the rule files: the spec, lookup tables and the diagnostics so far.
struct ValidationContext {
  let spec: Spec
  var diagnostics = Diagnostics()
  /// How many of the first blocks and chips passed their own checks before.
  var settledBlocks = 0
  var settledChips = 0

  init(spec: Spec) {
    self.spec = spec
  }

  mutating func error(_ message: String, at location: SourceLocation) {
    diagnostics.error(message, at: location)
  }

  /// Reports each name used twice in `items` (first occurrence wins), and names that are not
  /// identifiers, are reserved, or collide with another after mapping to Swift.
  mutating func checkNames<T>(
    _ items: [T], kind: String, in scope: String, reserved: Set<String> = [],
    name: (T) -> String, location: (T) -> SourceLocation
  ) {
    var firstByName: [String: SourceLocation] = [:]
    var firstBySwiftName: [String: String] = [:]
    for item in items {
      let itemName = name(item)
      let itemLocation = location(item)
      guard SwiftNaming.isIdentifier(itemName) else {
        error(
          "\(kind) name '\(itemName)' is not a valid identifier (letters, digits and '_', not starting with a digit)",
          at: itemLocation)
        continue
      }
      if let first = firstByName[itemName] {
        error("duplicate \(kind) '\(itemName)' in \(scope) (first defined at \(first))", at: itemLocation)
        continue
      }
      firstByName[itemName] = itemLocation
      let swiftName = SwiftNaming.identifier(itemName)
      if reserved.contains(swiftName) {
        error(
          "\(kind) name '\(itemName)' is reserved in the generated Swift code of \(scope)", at: itemLocation)
        continue
      }
      if let other = firstBySwiftName[swiftName] {
        error(
          "\(kind) '\(itemName)' and '\(other)' in \(scope) both map to the Swift name '\(swiftName)'",
          at: itemLocation)
        continue
      }
      firstBySwiftName[swiftName] = itemName
    }
  }
}
