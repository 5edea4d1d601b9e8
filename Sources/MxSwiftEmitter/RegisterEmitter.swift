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

  public init(registersPerFile: Int = 250) {
    self.registersPerFile = registersPerFile
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

    func render(with emitter: RegisterEmitter) -> GeneratedFile {
      switch self {
      case .enums(let block):
        var writer = emitter.header(for: block, content: "enums")
        for enumType in block.enums.sorted(by: { $0.name < $1.name }) {
          writer.line()
          EnumEmitter.emit(enumType, scope: "\(block.name) \(block.version)", into: &writer)
        }
        return GeneratedFile(path: "\(block.moduleName)/Enums.swift", contents: writer.text)
      case .registers(let block, let registers, let fileName):
        let enums = Dictionary(block.enums.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let spaces = Dictionary(block.spaces.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var writer = emitter.header(for: block, content: "registers")
        for register in registers {
          writer.line()
          emitter.emit(register, of: block, enums: enums, space: spaces[register.space], into: &writer)
        }
        return GeneratedFile(path: "\(block.moduleName)/\(fileName)", contents: writer.text)
      }
    }
  }

  private func files(of block: Block) -> [PlannedFile] {
    // Direct registers first, then each indirect space; by offset within a space.
    let ordered = block.registers.sorted {
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
    return (block.enums.isEmpty ? [] : [.enums(block)]) + registerFiles
  }

  private func header(for block: Block, content: String) -> SwiftWriter {
    var writer = SwiftWriter()
    writer.line(GeneratedFile.banner)
    writer.line("// Block \(block.name) \(block.version) (\(block.id)): \(content).")
    writer.line()
    writer.line("import MxMMIO")
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
    writer.member(
      "@inlinable public static var \(SwiftNaming.identifier(field.name)): \(descriptor)<Self, \(FieldTyping.valueType(of: field))>",
      body: ".init(lsb: \(field.bits.lsb), width: \(field.bits.width))")
  }
}
