import MxSpecModel

extension ValidationContext {
  mutating func checkBlocks() {
    // Each block's own rules depend on nothing else: run them on every core, then report in
    // block order as if one after the other.
    let spec = spec
    var perBlock = spec.blocks.dropFirst(settledBlocks).concurrentMap { block in
      var context = ValidationContext(spec: spec)
      context.checkBlock(block)
      return context.diagnostics
    }.makeIterator()
    var firstByID: [String: SourceLocation] = [:]
    var firstByModule: [String: String] = [:]
    for (index, block) in spec.blocks.enumerated() {
      let blockDiagnostics = index < settledBlocks ? Diagnostics() : perBlock.next()!
      guard SwiftNaming.isIdentifier(block.name) else {
        error("block name '\(block.name)' is not a valid identifier", at: block.location)
        continue
      }
      if let first = firstByID[block.id] {
        error(
          "duplicate block '\(block.name)' version \(block.version) (first defined at \(first))",
          at: block.location)
        continue
      }
      firstByID[block.id] = block.location
      if let other = firstByModule[block.moduleName] {
        error(
          "blocks '\(block.id)' and '\(other)' both map to the Swift module name '\(block.moduleName)'",
          at: block.location)
      }
      firstByModule[block.moduleName] = block.id
      diagnostics.append(contentsOf: blockDiagnostics)
    }
  }

  private mutating func checkBlock(_ block: Block) {
    let scope = "block '\(block.id)'"
    let registersByName = Dictionary(block.registers.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })

    // Address spaces: names, and index/data pairs that exist in the direct space.
    var spaces: [String: AddressSpace] = [:]
    checkNames(block.spaces, kind: "address space", in: scope, name: \.name, location: \.location)
    for space in block.spaces {
      if space.isDirect {
        error("address space '\(AddressSpace.mmioName)' is built in and cannot be redefined", at: space.location)
        continue
      }
      spaces[space.name] = space
      if (space.indexRegister == nil) != (space.dataRegister == nil) {
        error(
          "address space '\(space.name)' must name both an index and a data register, or neither",
          at: space.location)
      }
      for pairName in [space.indexRegister, space.dataRegister].compactMap({ $0 }) {
        guard let pair = registersByName[pairName] else {
          error("address space '\(space.name)' uses unknown register '\(pairName)'", at: space.location)
          continue
        }
        if !(pair.space == AddressSpace.mmioName) {
          error(
            "address space '\(space.name)' uses register '\(pairName)', which is not in the '\(AddressSpace.mmioName)' space",
            at: space.location)
        }
      }
    }

    // Registers: names (Swift type names, so unique across spaces), spaces, offsets, fields.
    checkNames(
      block.registers, kind: "register", in: scope, reserved: SwiftNaming.runtimeTypes.union([block.moduleName]),
      name: \.name, location: \.location)
    let enumsByName = Dictionary(block.enums.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    let registerTypeNames = Dictionary(
      block.registers.map { ($0.name, $0.location) }, uniquingKeysWith: { a, _ in a })
    checkEnums(block.enums, in: scope, typeNamesInUse: registerTypeNames)

    var firstAtOffset: [String: [UInt32: Register]] = [:]
    for register in block.registers {
      let owner = "register '\(register.name)'"
      if register.space != AddressSpace.mmioName && spaces[register.space] == nil {
        error("\(owner) is in unknown address space '\(register.space)'", at: register.location)
      }
      if let alias = register.aliasOf {
        if let target = registersByName[alias] {
          if target.offset != register.offset || target.space != register.space {
            error(
              "\(owner) is declared an alias of '\(alias)', which is at a different offset (\(Hex.plain(target.offset)))",
              at: register.location)
          }
        } else {
          error("\(owner) is declared an alias of unknown register '\(alias)'", at: register.location)
        }
      } else if let first = firstAtOffset[register.space]?[register.offset] {
        error(
          "\(owner) has the same offset \(Hex.plain(register.offset)) in space '\(register.space)' as register '\(first.name)' (defined at \(first.location)); mark it alias-of=\"\(first.name)\" if that is intended",
          at: register.location)
      } else {
        firstAtOffset[register.space, default: [:]][register.offset] = register
      }
      checkFields(register.fields, of: owner, enums: enumsByName, reserved: SwiftNaming.registerMembers)
      for field in register.fields where register.access == .readOnly && register.access(of: field).isWritable {
        error(
          "field '\(field.name)' is writable (\(register.access(of: field).rawValue)) but \(owner) is read-only",
          at: field.location)
      }
    }
  }
}
