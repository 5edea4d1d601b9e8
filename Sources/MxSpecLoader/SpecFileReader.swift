import MxSpecModel

/// Translates one schema-valid document into the spec model. Value formats (numbers, bit
/// ranges, versions) are checked here, each error located at its attribute.
struct SpecFileReader {
  struct Include {
    var href: String
    var location: SourceLocation
  }

  private(set) var spec = Spec()
  private(set) var includes: [Include] = []
  private(set) var diagnostics = Diagnostics()

  mutating func read(_ root: XMLElement) {
    for element in root.children {
      switch element.name {
      case "include":
        includes.append(Include(href: element["href"] ?? "", location: element.location(ofAttribute: "href")))
      case "block": spec.blocks.append(block(element))
      case "chip": spec.chips.append(chip(element))
      case "packets": spec.packetSets.append(packetSet(element))
      case "mailbox": spec.mailboxes.append(mailbox(element))
      case "interrupts": spec.interruptSources.append(interruptSources(element))
      case "opcodes": spec.opcodeNames.append(opcodeNames(element))
      case "clear-state": spec.clearStates.append(clearState(element))
      case "structure": spec.structures.append(structure(element))
      case "addresses": spec.addressPairs += addressPairs(element)
      case "overlay": spec.overlays.append(overlay(element))
      default: break  // the schema admits nothing else
      }
    }
  }

  // MARK: Blocks and registers

  private mutating func block(_ element: XMLElement) -> Block {
    let version = element["version"] ?? ""
    if !Self.isVersion(version) {
      diagnostics.error(
        "invalid block version '\(version)': expected numbers separated by dots, like 5.0",
        at: element.location(ofAttribute: "version"))
    }
    return Block(
      name: element["name"] ?? "", version: version, doc: element.doc,
      spaces: element.children(named: "space").map {
        AddressSpace(
          name: $0["name"] ?? "", indexRegister: $0["index"], dataRegister: $0["data"], doc: $0.doc,
          location: $0.location)
      },
      enums: element.children(named: "enum").map { enumType($0) },
      registers: element.children(named: "register").compactMap { register($0) },
      location: element.location)
  }

  private mutating func register(_ element: XMLElement) -> Register? {
    let fields = fields(of: element)
    return clean {
      Register(
        name: element["name"] ?? "",
        offset: $0.number(element, "offset", bits: 32) ?? 0,
        space: element["space"] ?? AddressSpace.mmioName,
        access: element["access"].flatMap(Access.init(rawValue:)) ?? .unknown,
        resetValue: element["reset"] == nil ? nil : $0.number(element, "reset", bits: 32) ?? 0,
        aliasOf: element["alias-of"],
        doc: element.doc,
        fields: fields,
        location: element.location)
    }
  }

  private mutating func fields(of element: XMLElement) -> [Field] {
    element.children(named: "field").compactMap { child in
      clean {
        Field(
          name: child["name"] ?? "",
          bits: $0.bitRange(child) ?? BitRange(lsb: 0, msb: 0),
          access: child["access"].flatMap(Access.init(rawValue:)),
          enumName: child["enum"],
          doc: child.doc,
          location: child.location)
      }
    }
  }

  private mutating func enumType(_ element: XMLElement) -> EnumType {
    EnumType(
      name: element["name"] ?? "",
      values: element.children(named: "value").compactMap { child in
        clean {
          EnumType.Value(
            name: child["name"] ?? "", value: UInt64($0.number(child, "value", bits: 64) ?? 0),
            doc: child.doc, location: child.location)
        }
      },
      doc: element.doc, location: element.location)
  }

  // MARK: Overlays

  private mutating func overlay(_ element: XMLElement) -> Overlay {
    Overlay(
      block: element["block"] ?? "", doc: element.doc,
      registers: element.children(named: "register").compactMap { child in
        clean {
          for cited in [child] + child.children(named: "field")
          where cited["source"]?.trimmingWhitespace.isEmpty == true {
            $0.diagnostics.error("an overlay's source must cite something", at: cited.location(ofAttribute: "source"))
          }
          return Overlay.RegisterChange(
            name: child["name"] ?? "", access: child["access"].flatMap(Access.init(rawValue:)),
            resetValue: $0.number(child, "reset", bits: 32), source: child["source"] ?? "",
            fields: child.children(named: "field").map { field in
              Overlay.FieldChange(
                name: field["name"] ?? "", access: field["access"].flatMap(Access.init(rawValue:)) ?? .unknown,
                source: field["source"], location: field.location)
            },
            location: child.location)
        }
      },
      location: element.location(ofAttribute: "block"))
  }

  // MARK: Chips

