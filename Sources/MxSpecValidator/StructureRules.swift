import MxSpecModel

extension ValidationContext {
  mutating func checkStructures() {
    checkNames(spec.structures, kind: "structure", in: "the specs", name: \.name, location: \.location)
    let structures = Dictionary(spec.structures.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    for structure in spec.structures {
      let scope = "structure '\(structure.name)'"
      if structure.sizeInDwords == 0 {
        error("\(scope) has a size of 0 dwords", at: structure.location)
      }
      let registerBlock = structure.registerBlock.flatMap { spec.block(id: $0) }
      if let id = structure.registerBlock, registerBlock == nil {
        error("\(scope) mirrors registers of unknown block '\(id)'", at: structure.location)
      }
      let registers = Set(registerBlock?.registers.filter { $0.space == AddressSpace.mmioName }.map(\.name) ?? [])
      checkNames(structure.members, kind: "member", in: scope, name: \.name, location: \.location)
      var placed: [Structure.Member] = []
      for member in structure.members {
        if member.count == 0 {
          error("member '\(member.name)' of \(scope) has a count of 0", at: member.location)
          continue
        }
        if member.dword + member.count > structure.sizeInDwords {
          error(
            "member '\(member.name)' (dwords \(member.dwords.lowerBound)...\(member.dwords.upperBound)) lies beyond the \(structure.sizeInDwords)-dword \(scope)",
            at: member.location)
        }
        if let other = placed.first(where: { $0.dwords.overlaps(member.dwords) }) {
          error(
            "member '\(member.name)' overlaps member '\(other.name)' in \(scope)", at: member.location)
        }
        placed.append(member)
        if let register = member.register {
          if structure.registerBlock == nil {
            error(
              "member '\(member.name)' of \(scope) mirrors register '\(register)', but the structure names no register block (registers=\"…\")",
              at: member.location)
          } else if registerBlock != nil && !registers.contains(register) {
            error(
              "member '\(member.name)' of \(scope) mirrors unknown register '\(register)' of block '\(structure.registerBlock!)'",
              at: member.location)
          } else if member.count != 1 {
            error(
              "member '\(member.name)' of \(scope) mirrors a register but spans \(member.count) dwords",
              at: member.location)
          }
        }
        if let type = member.type {
          if let nested = structures[type] {
            if nested.sizeInDwords != member.count {
              error(
                "member '\(member.name)' of \(scope) is a '\(type)' (\(nested.sizeInDwords) dwords) but spans \(member.count)",
                at: member.location)
            }
          } else {
            error("member '\(member.name)' of \(scope) has unknown type '\(type)'", at: member.location)
          }
        }
      }
      if let cycle = nestingCycle(from: structure, structures) {
        error("\(scope) contains itself: \(cycle.joined(separator: " -> "))", at: structure.location)
      }
    }
    checkAddressPairs(structures)
  }

  /// The chain of member types that leads from `structure` back to itself, if any.
  private func nestingCycle(from structure: Structure, _ structures: [String: Structure]) -> [String]? {
    var path = [structure.name]
    func visit(_ current: Structure) -> Bool {
      for type in current.members.compactMap(\.type) {
        if type == structure.name {
          path.append(type)
          return true
        }
        guard !path.contains(type), let nested = structures[type] else { continue }
        path.append(type)
        if visit(nested) { return true }
        path.removeLast()
      }
      return false
    }
    return visit(structure) ? path : nil
  }

  private mutating func checkAddressPairs(_ structures: [String: Structure]) {
    var seen: [String: SourceLocation] = [:]
    for pair in spec.addressPairs {
      let scope = "address '\(pair.name)'"
      guard let structure = structures[pair.structure] else {
        error("\(scope) belongs to unknown structure '\(pair.structure)'", at: pair.location)
        continue
      }
      if !SwiftNaming.isIdentifier(pair.name) {
        error("address name '\(pair.name)' is not a valid identifier", at: pair.location)
      } else if let first = seen["\(pair.structure).\(pair.name)"] {
        error("duplicate \(scope) of structure '\(pair.structure)' (first defined at \(first))", at: pair.location)
      } else if structure.members.contains(where: { $0.name == pair.name }) {
        error("\(scope) has the name of a member of structure '\(pair.structure)'", at: pair.location)
      }
      seen["\(pair.structure).\(pair.name)", default: pair.location] = pair.location
      let halves = [pair.lo, pair.hi].map { name in structure.members.first { $0.name == name } }
      for (name, member) in zip([pair.lo, pair.hi], halves) {
        if let member {
          if member.count != 1 || member.type != nil {
            error("\(scope) half '\(name)' is not a single dword", at: pair.location)
          }
        } else {
          error("\(scope) names unknown member '\(name)' of structure '\(pair.structure)'", at: pair.location)
        }
      }
      guard pair.shift < 32 else {
        error("\(scope) shift \(pair.shift) must be below 32", at: pair.location)
        continue
      }
      if pair.alignment == 0 || pair.alignment & (pair.alignment - 1) != 0 || pair.alignment < 1 << pair.shift {
        error(
          "\(scope) alignment \(pair.alignment) must be a power of two of at least \(1 << pair.shift) (its shift drops \(pair.shift) bits)",
          at: pair.location)
      }
      if pair.bits <= pair.shift || pair.bits > 64 {
        error("\(scope) width \(pair.bits) bits must be above its shift and at most 64", at: pair.location)
      }
      checkAgainstRegisters(pair, structure: structure, halves: halves)
    }
  }

  /// Where both halves mirror registers, the registers say which bits hold the address: the
  /// alignment and width declared must be theirs.
  private mutating func checkAgainstRegisters(
    _ pair: AddressPair, structure: Structure, halves: [Structure.Member?]
  ) {
    guard let block = structure.registerBlock.flatMap({ spec.block(id: $0) }),
      let loName = halves[0]?.register, let hiName = halves[1]?.register,
      let lo = block.registers.first(where: { $0.name == loName }),
      let hi = block.registers.first(where: { $0.name == hiName }),
      let loField = lo.fields.first(where: { $0.bits.msb == 31 }),
      let hiField = hi.fields.first(where: { $0.bits.lsb == 0 })
    else { return }
    let alignment = UInt64(1) << UInt64(pair.shift + loField.bits.lsb)
    let bits = min(64, pair.shift + 32 + hiField.bits.width)
    if pair.alignment != alignment || pair.bits != bits {
      error(
        "address '\(pair.name)' is declared \(pair.alignment)-byte aligned and \(pair.bits) bits wide, but \(loName).\(loField.name) (bits \(loField.bits)) and \(hiName).\(hiField.name) (bits \(hiField.bits)) shifted by \(pair.shift) hold a \(alignment)-byte aligned, \(bits)-bit address",
        at: pair.location)
    }
  }
}
