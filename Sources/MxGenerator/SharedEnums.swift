import MxSpecModel
import MxSwiftEmitter

/// The enums that two or more blocks define alike, as one generated module, `MxSharedEnums`. The
/// kernel's headers repeat 63 enums (`ArrayMode`, `SurfaceFormat`, …, 1,038 values) in every
/// block's `*_enum.h`. Declared once, they are one type for a consumer who imports two blocks,
/// where two types of one name would be ambiguous, and they are compiled once rather than per
/// block (docs/GeneratedCode.md, "Compile cost").
///
/// A module of their own rather than `MxRuntimeRegisters`: the runtime needs none of them, and a
/// driver that depends only on the runtime does not build them. Enums the runtime's module
/// declares stay there.
struct SharedEnums {
  static let moduleName = "MxSharedEnums"

  /// Per block with such enums, the names it leaves to this module.
  let shared: SharedDeclarations
  /// Each enum once, in the first block (by id) that defines it.
  private let owners: [Block]

  /// The enums of `spec` that several blocks define alike, without those `runtime` declares.
  init(_ spec: Spec, leaving runtime: SharedDeclarations?) {
    let blocks = spec.blocks.sorted { $0.id < $1.id }.map { block in
      let leftToRuntime = runtime?.names[block.id] ?? []
      var block = block
      block.enums.removeAll { leftToRuntime.contains($0.name) }
      return block
    }
    // What later blocks repeat of an earlier one goes here, with that earlier declaration.
    let once = EnumsOnce(blocks)
    var names = once.repeated.names
    let repeated = Set(names.values.joined())
    owners = blocks.compactMap { block in
      let first = block.enums.filter { repeated.contains($0.name) && once.declared[$0.name] == $0 }
      guard !first.isEmpty else { return nil }
      names[block.id, default: []].formUnion(first.map(\.name))
      var owner = block
      owner.registers = []
      owner.enums = first
      return owner
    }
    shared = SharedDeclarations(
      module: Self.moduleName, names: names, what: "enums that other blocks define alike",
      why: "so that they are one type for the users of every block that defines them")
  }

  /// The module's files, one per block that first defines some of the enums; none when no two
  /// blocks define an enum alike.
  func files() -> [GeneratedFile] {
    RegisterEmitter(module: Self.moduleName, enumScope: "several blocks'").emit(owners)
  }
}
