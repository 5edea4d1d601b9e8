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
    let blocks = spec.blocks.sorted { $0.id < $1.id }
    var first: [String: (block: String, enumType: EnumType)] = [:]
    var alike: [String: [String]] = [:]  // enum name -> ids of the blocks that define it alike
    for block in blocks {
      for enumType in block.enums where runtime?.names[block.id]?.contains(enumType.name) != true {
        if let earlier = first[enumType.name] {
          if earlier.enumType.definesAlike(enumType) { alike[enumType.name, default: [earlier.block]].append(block.id) }
        } else {
          first[enumType.name] = (block.id, enumType)
        }
      }
    }
    var names: [String: Set<String>] = [:]
    var owned: [String: [EnumType]] = [:]
    for (name, ids) in alike {
      for id in ids { names[id, default: []].insert(name) }
      if let (owner, enumType) = first[name] { owned[owner, default: []].append(enumType) }
    }
    owners = blocks.compactMap { block in
      guard let enums = owned[block.id] else { return nil }
      var owner = block
      owner.registers = []
      owner.enums = enums
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
