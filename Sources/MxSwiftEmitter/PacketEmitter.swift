import MxSpecModel

/// Emits the `MxPM4Packets` module: per packet a struct with a typed property per field, a
/// builder (`encode(into:)`, count computed, values that do not fit rejected) and a decoder
/// (`init(decodingBody:at:)`); per dword with alternative layouts an enum of the layouts; and per
/// packet set one enum of all its packets with `decode(_:)` for whole dword streams.
public struct PacketEmitter: Sendable {
  public static let moduleName = "MxPM4Packets"

  /// The module the code is compiled into: packet fields share names with enum types, so the
  /// generated code names those types through their module.
  public var module: String

  public init(module: String = moduleName) {
    self.module = module
  }

  /// - Parameter opcodeNames: the sets' opcode lists; a set that has one gets `opcodeName(_:)`.
  public func emit(_ sets: [PacketSet], opcodeNames: [OpcodeNames] = []) -> [GeneratedFile] {
    sets.sorted { $0.name < $1.name }.flatMap { set -> [GeneratedFile] in
      let prefix = MailboxEmitter.typePrefix(set.name)
      let enums = Dictionary(set.enums.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
      var files: [GeneratedFile] = []
      if !set.enums.isEmpty {
        var writer = header("packet set \(set.name): enums")
        for enumType in set.enums.sorted(by: { $0.name < $1.name }) {
          writer.line()
          EnumEmitter.emit(enumType, scope: "packet set \(set.name)", into: &writer)
        }
        files.append(GeneratedFile(path: "\(Self.moduleName)/\(prefix)Enums.swift", contents: writer.text))
      }
      var writer = header("packet set \(set.name): packets")
      for packet in set.packets.sorted(by: { $0.name < $1.name }) {
        writer.line()
        PacketWriter(packet: packet, enums: enums, module: module).emit(into: &writer)
      }
      files.append(GeneratedFile(path: "\(Self.moduleName)/\(prefix)Packets.swift", contents: writer.text))
      var decoder = header("packet set \(set.name): decoder")
      emitDecoder(set, prefix: prefix, names: opcodeNames.first { $0.packetSet == set.name }, into: &decoder)
      files.append(GeneratedFile(path: "\(Self.moduleName)/\(prefix)Decoder.swift", contents: decoder.text))
      return files
    }
  }

  private func header(_ content: String) -> SwiftWriter {
    var writer = SwiftWriter()
    writer.line(GeneratedFile.banner)
    writer.line("// PM4 \(content).")
    writer.line()
    writer.line("import MxMMIO")
    writer.line("import MxPM4")
    return writer
  }

  private func emitDecoder(_ set: PacketSet, prefix: String, names: OpcodeNames?, into writer: inout SwiftWriter) {
    let packets = set.packets.filter { $0.type == 3 && $0.opcode != nil }.sorted { $0.name < $1.name }
    writer.line()
    writer.doc("A decoded packet of set `\(set.name)`.")
    writer.block("public enum \(prefix)Packet: Equatable, Sendable") { body in
      for packet in packets {
        body.doc("`\(packet.name)` (opcode \(Hex.literal(UInt64(packet.opcode!)))).")
        body.line(
          "case \(SwiftNaming.identifier(packet.name))(\(module).\(SwiftNaming.identifier(packet.name)))"
        )
      }
      body.doc("A type-0 packet: consecutive register writes starting at `register`, values in the payload.")
      body.line("case type0(register: UInt32)")
      body.doc("A type-2 filler dword.")
      body.line("case type2")
      body.line()
      body.doc(
        "Decodes a whole stream. Every packet's body must be complete and match its layout, and no "
          + "reserved header bit may be set, so that every stream it accepts re-encodes to itself "
          + "(`encode(into:payload:shaderType:predicate:)`); a NOP header with count 0x3FFF is the one-dword "
          + "pad the VI rings use (facts 3.8).")
      body.block(
        "public static func decode(_ dwords: [UInt32]) throws(PM4DecodingError) -> [DecodedPM4Packet<\(prefix)Packet>]"
      ) { decode in
        decode.line("var packets: [DecodedPM4Packet<\(prefix)Packet>] = []")
        decode.line("var index = 0")
        decode.block("while index < dwords.count") { loop in
          loop.line("let packet = try decodePacket(in: dwords, at: index)")
          loop.line("packets.append(packet)")
          loop.line("index += packet.dwordCount")
        }
        decode.line("return packets")
      }
      body.line()
      body.doc(
        "Decodes the one packet whose header is `dwords[index]`, checked as `decode(_:)` checks every "
          + "packet: for a reader that takes packets one at a time (a command processor), without "
          + "allocating.")
      body.line("public static func decodePacket(")
      body.line("  in dwords: [UInt32], at index: Int")
      body.block(") throws(PM4DecodingError) -> DecodedPM4Packet<\(prefix)Packet>") { decode in
        decode.line("let header = dwords[index]")
        decode.line("let type = PM4Header.type(of: header)")
        decode.block("if type == 2") { type2 in
          type2.block("guard header == PM4Header.type2 else") { guardBody in
            guardBody.line(
              "throw .reservedBits(packet: \"TYPE2\", dword: \"HEADER\", bits: header & ~PM4Header.type2, dwordIndex: index)"
            )
          }
          type2.line("return DecodedPM4Packet(index: index, dwordCount: 1, packet: .type2)")
        }
        decode.line("guard type == 0 || type == 3 else { throw .invalidType(type, dwordIndex: index) }")
        decode.block("if type == 3, header & PM4Header.type3ReservedBits != 0") { reserved in
          reserved.line("throw .reservedBits(")
          reserved.line(
            "  packet: \"TYPE3\", dword: \"HEADER\", bits: header & PM4Header.type3ReservedBits, dwordIndex: index)")
        }
        decode.line("let opcode = PM4Header.opcode(of: header)")
        decode.line("let bodyDwords = PM4Header.bodyDwords(of: header)")
        decode.block("guard dwords.count - index - 1 >= bodyDwords else") { guardBody in
          guardBody.line(
            "throw .truncated(dwordIndex: index, needed: bodyDwords, available: dwords.count - index - 1)")
        }
        decode.line("let body = dwords[(index + 1)..<(index + 1 + bodyDwords)]")
        decode.line("let packet: \(prefix)Packet")
        decode.line("var payload = body.endIndex..<body.endIndex")
        decode.line("if type == 0 {")
        decode.line("  packet = .type0(register: header & 0xFFFF)")
        decode.line("  payload = body.indices")
        decode.line("} else {")
        decode.line("  switch opcode {")
        for packet in packets {
          let name = SwiftNaming.identifier(packet.name)
          let type = "\(module).\(name)"
          decode.line("  case \(Hex.literal(UInt64(packet.opcode!))):")
          if packet.tail != nil {
            decode.line("    let decoded = try \(type)(decodingBody: body, at: index)")
            decode.line("    packet = .\(name)(decoded)")
            decode.line("    payload = (body.startIndex + \(packet.dwords.count))..<body.endIndex")
          } else {
            decode.line("    packet = .\(name)(try \(type)(decodingBody: body, at: index))")
          }
        }
        decode.line("  default: throw .unknownOpcode(opcode, dwordIndex: index)")
        decode.line("  }")
        decode.line("}")
        decode.line("return DecodedPM4Packet(")
        decode.line("  index: index, dwordCount: 1 + bodyDwords, packet: packet, payload: payload,")
        decode.line("  shaderType: type == 3 && header & 2 != 0, predicate: type == 3 && header & 1 != 0)")
      }
      body.line()
      emitEncode(packets, into: &body)
      if let names { emitOpcodeNames(names, into: &body) }
    }
  }

  /// `opcodeName(_:)`: every name of the set's opcode list, laid out by the set or not.
  private func emitOpcodeNames(_ names: OpcodeNames, into writer: inout SwiftWriter) {
    writer.line()
    writer.doc(
      "The name the opcode list of set `\(names.packetSet)` gives `opcode` (vid.h's `PACKET3_*`), whether or not "
        + "the set lays its packet out: for a reader that meets a packet it has no layout for.")
    writer.block("public static func opcodeName(_ opcode: UInt8) -> StaticString?") { function in
      function.line("switch opcode {")
      for opcode in names.opcodes.sorted(by: { $0.value < $1.value }) {
        function.line("case \(Hex.literal(UInt64(opcode.value))): \"\(opcode.name)\"")
      }
      function.line("default: nil")
      function.line("}")
    }
  }

  /// `encode(into:payload:shaderType:predicate:)` on the packet-set enum: the inverse of `decode`.
  private func emitEncode(_ packets: [Packet], into writer: inout SwiftWriter) {
    writer.doc(
      "Writes the packet with `payload` (what `decode(_:)` gave as its payload range: NOP filler, "
        + "register values, data) to `sink`, all or nothing, so that a decoded stream re-encodes to "
        + "the same dwords. A payload on a packet that has none is an error.")
    writer.line("public func encode<Sink: PM4Sink, Payload: Collection<UInt32>>(")
    writer.line("  into sink: inout Sink, payload: Payload, shaderType: Bool = false, predicate: Bool = false")
    writer.block(") throws(PM4EncodingError)") { body in
      body.line("switch self {")
      for packet in packets {
        body.line("case .\(SwiftNaming.identifier(packet.name))(let packet):")
        body.line("  try packet.encode(into: &sink, payload: payload, shaderType: shaderType, predicate: predicate)")
      }
      body.line("case .type0(let register):")
      body.line("  try PM4Header.encodeType0(register: register, payload: payload, into: &sink)")
      body.line("case .type2:")
      body.line("  try PM4Header.encodeType2(payload: payload, into: &sink)")
      body.line("}")
    }
  }
}

/// Emits one packet's struct.
struct PacketWriter {
  let packet: Packet
  let enums: [String: EnumType]
  let module: String

