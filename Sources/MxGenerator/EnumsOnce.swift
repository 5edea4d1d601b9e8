import MxSpecModel
import MxSwiftEmitter

/// Enums that several blocks of one module define (gfx_8_0 and gmc_8_1 both have `ArrayMode`):
/// in one module a name is declared once. The first block declares it; a later block's enum that
/// defines the same values is left to that one (its fields still name it), and one that does not
/// is a conflict, for the caller to report.
struct EnumsOnce {
  /// The first enum of each name.
  private(set) var declared: [String: EnumType] = [:]
  /// What later blocks leave out, by block id: for `RegisterEmitter`, in the same module.
  let repeated: SharedDeclarations
  /// Later enums of a name declared with other values, each with the first.
  private(set) var conflicts: [(enumType: EnumType, earlier: EnumType)] = []

  init(_ blocks: [Block]) {
    var repeated: [String: Set<String>] = [:]
    for block in blocks {
      for enumType in block.enums {
        if let earlier = declared[enumType.name] {
          if earlier.definesAlike(enumType) {
            repeated[block.id, default: []].insert(enumType.name)
          } else {
            conflicts.append((enumType, earlier))
          }
        } else {
          declared[enumType.name] = enumType
        }
      }
    }
    self.repeated = SharedDeclarations(module: nil, names: repeated)
  }

  /// `blocks` without the enums a block leaves to an earlier one.
  func declaringOnce(_ blocks: [Block]) -> [Block] {
    blocks.map { block in
      guard let names = repeated.names[block.id] else { return block }
      var block = block
      block.enums.removeAll { names.contains($0.name) }
      return block
    }
  }
}
