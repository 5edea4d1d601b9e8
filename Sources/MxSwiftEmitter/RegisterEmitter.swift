import MxSpecModel

/// Emits the Swift module of one block: per register a caseless enum with its `info` and a
/// `static` descriptor per field (values are the runtime's `RegisterValue<Register>`), and a
/// struct per enum. Generated bodies hold only literals: the bit work lives once in `@inlinable`
/// runtime code, which keeps compile time low and `-O` code identical to hand-written mask and
/// shift (docs/GeneratedCode.md has the measurements).
public struct RegisterEmitter: Sendable {
  /// Registers per output file; several files let the compiler work on them in parallel and keep
  /// each one small enough for an editor.
  public var registersPerFile: Int
  /// The module every block's files go into, when not the block's own: `MxRuntimeRegisters`,
  /// whose file names then start with the block's (`GFX80Registers.swift`).
  public var module: String?
  /// Registers and enums declared elsewhere for the blocks: left out of theirs; each other module
  /// that declares some of a block's is imported and re-exported, so that both modules' users see
  /// one type.
  public var shared: [SharedDeclarations]
  /// Whose fields the enums' values are, in their documentation, when not the block's
  /// ("gfx 8.0"): "several blocks'" for enums declared once for all the blocks that define them.
  public var enumScope: String?

  public init(
    registersPerFile: Int = 250, module: String? = nil, shared: [SharedDeclarations] = [], enumScope: String? = nil
  ) {
    self.enumScope = enumScope
    self.registersPerFile = registersPerFile
    self.module = module
    self.shared = shared
  }

  /// The files of one block.
  public func emit(_ block: Block) -> [GeneratedFile] { emit([block]) }

  /// The files of every block, in block order. Each file is written on its own, on every core
  /// (emission is the largest part of `gen --check`).
  public func emit(_ blocks: [Block]) -> [GeneratedFile] {
    blocks.flatMap(files(of:)).concurrentMap { $0.render(with: self) }
  }

  /// One output file still to be written.
  private enum PlannedFile: Sendable {
    case enums(Block)
    case registers(Block, [Register], layouts: FieldLayouts, fileName: String)
    case layouts(Block, FieldLayouts)
    case reexport(Block, module: String)

    func render(with emitter: RegisterEmitter) -> GeneratedFile {
      switch self {
      case .enums(let block):
        var writer = emitter.header(for: block, content: "enums")
        for enumType in emitter.declared(block.enums, of: block, name: \.name).sorted(by: { $0.name < $1.name }) {
          writer.line()
          EnumEmitter.emit(enumType, scope: emitter.enumScope ?? "\(block.name) \(block.version)", into: &writer)
        }
        return GeneratedFile(path: emitter.path("Enums.swift", of: block), contents: writer.text)
      case .reexport(let block, let module):
        var writer = SwiftWriter()
        writer.line(GeneratedFile.banner)
        writer.line("// Block \(block.name) \(block.version) (\(block.id)): what \(module) declares of it.")
        writer.line()
        let declarations = emitter.shared.first { $0.module == module }
        writer.doc(
          "Of \(block.id), the \(declarations?.what ?? "declarations") are declared in `\(module)`"
            + "\(declarations.map { ", " + $0.why } ?? ""); they come with this module.")
        writer.line("@_exported import \(module)")
        return GeneratedFile(path: emitter.path("\(module).swift", of: block), contents: writer.text)
      case .registers(let block, let registers, let layouts, let fileName):
        let enums = block.enumsByName
        let spaces = Dictionary(block.spaces.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var writer = emitter.header(for: block, content: "registers")
        for register in registers {
          writer.line()
          emitter.emit(
            register, of: block, enums: enums, space: spaces[register.space], layout: layouts.layout(of: register),
            into: &writer)
        }
        return GeneratedFile(path: emitter.path(fileName, of: block), contents: writer.text)
      case .layouts(let block, let layouts):
        var writer = emitter.header(for: block, content: "field layouts that several registers share")
        for layout in layouts.shared {
          writer.line()
          let named = layout.registers.prefix(8).map { "`\($0.name)`" }.joined(separator: ", ")
          let more = layout.registers.count > 8 ? " and \(layout.registers.count - 8) more" : ""
          writer.doc(
            "The fields of \(layout.registers.count) registers laid out alike: \(named)\(more).",
            "Each of them conforms, so `\(layout.registers[0].name).FIELD` names a field as for any "
              + "register, and code can be generic over them (`<R: \(layout.protocolName)>`).")
          writer.line("public protocol \(layout.protocolName): \(layout.conformance) {}")
          writer.line()
          writer.block("extension \(layout.protocolName)") { body in
            for (index, field) in RegisterEmitter.ordered(layout.registers[0].fields).enumerated() {
              if index > 0 { body.line() }
              // `@inlinable`, unlike a register's own fields: a generic getter is specialized
              // in the client only from a serialized body.
              emitter.emit(field, of: layout.registers[0], qualified: false, into: &body)
            }
          }
        }
        return GeneratedFile(path: emitter.path("Layouts.swift", of: block), contents: writer.text)
      }
    }
  }