  var name: String { SwiftNaming.identifier(packet.name) }

  /// Every field of the packet with the dword it is in, in order.
  private var fields: [(dword: PacketDword, field: Field)] {
    packet.dwords.flatMap { dword in dword.fields.map { (dword, $0) } }
  }

  private var layoutDwords: [PacketDword] { packet.dwords.filter { !$0.layouts.isEmpty } }

  func emit(into writer: inout SwiftWriter) {
    let fixed = packet.dwords.count
    let tail = packet.tail
    writer.doc(
      "`\(packet.name)`: type-\(packet.type) packet, opcode \(packet.opcode.map { Hex.literal(UInt64($0)) } ?? "none"), "
        + "\(fixed) body dword\(fixed == 1 ? "" : "s")\(tail.map { " then `\($0.name)` dwords" } ?? "").",
      packet.doc, tail?.doc)
    let definition = packet.tail == nil ? "PM4FixedLengthPacket" : "PM4PacketDefinition"
    writer.block("public struct \(name): \(definition), Equatable, Sendable") { body in
      body.line("public static var name: StaticString { \"\(packet.name)\" }")
      body.line("public static var opcode: UInt8 { \(Hex.literal(UInt64(packet.opcode ?? 0))) }")
      body.line("/// Body dwords before any payload.")
      body.line("public static var fixedBodyDwords: Int { \(fixed) }")
      for (dword, field) in fields {
        body.line()
        body.doc(
          "`\(dword.name).\(field.name)`: \(bitsText(field))\(field.enumName.map { ", values of `\($0)`" } ?? "").",
          field.doc)
        body.line("public var \(SwiftNaming.identifier(field.name)): \(valueType(field))")
      }
      for dword in layoutDwords {
        body.line()
        emitLayoutEnum(dword, into: &body)
        body.doc(
          "`\(dword.name)`: one of its layouts, chosen by `\(dword.layouts.compactMap(\.selector).first ?? "")`.")
        body.line("public var \(SwiftNaming.identifier(dword.name)): \(layoutType(dword))")
      }
      body.line()
      emitInit(into: &body)
      body.line()
      emitEncode(tail: tail != nil, into: &body)
      body.line()
      emitDecode(into: &body)
    }
  }

