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
  /// Registers and enums declared elsewhere for the blocks: left out of theirs; when another
  /// module declares them, it is imported and re-exported, so that both modules' users see one
  /// type.
  public var shared: SharedDeclarations?

  public init(registersPerFile: Int = 250, module: String? = nil, shared: SharedDeclarations? = nil) {
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
    case registers(Block, [Register], fileName: String)
    case reexport(Block, module: String)

    func render(with emitter: RegisterEmitter) -> GeneratedFile {
      switch self {
      case .enums(let block):
        var writer = emitter.header(for: block, content: "enums")
        for enumType in emitter.declared(block.enums, of: block, name: \.name).sorted(by: { $0.name < $1.name }) {
          writer.line()
          EnumEmitter.emit(enumType, scope: "\(block.name) \(block.version)", into: &writer)
        }
        return GeneratedFile(path: emitter.path("Enums.swift", of: block), contents: writer.text)
      case .reexport(let block, let module):
        var writer = SwiftWriter()
        writer.line(GeneratedFile.banner)
        writer.line("// Block \(block.name) \(block.version) (\(block.id)): what \(module) declares of it.")
        writer.line()
        writer.doc(
          "The registers and enums of \(block.id) that the runtime is built on are declared in `\(module)`, "
            + "so that they are one type for the runtime and for this module's users; they come with this module.")
        writer.line("@_exported import \(module)")
        return GeneratedFile(path: emitter.path("\(module).swift", of: block), contents: writer.text)
      case .registers(let block, let registers, let fileName):
        let enums = Dictionary(block.enums.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let spaces = Dictionary(block.spaces.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var writer = emitter.header(for: block, content: "registers")
        for register in registers {
          writer.line()
          emitter.emit(register, of: block, enums: enums, space: spaces[register.space], into: &writer)
        }
        return GeneratedFile(path: emitter.path(fileName, of: block), contents: writer.text)
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
    guard let names = shared?.names[block.id] else { return items }
    return items.filter { !names.contains(name($0)) }
  }

  private func files(of block: Block) -> [PlannedFile] {
    // Direct registers first, then each indirect space; by offset within a space.
    let ordered = declared(block.registers, of: block, name: \.name).sorted {
      ($0.space == AddressSpace.mmioName ? "" : $0.space, $0.offset, $0.name)
        < ($1.space == AddressSpace.mmioName ? "" : $1.space, $1.offset, $1.name)
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
      return PlannedFile.registers(block, chunk, fileName: name)
    }
    let enums: [PlannedFile] = declared(block.enums, of: block, name: \.name).isEmpty ? [] : [.enums(block)]
    let reexport: [PlannedFile] = sharedModule(of: block).map { [.reexport(block, module: $0)] } ?? []
    return enums + registerFiles + reexport
  }

  /// The module that declares some of `block`'s registers and enums, if one does.
  private func sharedModule(of block: Block) -> String? {
    guard let shared, shared.names[block.id]?.isEmpty == false else { return nil }
    return shared.module
  }

  private func header(for block: Block, content: String) -> SwiftWriter {
    var writer = SwiftWriter()
    writer.line(GeneratedFile.banner)
    writer.line("// Block \(block.name) \(block.version) (\(block.id)): \(content).")
    writer.line()
    writer.line("import MxMMIO")
    if let module = sharedModule(of: block) { writer.line("import \(module)") }
    return writer
  }

  private func emit(
    _ register: Register, of block: Block, enums: [String: EnumType], space: AddressSpace?,
    into writer: inout SwiftWriter
  ) {
    let typeName = SwiftNaming.identifier(register.name)
    let conformance: String
    let placement: String
    if register.space == AddressSpace.mmioName {
      conformance = "Register"
      placement =
        "MMIO dword \(Hex.literal(UInt64(register.offset))) (byte \(Hex.literal(UInt64(register.offset) * 4)))"
    } else if let space, let index = space.indexRegister, let data = space.dataRegister {
      conformance = "IndirectRegister"
      placement = "index \(Hex.literal(UInt64(register.offset))) of space `\(register.space)`, through \(index)/\(data)"
    } else {
      conformance = "RegisterDefinition"
      placement =
        "index \(Hex.literal(UInt64(register.offset))) of space `\(register.space)` (index/data pair not known)"
    }
    writer.doc(
      "`\(register.name)`: \(block.id) register, \(placement), \(Self.cited(register.accessSummary, register.accessSource)), \(Self.reset(of: register)).",
      register.aliasOf.map { "Another name for `\($0)`, at the same offset." },
      register.doc)

    let w1cMask =
      register.fields.isEmpty
      ? (register.access == .writeOneToClear ? UInt64(UInt32.max) : 0)
      : register.fields.filter { register.access(of: $0) == .writeOneToClear }.reduce(0) { $0 | $1.bits.mask }
    writer.block("public enum \(typeName): \(conformance)") { body in
      if conformance == "IndirectRegister" {
        body.line("public typealias Index = \(SwiftNaming.identifier(space!.indexRegister!))")
        body.line("public typealias Data = \(SwiftNaming.identifier(space!.dataRegister!))")
      }
      body.block("@inlinable public static var info: RegisterInfo") { info in
        info.line("RegisterInfo(")
        // An unknown reset is left out: `RegisterInfo.resetValue` is then nil.
        let reset = register.resetValue.map { ", resetValue: \(Hex.word($0))" } ?? ""
        info.line("  offset: \(Hex.literal(UInt64(register.offset)))\(reset),")
        info.line("  writeOneToClearMask: \(Hex.word(UInt32(truncatingIfNeeded: w1cMask))),")
        info.line("  layout: \"\(Self.layout(of: register, enums: enums))\")")
      }
      for field in register.fields.sorted(by: { ($0.bits.lsb, $0.name) < ($1.bits.lsb, $1.name) }) {
        body.line()
        emit(field, of: register, enums: enums, into: &body)
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
    for field in register.fields.sorted(by: { ($0.bits.lsb, $0.name) < ($1.bits.lsb, $1.name) }) {
      var item = "\(field.name)@\(field.bits.lsb):\(field.bits.width)"
      if let values = field.enumName.flatMap({ enums[$0] })?.values, !values.isEmpty {
        item += "{" + values.map { "\($0.name)=\($0.value)" }.joined(separator: ",") + "}"
      }
      items.append(item)
    }
    return items.joined(separator: " ")
  }

  private func emit(_ field: Field, of register: Register, enums: [String: EnumType], into writer: inout SwiftWriter) {
    let access = register.access(of: field)
    let bits = field.bits.width == 1 ? "bit \(field.bits.lsb)" : "bits \(field.bits.msb):\(field.bits.lsb)"
    let enumNote = field.enumName.map { ", values of `\($0)`" } ?? ""
    let source = field.access == nil ? register.accessSource : field.accessSource
    writer.doc(
      "`\(register.name).\(field.name)`: \(bits), \(Self.cited(access.summary, source))\(enumNote).", field.doc)
    let descriptor = access.isWritable ? "RegisterField" : "ReadOnlyField"
    // Not `@inlinable`, deliberately: a release build's cross-module optimization serializes a
    // body this small anyway (Benchmarks/zero-overhead proves the -O code equals C's), and a debug
    // build then does not type-check 26,000 bodies a second time to emit the module
    // (docs/GeneratedCode.md, "Compile time").
    writer.member(
      "public static var \(SwiftNaming.identifier(field.name)): \(descriptor)<Self, \(FieldTyping.valueType(of: field))>",
      body: ".init(lsb: \(field.bits.lsb), width: \(field.bits.width))")
  }
}

/// Registers and enums of blocks that are declared elsewhere, by block id and name: in another
/// module (`MxRuntimeRegisters`), or, when `module` is nil, by another block of the same module
/// (an enum that several blocks define alike is declared once).
public struct SharedDeclarations: Sendable, Equatable {
  public var module: String?
  public var names: [String: Set<String>]

  public init(module: String?, names: [String: Set<String>]) {
    self.module = module
    self.names = names
  }
}