  /// Where a file of `block` goes.
  private func path(_ fileName: String, of block: Block) -> String {
    guard let module else { return "\(block.moduleName)/\(fileName)" }
    return "\(module)/\(block.moduleName.dropFirst("Mx".count))\(fileName)"
  }

  /// What of `items` this module declares: all but what `shared` declares for the block.
  private func declared<Item>(_ items: [Item], of block: Block, name: (Item) -> String) -> [Item] {
    let names = shared.compactMap { $0.names[block.id] }
    guard !names.isEmpty else { return items }
    return items.filter { item in !names.contains { $0.contains(name(item)) } }
  }

  private func files(of block: Block) -> [PlannedFile] {
    // Direct registers first, then each indirect space; by offset within a space.
    let ordered = declared(block.registers, of: block, name: \.name).sorted {
      ($0.space == AddressSpace.mmioName ? "" : $0.space, $0.offset, $0.name)
        < ($1.space == AddressSpace.mmioName ? "" : $1.space, $1.offset, $1.name)
    }
    let layouts = FieldLayouts(ordered) { register in
      let (conformance, aliases) = Self.conformance(of: register, space: block.space(named: register.space))
      var writer = SwiftWriter()
      for field in Self.ordered(register.fields) {
        emit(field, of: register, qualified: false, into: &writer)
      }
      return (conformance, aliases.joined(separator: "\n") + "\n" + writer.text)
    }
    let chunks = stride(from: 0, to: ordered.count, by: registersPerFile).map {
      Array(ordered[$0..<min($0 + registersPerFile, ordered.count)])
    }
    let registerFiles = chunks.enumerated().map { index, chunk in
      let number = String(index + 1)
      let name =
        chunks.count == 1
        ? "Registers.swift"
        : "Registers\(String(repeating: "0", count: String(chunks.count).count - number.count))\(number).swift"
      return PlannedFile.registers(block, chunk, layouts: layouts, fileName: name)
    }
    let enums: [PlannedFile] = declared(block.enums, of: block, name: \.name).isEmpty ? [] : [.enums(block)]
    let layoutFile: [PlannedFile] = layouts.shared.isEmpty ? [] : [.layouts(block, layouts)]
    let reexports = sharedModules(of: block).map { PlannedFile.reexport(block, module: $0) }
    return enums + layoutFile + registerFiles + reexports
  }

  /// The other modules that declare some of `block`'s registers and enums.
  private func sharedModules(of block: Block) -> [String] {
    shared.compactMap { declarations in
      declarations.names[block.id]?.isEmpty == false ? declarations.module : nil
    }
  }

  private func header(for block: Block, content: String) -> SwiftWriter {
    var writer = SwiftWriter()
    writer.line(GeneratedFile.banner)
    writer.line("// Block \(block.name) \(block.version) (\(block.id)): \(content).")
    writer.line()
    writer.line("import MxMMIO")
    for module in sharedModules(of: block) { writer.line("import \(module)") }
    return writer
  }

  /// The protocol a register conforms to, by its space, and the type aliases an indirect one
  /// declares.
  private static func conformance(of register: Register, space: AddressSpace?) -> (String, [String]) {
    if register.space == AddressSpace.mmioName { return ("Register", []) }
    guard let space, let index = space.indexRegister, let data = space.dataRegister else {
      return ("RegisterDefinition", [])
    }
    return (
      "IndirectRegister",
      [
        "public typealias Index = \(SwiftNaming.identifier(index))",
        "public typealias Data = \(SwiftNaming.identifier(data))",
      ]
    )
  }

  /// Fields in the order they are declared: by bit, then name.
  private static func ordered(_ fields: [Field]) -> [Field] {
    fields.sorted { ($0.bits.lsb, $0.name) < ($1.bits.lsb, $1.name) }
  }