  private func valueType(_ field: Field) -> String {
    FieldTyping.valueType(of: field, module: module)
  }

  private func bitsText(_ field: Field) -> String {
    field.bits.width == 1 ? "bit \(field.bits.lsb)" : "bits \(field.bits.msb):\(field.bits.lsb)"
  }

  private func layoutType(_ dword: PacketDword) -> String { SwiftNaming.identifier(dword.name) + "Layout" }

  private func defaultValue(_ field: Field) -> String {
    if field.enumName != nil { return ".init(rawValue: 0)" }
    return field.bits.width == 1 ? "false" : "0"
  }

  private func emitLayoutEnum(_ dword: PacketDword, into writer: inout SwiftWriter) {
    writer.doc("The layouts of `\(packet.name).\(dword.name)`.")
    writer.block("public enum \(layoutType(dword)): Equatable, Sendable") { body in
      for layout in dword.layouts {
        let when =
          layout.selector.map { "when `\($0)` is \(layout.values.map(String.init).joined(separator: " or "))" }
          ?? "otherwise"
        body.doc("`\(layout.name)`, \(when).")
        let parameters = layout.fields.map { "\(SwiftNaming.identifier($0.name)): \(valueType($0))" }
        body.line(
          "case \(SwiftNaming.identifier(layout.name))\(parameters.isEmpty ? "" : "(\(parameters.joined(separator: ", ")))")"
        )
      }
    }
  }