  private mutating func chip(_ element: XMLElement) -> Chip {
    Chip(
      name: element["name"] ?? "", family: element["family"], doc: element.doc,
      uses: element.children(named: "use").map {
        Chip.BlockUse(block: $0["block"] ?? "", version: $0["version"] ?? "", location: $0.location)
      },
      pciIDs: element.children(named: "pci").compactMap { child in
        clean {
          Chip.PCIID(
            vendor: UInt16($0.number(child, "vendor", bits: 16) ?? 0),
            device: UInt16($0.number(child, "device", bits: 16) ?? 0),
            function: child["function"].flatMap(Chip.FunctionKind.init(rawValue:)) ?? .unknown,
            doc: child.doc, location: child.location)
        }
      },
      goldenSequences: element.children(named: "golden").map { golden in
        Chip.GoldenSequence(
          name: golden["name"] ?? "", doc: golden.doc,
          writes: golden.children(named: "write").compactMap { child in
            clean {
              Chip.GoldenWrite(
                register: child["register"] ?? "", andMask: $0.number(child, "and", bits: 32) ?? 0,
                orMask: $0.number(child, "or", bits: 32) ?? 0, location: child.location)
            }
          },
          location: golden.location)
      },
      location: element.location)
  }

  // MARK: Packets

  private mutating func packetSet(_ element: XMLElement) -> PacketSet {
    PacketSet(
      name: element["name"] ?? "", doc: element.doc,
      enums: element.children(named: "enum").map { enumType($0) },
      packets: element.children(named: "packet").compactMap { child in clean { $0.packet(child) } },
      location: element.location)
  }

  private mutating func packet(_ element: XMLElement) -> Packet {
    var body: [PacketItem] = []
    for child in element.children {
      switch child.name {
      case "dword": body.append(.dword(dword(child)))
      case "repeat":
        body.append(
          .repeated(
            PacketRepeat(
              name: child["name"] ?? "",
              minimum: child["min"] == nil ? 1 : Int(number(child, "min", bits: 16) ?? 1),
              maximum: child["max"] == nil ? nil : Int(number(child, "max", bits: 16) ?? 0),
              dwords: child.children(named: "dword").map { dword($0) },
              location: child.location)))
      case "tail":
        body.append(.tail(PacketTail(name: child["name"] ?? "", doc: child.doc, location: child.location)))
      default: break
      }
    }
    return Packet(
      name: element["name"] ?? "", type: Int(element["type"] ?? "3") ?? 3,
      opcode: element["opcode"] == nil ? nil : number(element, "opcode", bits: 8).map { UInt8($0) },
      doc: element.doc, body: body, location: element.location)
  }

  private mutating func dword(_ element: XMLElement) -> PacketDword {
    PacketDword(
      name: element["name"] ?? "", doc: element.doc,
      fields: fields(of: element),
      layouts: element.children(named: "layout").map { layout in
        PacketLayout(
          name: layout["name"] ?? "", selector: layout["when"],
          values: layout["equals"].map { numberList(layout, "equals", text: $0) } ?? [],
          fields: fields(of: layout),
          location: layout.location)
      },
      location: element.location)
  }

  // MARK: Mailboxes and structures

  private mutating func mailbox(_ element: XMLElement) -> Mailbox {
    Mailbox(
      name: element["name"] ?? "", doc: element.doc,
      messages: element.children(named: "message").compactMap { message in
        clean { reader in reader.message(message) }
      },
      location: element.location)
  }

  private mutating func message(_ message: XMLElement) -> Message {
    Message(
      name: message["name"] ?? "", id: number(message, "id", bits: 32) ?? 0,
      direction: message["direction"].flatMap(Message.Direction.init(rawValue:)) ?? .request,
      reply: message["reply"],
      timeoutMilliseconds: message["timeout-ms"] == nil
        ? nil : number(message, "timeout-ms", bits: 31).map(Int.init),
      pollMilliseconds: message["poll-ms"] == nil ? nil : number(message, "poll-ms", bits: 31).map(Int.init),
      hostSetsValid: message["host-sets-valid"] != "false",
      payload: message.children(named: "payload").map {
        Message.PayloadDword(
          name: $0["name"] ?? "", index: Int(number($0, "dword", bits: 16) ?? 0), doc: $0.doc,
          location: $0.location)
      },
      doc: message.doc, location: message.location)
  }

  private mutating func interruptSources(_ element: XMLElement) -> InterruptSourceSet {
    InterruptSourceSet(
      name: element["name"] ?? "", doc: element.doc,
      sources: element.children(named: "source").compactMap { source in
        clean {
          InterruptSource(
            name: source["name"] ?? "", header: source["header"] ?? "", id: $0.number(source, "id", bits: 8) ?? 0,
            extendedID: source["extended-id"] == nil ? nil : $0.number(source, "extended-id", bits: 28),
            doc: source.doc, location: source.location)
        }
      },
      location: element.location)
  }

  private mutating func opcodeNames(_ element: XMLElement) -> OpcodeNames {
    OpcodeNames(
      packetSet: element["packets"] ?? "", doc: element.doc,
      opcodes: element.children(named: "opcode").compactMap { opcode in
        clean {
          OpcodeNames.Opcode(
            name: opcode["name"] ?? "", value: UInt8($0.number(opcode, "value", bits: 8) ?? 0),
            location: opcode.location)
        }
      },
      location: element.location)
  }