  private func emit(
    _ register: Register, of block: Block, enums: [String: EnumType], space: AddressSpace?,
    layout: FieldLayouts.Layout?, into writer: inout SwiftWriter
  ) {
    let typeName = SwiftNaming.identifier(register.name)
    let (kind, aliases) = Self.conformance(of: register, space: space)
    let placement: String
    if register.space == AddressSpace.mmioName {
      placement =
        "MMIO dword \(Hex.literal(UInt64(register.offset))) (byte \(Hex.literal(UInt64(register.offset) * 4)))"
    } else if let space, let index = space.indexRegister, let data = space.dataRegister {
      placement = "index \(Hex.literal(UInt64(register.offset))) of space `\(register.space)`, through \(index)/\(data)"
    } else {
      placement =
        "index \(Hex.literal(UInt64(register.offset))) of space `\(register.space)` (index/data pair not known)"
    }
    writer.doc(
      "`\(register.name)`: \(block.id) register, \(placement), \(Self.cited(register.accessSummary, register.accessSource)), \(Self.reset(of: register)).",
      register.aliasOf.map { "Another name for `\($0)`, at the same offset." },
      layout.map { "Its fields are those of `\($0.protocolName)`, which \($0.registers.count) registers share." },
      register.doc)

    let w1cMask =
      register.fields.isEmpty
      ? (register.access == .writeOneToClear ? UInt64(UInt32.max) : 0)
      : register.fields.filter { register.access(of: $0) == .writeOneToClear }.reduce(0) { $0 | $1.bits.mask }
    writer.block("public enum \(typeName): \(layout?.protocolName ?? kind)") { body in
      for alias in aliases { body.line(alias) }
      body.block("public static var info: RegisterInfo") { info in
        info.line("RegisterInfo(")
        // An unknown reset is left out: `RegisterInfo.resetValue` is then nil.
        let reset = register.resetValue.map { ", resetValue: \(Hex.word($0))" } ?? ""
        info.line("  offset: \(Hex.literal(UInt64(register.offset)))\(reset),")
        info.line("  writeOneToClearMask: \(Hex.word(UInt32(truncatingIfNeeded: w1cMask))),")
        info.line("  layout: \"\(Self.layout(of: register, enums: enums))\")")
      }
      guard layout == nil else { return }
      for field in Self.ordered(register.fields) {
        body.line()
        emit(field, of: register, qualified: true, into: &body)
      }
    }
  }

  /// `reset 0x0000_0100`, or what `write` starts from when no source gives the reset.
  static func reset(of register: Register) -> String {
    register.resetValue.map { cited("reset \(Hex.word($0))", register.resetSource) }
      ?? "reset unknown (`write` starts from 0)"
  }

  /// `text`, followed by the public source an overlay cited for it.
  static func cited(_ text: String, _ source: String?) -> String {
    source.map { "\(text) (\($0))" } ?? text
  }

  /// `NAME FIELD@lsb:width FIELD@lsb:width{VALUE=n,VALUE=n} …` (see `RegisterLayout`).
  static func layout(of register: Register, enums: [String: EnumType]) -> String {
    var items = [register.name]
    for field in ordered(register.fields) {
      var item = "\(field.name)@\(field.bits.lsb):\(field.bits.width)"
      if let values = field.enumName.flatMap({ enums[$0] })?.values, !values.isEmpty {
        item += "{" + values.map { "\($0.name)=\($0.value)" }.joined(separator: ",") + "}"
      }
      items.append(item)
    }
    return items.joined(separator: " ")
  }

  /// A field descriptor: `qualified` names it `REGISTER.FIELD` in its documentation, and is
  /// false for a field a layout protocol declares for several registers.
  private func emit(
    _ field: Field, of register: Register, qualified: Bool, into writer: inout SwiftWriter
  ) {
    let access = register.access(of: field)
    let bits = field.bits.width == 1 ? "bit \(field.bits.lsb)" : "bits \(field.bits.msb):\(field.bits.lsb)"
    let enumNote = field.enumName.map { ", values of `\($0)`" } ?? ""
    let source = field.access == nil ? register.accessSource : field.accessSource
    let name = qualified ? "\(register.name).\(field.name)" : field.name
    writer.doc("`\(name)`: \(bits), \(Self.cited(access.summary, source))\(enumNote).", field.doc)
    let descriptor = access.isWritable ? "RegisterField" : "ReadOnlyField"
    // A register's own field is not `@inlinable`, deliberately: a release build's cross-module
    // optimization serializes a body this small anyway (Benchmarks/zero-overhead proves the -O
    // code equals C's), and a debug build then does not type-check 26,000 bodies a second time to
    // emit the module (docs/GeneratedCode.md, "Compile time"). A layout's field is generic over
    // its registers and is specialized in the client only from a serialized body.
    writer.member(
      "\(qualified ? "" : "@inlinable ")public static var \(SwiftNaming.identifier(field.name)): "
        + "\(descriptor)<Self, \(FieldTyping.valueType(of: field))>",
      body: ".init(lsb: \(field.bits.lsb), width: \(field.bits.width))")
  }
}

extension Block {
  fileprivate var enumsByName: [String: EnumType] {
    Dictionary(enums.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
  }

  fileprivate func space(named name: String) -> AddressSpace? { spaces.first { $0.name == name } }
}

/// Registers and enums of blocks that are declared elsewhere, by block id and name: in another
/// module (`MxRuntimeRegisters`), or, when `module` is nil, by another block of the same module
/// (an enum that several blocks define alike is declared once).
public struct SharedDeclarations: Sendable, Equatable {
  public var module: String?
  public var names: [String: Set<String>]
  /// What the other module declares of a block, and why, for the block's documentation:
  /// "registers and enums that the runtime is built on", "so that they are one type …".
  public var what: String
  public var why: String

  public init(module: String?, names: [String: Set<String>], what: String = "", why: String = "") {
    self.module = module
    self.names = names
    self.what = what
    self.why = why
  }
}