  private func emitInit(into writer: inout SwiftWriter) {
    var parameters = fields.map {
      "\(SwiftNaming.identifier($0.field.name)): \(valueType($0.field)) = \(defaultValue($0.field))"
    }
    parameters += layoutDwords.map { "\(SwiftNaming.identifier($0.name)): \(layoutType($0))" }
    writer.doc("A packet with every field given; fields left out are 0.")
    writer.line("@inlinable")
    guard !parameters.isEmpty else {
      writer.line("public init() {}")
      return
    }
    writer.line("public init(")
    for (index, parameter) in parameters.enumerated() {
      writer.line("  \(parameter)\(index == parameters.count - 1 ? "" : ",")")
    }
    writer.block(")") { body in
      for (_, field) in fields {
        body.line("self.\(SwiftNaming.identifier(field.name)) = \(SwiftNaming.identifier(field.name))")
      }
      for dword in layoutDwords {
        body.line("self.\(SwiftNaming.identifier(dword.name)) = \(SwiftNaming.identifier(dword.name))")
      }
    }
  }

  private func emitEncode(tail: Bool, into writer: inout SwiftWriter) {
    let fixed = packet.dwords.count
    writer.doc(
      "Writes the header and body\(tail ? " and the payload" : "") to `sink`, all or nothing. A value wider than its "
        + "field, or a layout its selector does not choose, is an error: nothing is truncated.")
    // Always inlined, like the C macros it replaces: field values known at the call site then
    // fold into the checks and the shifts (Benchmarks/pm4-encode measures it).
    writer.line("@inlinable @inline(__always)")
    if tail {
      writer.line("public func encode<Sink: PM4Sink, Payload: Collection<UInt32>>(")
      writer.line("  into sink: inout Sink, payload: Payload, shaderType: Bool = false, predicate: Bool = false")
    } else {
      writer.line("public func encode<Sink: PM4Sink>(")
      writer.line("  into sink: inout Sink, shaderType: Bool = false, predicate: Bool = false")
    }
    writer.block(") throws(PM4EncodingError)") { body in
      body.line("let bodyDwords = \(fixed)\(tail ? " + payload.count" : "")")
      if tail {
        body.line("guard bodyDwords <= PM4Header.maxBodyDwords(opcode: Self.opcode) else {")
        body.line("  throw .tooLong(packet: \"\(packet.name)\", bodyDwords: bodyDwords)")
        body.line("}")
      }
      var words: [String] = []
      for (index, dword) in packet.dwords.enumerated() {
        let variable = "d\(index + 1)"
        words.append(variable)
        if dword.layouts.isEmpty {
          body.line("\(dword.fields.isEmpty ? "let" : "var") \(variable): UInt32 = 0")
          for field in dword.fields { body.line("\(variable) |= \(fieldBits(field))") }
        } else {
          emitLayoutEncode(dword, variable: variable, into: &body)
        }
      }
      body.line("try sink.reserve(1 + bodyDwords)")
      body.line(
        "sink.put(PM4Header.type3(opcode: Self.opcode, bodyDwords: bodyDwords, shaderType: shaderType, predicate: predicate))"
      )
      for word in words { body.line("sink.put(\(word))") }
      if tail { body.line("for dword in payload { sink.put(dword) }") }
    }
  }

  /// `try Self.bits(FIELD, lsb, width, "FIELD")`.
  private func fieldBits(_ field: Field) -> String {
    "try Self.bits(\(SwiftNaming.identifier(field.name)), \(field.bits.lsb), \(field.bits.width), \"\(field.name)\")"
  }

  private func emitLayoutEncode(_ dword: PacketDword, variable: String, into writer: inout SwiftWriter) {
    guard let selector = dword.layouts.compactMap(\.selector).first else { return }
    let selectorBits = "\(SwiftNaming.identifier(selector)).fieldBits"
    let listed = dword.layouts.flatMap(\.values)
    writer.line("var \(variable): UInt32 = 0")
    writer.line("switch \(SwiftNaming.identifier(dword.name)) {")
    for layout in dword.layouts {
      let bindings = layout.fields.map { "let \(SwiftNaming.identifier($0.name))" }
      writer.line(
        "case .\(SwiftNaming.identifier(layout.name))\(bindings.isEmpty ? "" : "(\(bindings.joined(separator: ", ")))"):"
      )
      let values = layout.selector == nil ? listed : layout.values
      let test = values.map { "\(selectorBits) \(layout.selector == nil ? "!=" : "==") \($0)" }
        .joined(separator: layout.selector == nil ? " && " : " || ")
      writer.line("  guard \(test) else {")
      writer.line("    throw Self.layoutMismatch(\"\(dword.name)\", \"\(selector)\", \(selectorBits))")
      writer.line("  }")
      for field in layout.fields { writer.line("  \(variable) |= \(fieldBits(field))") }
    }
    writer.line("}")
  }

