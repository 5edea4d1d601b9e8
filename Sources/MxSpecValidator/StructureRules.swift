import MxSpecModel

extension ValidationContext {
  mutating func checkStructures() {
    checkNames(spec.structures, kind: "structure", in: "the specs", name: \.name, location: \.location)
    let registerNames = Set(spec.blocks.flatMap { $0.registers.map(\.name) })
    for structure in spec.structures {
      let scope = "structure '\(structure.name)'"
      if structure.sizeInDwords == 0 {
        error("\(scope) has a size of 0 dwords", at: structure.location)
      }
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
        if let register = member.register, !registerNames.contains(register) {
          error("member '\(member.name)' of \(scope) mirrors unknown register '\(register)'", at: member.location)
        }
      }
    }
  }
}