  private mutating func clearState(_ element: XMLElement) -> ClearState {
    ClearState(
      name: element["name"] ?? "", registerBlock: element["registers"] ?? "", doc: element.doc,
      extents: element.children(named: "extent").map { extent in
        ClearStateExtent(
          header: extent["header"] ?? "", start: number(extent, "start", bits: 16) ?? 0,
          values: extent.children.map { dword in
            ClearStateValue(
              register: dword["register"], value: dword.name == "hole" ? 0 : number(dword, "value", bits: 32) ?? 0,
              location: dword.location)
          },
          location: extent.location)
      },
      location: element.location)
  }

  private mutating func structure(_ element: XMLElement) -> Structure {
    Structure(
      name: element["name"] ?? "", sizeInDwords: Int(number(element, "dwords", bits: 20) ?? 0),
      registerBlock: element["registers"], doc: element.doc,
      members: element.children(named: "member").compactMap { child in
        clean {
          Structure.Member(
            name: child["name"] ?? "", dword: Int($0.number(child, "dword", bits: 20) ?? 0),
            count: child["count"] == nil ? 1 : Int($0.number(child, "count", bits: 20) ?? 1),
            register: child["register"], type: child["type"], doc: child.doc, location: child.location)
        }
      },
      location: element.location)
  }

  private mutating func addressPairs(_ element: XMLElement) -> [AddressPair] {
    let structure = element["structure"] ?? ""
    return element.children(named: "address").compactMap { child in
      clean {
        AddressPair(
          structure: structure, name: child["name"] ?? "", lo: child["lo"] ?? "", hi: child["hi"] ?? "",
          shift: child["shift"] == nil ? 0 : Int($0.number(child, "shift", bits: 6) ?? 0),
          alignment: UInt64($0.number(child, "align", bits: 32) ?? 1),
          bits: Int($0.number(child, "bits", bits: 7) ?? 64), doc: child.doc ?? element.doc, location: child.location)
      }
    }
  }

  // MARK: Values

  /// Builds an entity, or nil if building it reported an error: an entity with a value that
  /// did not parse is left out rather than kept with a made-up value, so the semantic checks
  /// that still run afterwards do not report consequences of the same mistake.
  private mutating func clean<T>(_ build: (inout SpecFileReader) -> T) -> T? {
    let before = diagnostics.all.count
    let value = build(&self)
    return diagnostics.all.count == before ? value : nil
  }

  /// Parses a decimal or `0x` hexadecimal attribute that must fit in `bits` bits.
  private mutating func number(_ element: XMLElement, _ attribute: String, bits: Int) -> UInt32? {
    guard let text = element[attribute] else { return nil }
    guard let value = Self.parseNumber(text) else {
      diagnostics.error(
        "invalid number '\(text)' in attribute '\(attribute)': expected decimal or 0x-prefixed hexadecimal",
        at: element.location(ofAttribute: attribute))
      return nil
    }
    if bits < 64 && value >> UInt64(bits) != 0 {
      diagnostics.error(
        "value \(text) of attribute '\(attribute)' does not fit in \(bits) bits",
        at: element.location(ofAttribute: attribute))
      return nil
    }
    return UInt32(truncatingIfNeeded: value)
  }

  private mutating func numberList(_ element: XMLElement, _ attribute: String, text: String) -> [UInt64] {
    var values: [UInt64] = []
    for part in text.split(separator: ",") {
      let item = String(part).trimmingWhitespace
      guard let value = Self.parseNumber(item) else {
        diagnostics.error(
          "invalid number '\(item)' in attribute '\(attribute)': expected a comma-separated list of numbers",
          at: element.location(ofAttribute: attribute))
        continue
      }
      values.append(value)
    }
    return values
  }

  /// `bits="7:0"` (msb:lsb) or `bits="5"`.
  private mutating func bitRange(_ element: XMLElement) -> BitRange? {
    let text = element["bits"] ?? ""
    let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { UInt16($0).map(Int.init) }
    // Only an error needs the location; finding it is a scan of the source line.
    var location: SourceLocation { element.location(ofAttribute: "bits") }
    switch parts.count {
    case 1 where parts[0] != nil:
      return BitRange(lsb: parts[0]!, msb: parts[0]!)
    case 2 where parts[0] != nil && parts[1] != nil:
      let (msb, lsb) = (parts[0]!, parts[1]!)
      guard msb >= lsb else {
        diagnostics.error("bit range '\(text)' is reversed: write the high bit first (msb:lsb)", at: location)
        return nil
      }
      return BitRange(lsb: lsb, msb: msb)
    default:
      diagnostics.error("invalid bit range '\(text)': expected 'msb:lsb' or a single bit number", at: location)
      return nil
    }
  }

  static func parseNumber(_ text: String) -> UInt64? {
    if text.hasPrefix("0x") || text.hasPrefix("0X") {
      let digits = text.dropFirst(2)
      return digits.isEmpty ? nil : UInt64(digits, radix: 16)
    }
    return text.isEmpty ? nil : UInt64(text, radix: 10)
  }

  static func isVersion(_ text: String) -> Bool {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    return !parts.isEmpty && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
  }
}