  private func emitDecode(into writer: inout SwiftWriter) {
    let fixed = packet.dwords.count
    let tail = (packet.tail != nil)
    writer.doc(
      "Decodes the body (the dwords after the header) of a packet whose header is at `index` in its stream"
        + "\(tail ? "; the payload after the fixed dwords is the caller's to read" : "").")
    writer.block("public init(decodingBody body: ArraySlice<UInt32>, at index: Int) throws(PM4DecodingError)") { body in
      body.block("guard body.count \(tail ? ">=" : "==") \(fixed) else") { guardBody in
        guardBody.line("throw .wrongLength(")
        guardBody.line(
          "  packet: \"\(packet.name)\", dwordIndex: index, bodyDwords: body.count, expected: \"\(tail ? "at least " : "")\(fixed)\")"
        )
      }
      for (position, dword) in packet.dwords.enumerated() {
        let word = "w\(position + 1)"
        let dwordIndex = "index + \(position + 1)"
        body.line("let \(word) = body[body.startIndex + \(position)]")
        if dword.layouts.isEmpty {
          emitFieldsDecode(dword.fields, dword: dword, word: word, dwordIndex: dwordIndex, into: &body) {
            "self.\(SwiftNaming.identifier($0.name))"
          }
          continue
        }
        let selector = dword.layouts.compactMap(\.selector).first!
        body.line("switch self.\(SwiftNaming.identifier(selector)).fieldBits {")
        for layout in dword.layouts where layout.selector != nil {
          body.line("case \(layout.values.map(String.init).joined(separator: ", ")):")
          emitLayoutDecode(layout, dword: dword, word: word, dwordIndex: dwordIndex, into: &body)
        }
        body.line("default:")
        if let defaultLayout = dword.layouts.first(where: { $0.selector == nil }) {
          emitLayoutDecode(defaultLayout, dword: dword, word: word, dwordIndex: dwordIndex, into: &body)
        } else {
          body.line(
            "  throw Self.reservedValue(\"\(selector)\", self.\(SwiftNaming.identifier(selector)).fieldBits, at: index + 1)"
          )
        }
        body.line("}")
      }
    }
  }

  private func emitLayoutDecode(
    _ layout: PacketLayout, dword: PacketDword, word: String, dwordIndex: String, into writer: inout SwiftWriter
  ) {
    var lines = SwiftWriter()
    emitFieldsDecode(layout.fields, dword: dword, word: word, dwordIndex: dwordIndex, into: &lines) {
      "let \(SwiftNaming.identifier($0.name))"
    }
    for line in lines.text.split(separator: "\n") { writer.line("  " + line) }
    let arguments = layout.fields.map { "\(SwiftNaming.identifier($0.name)): \(SwiftNaming.identifier($0.name))" }
    writer.line(
      "  self.\(SwiftNaming.identifier(dword.name)) = .\(SwiftNaming.identifier(layout.name))"
        + "\(arguments.isEmpty ? "" : "(\(arguments.joined(separator: ", ")))")")
  }

  /// Reads each field of a dword, rejecting set bits outside every field and enum values the spec
  /// does not define.
  private func emitFieldsDecode(
    _ fields: [Field], dword: PacketDword, word: String, dwordIndex: String, into writer: inout SwiftWriter,
    target: (Field) -> String
  ) {
    let covered = UInt32(truncatingIfNeeded: fields.reduce(UInt64(0)) { $0 | $1.bits.mask })
    if covered != 0xFFFF_FFFF {
      writer.line("try Self.checkReserved(\(word), fields: \(Hex.word(covered)), \"\(dword.name)\", at: \(dwordIndex))")
    }
    for field in fields {
      let bits = "Self.field(\(word), \(field.bits.lsb), \(field.bits.width))"
      if let enumType = field.enumName.flatMap({ enums[$0] }),
        Set(enumType.values.map(\.value)).count < 1 << field.bits.width
      {
        let known = Set(enumType.values.map(\.value)).sorted().map(String.init).joined(separator: ", ")
        writer.line("switch \(bits) {")
        writer.line("case \(known): break")
        writer.line("case let value: throw Self.reservedValue(\"\(field.name)\", value, at: \(dwordIndex))")
        writer.line("}")
      }
      writer.line("\(target(field)) = \(valueType(field))(fieldBits: \(bits))")
    }
  }
}
