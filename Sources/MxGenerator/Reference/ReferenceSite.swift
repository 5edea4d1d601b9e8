import MxSpecModel

/// `gen doc --html`: a static, searchable reference of a whole spec — a page per register with
/// its bit layout drawn, its fields, enums, access and reset (with the sources overlays cite);
/// a page per block, packet, mailbox and chip; a search over every name and address that runs
/// in the browser from `file://`, without a server.
public struct ReferenceSite: Sendable {
  /// One file of the reference, by path relative to its root.
  public struct Page: Sendable, Equatable {
    public var path: String
    public var contents: String
  }

  public init() {}

  /// Every file of the reference for `spec`, sorted by path.
  public func pages(for spec: Spec) -> [Page] {
    let blocks = spec.blocks.sorted { $0.id < $1.id }
    let chipsOfBlock = Dictionary(
      grouping: spec.chips.flatMap { chip in blocks.used(by: chip).map { ($0.id, chip.name) } }
    ) {
      $0.0
    }.mapValues { $0.map(\.1).sorted() }
    let registerPages = blocks.flatMap { block in block.registers.map { (block, $0) } }.concurrentMap {
      block, register in
      Page(
        path: "blocks/\(block.id)/\(register.name).html",
        contents: RegisterPage(block: block, register: register, chips: chipsOfBlock[block.id] ?? []).html)
    }
    var pages = registerPages + blocks.map(blockPage)
    for set in spec.packetSets.sorted(by: { $0.name < $1.name }) {
      pages.append(packetSetPage(set))
      pages += set.packets.map { PacketPage(set: set, packet: $0).page }
    }
    pages += spec.mailboxes.sorted { $0.name < $1.name }.map(mailboxPage)
    pages += spec.chips.sorted { $0.name < $1.name }.map { chipPage($0, blocks: blocks) }
    pages.append(indexPage(spec, blocks: blocks))
    pages.append(Page(path: "search-index.js", contents: searchIndex(spec, blocks: blocks)))
    pages.append(Page(path: "search.js", contents: ReferenceAssets.search))
    pages.append(Page(path: "style.css", contents: ReferenceAssets.style))
    return pages.sorted { $0.path < $1.path }
  }

  // MARK: Index and search

  private func indexPage(_ spec: Spec, blocks: [Block]) -> Page {
    var body = "<h1>Register reference</h1>\n"
    body += "<p><input id=\"q\" type=\"search\" placeholder=\"name, glob part or address (0x3247, byte 0xC91C)\""
    body += " autofocus=\"autofocus\"/></p>\n<ol id=\"results\"></ol>\n"
    body += "<h2>Blocks</h2>\n"
    body += HTML.table(
      ["block", "registers", "fields", "enums"],
      blocks.map { block in
        [
          "<a href=\"blocks/\(block.id)/index.html\">\(block.id)</a>", "\(block.registers.count)",
          "\(block.registers.reduce(0) { $0 + $1.fields.count })", "\(block.enums.count)",
        ]
      })
    if !spec.chips.isEmpty {
      body += "<h2>Chips</h2>\n<ul>"
      body += spec.chips.sorted { $0.name < $1.name }.map {
        "<li><a href=\"chips/\($0.name).html\">\(HTML.escape($0.name))</a></li>"
      }.joined()
      body += "</ul>\n"
    }
    if !spec.packetSets.isEmpty || !spec.mailboxes.isEmpty {
      body += "<h2>Packets and messages</h2>\n<ul>"
      body += spec.packetSets.sorted { $0.name < $1.name }.map {
        "<li><a href=\"packets/\($0.name)/index.html\">PM4 packets \($0.name)</a> (\($0.packets.count))</li>"
      }.joined()
      body += spec.mailboxes.sorted { $0.name < $1.name }.map {
        "<li><a href=\"mailboxes/\($0.name).html\">mailbox \($0.name)</a> (\($0.messages.count) messages)</li>"
      }.joined()
      body += "</ul>\n"
    }
    body += "<script src=\"search-index.js\"></script><script src=\"search.js\"></script>\n"
    return Page(
      path: "index.html", contents: HTML.page(title: "Register reference", root: "", breadcrumbs: [], body: body))
  }

  /// `MX_INDEX`: `[name, where, path, dword offset or -1]` for everything a page is about.
  private func searchIndex(_ spec: Spec, blocks: [Block]) -> String {
    var entries: [String] = []
    func entry(_ name: String, _ place: String, _ path: String, _ offset: Int) {
      entries.append("[\"\(name)\",\"\(place)\",\"\(path)\",\(offset)]")
    }
    for block in blocks {
      for register in block.registers.sorted(by: { $0.name < $1.name }) {
        let offset = register.space == AddressSpace.mmioName ? Int(register.offset) : -1
        entry(register.name, block.id, "blocks/\(block.id)/\(register.name).html", offset)
      }
    }
    for set in spec.packetSets.sorted(by: { $0.name < $1.name }) {
      for packet in set.packets.sorted(by: { $0.name < $1.name }) {
        entry(packet.name, set.name, "packets/\(set.name)/\(packet.name).html", -1)
      }
    }
    for mailbox in spec.mailboxes.sorted(by: { $0.name < $1.name }) {
      for message in mailbox.messages.sorted(by: { $0.name < $1.name }) {
        entry(message.name, mailbox.name, "mailboxes/\(mailbox.name).html#\(message.name)", -1)
      }
    }
    for chip in spec.chips.sorted(by: { $0.name < $1.name }) { entry(chip.name, "chip", "chips/\(chip.name).html", -1) }
    return "var MX_INDEX = [\n" + entries.joined(separator: ",\n") + "\n];\n"
  }

  // MARK: Blocks

  private func blockPage(_ block: Block) -> Page {
    var body = "<h1>\(block.id)</h1>\n" + HTML.doc(block.doc)
    body += HTML.table(
      ["register", "space", "offset", "byte", "access", "reset", "fields"],
      block.registers.sorted { ($0.space, $0.offset, $0.name) < ($1.space, $1.offset, $1.name) }.map { register in
        let direct = register.space == AddressSpace.mmioName
        return [
          "<a href=\"\(register.name).html\">\(register.name)</a>", HTML.escape(register.space),
          Hex.literal(UInt64(register.offset)), direct ? Hex.literal(UInt64(register.offset) * 4) : "",
          register.accessSummary, register.resetValue.map { Hex.word($0) } ?? "unknown", "\(register.fields.count)",
        ]
      })
    if !block.enums.isEmpty {
      body += "<h2>Enums</h2>\n"
      for enumType in block.enums.sorted(by: { $0.name < $1.name }) {
        body += "<h3 id=\"enum-\(enumType.name)\">\(enumType.name)</h3>\n" + HTML.doc(enumType.doc)
        body += HTML.table(
          ["value", "name"], enumType.values.map { ["\($0.value)", HTML.escape($0.name)] })
      }
    }
    return Page(
      path: "blocks/\(block.id)/index.html",
      contents: HTML.page(title: block.id, root: "../../", breadcrumbs: [(block.id, nil)], body: body))
  }

  // MARK: Packets, mailboxes, chips

  private func packetSetPage(_ set: PacketSet) -> Page {
    var body = "<h1>PM4 packets \(set.name)</h1>\n" + HTML.doc(set.doc)
    body += HTML.table(
      ["packet", "type", "opcode", "body dwords"],
      set.packets.sorted { $0.name < $1.name }.map { packet in
        [
          "<a href=\"\(packet.name).html\">\(packet.name)</a>", "\(packet.type)",
          packet.opcode.map { Hex.literal(UInt64($0)) } ?? "",
          "\(packet.dwords.count)\(packet.tail == nil ? "" : " + tail")",
        ]
      })
    return Page(
      path: "packets/\(set.name)/index.html",
      contents: HTML.page(title: set.name, root: "../../", breadcrumbs: [(set.name, nil)], body: body))
  }

  private func mailboxPage(_ mailbox: Mailbox) -> Page {
    var body = "<h1>Mailbox \(mailbox.name)</h1>\n" + HTML.doc(mailbox.doc)
    for direction in [Message.Direction.request, .event] {
      body += "<h2>\(direction == .request ? "Requests (guest to host)" : "Events (host to guest)")</h2>\n"
      body += HTML.table(
        ["message", "id", "reply", "timeout", "poll", "host sets valid", "about"],
        mailbox.messages.filter { $0.direction == direction }.sorted { $0.id < $1.id }.map { message in
          [
            "<span id=\"\(message.name)\">\(message.name)</span>", "\(message.id)",
            message.reply.map { "<a href=\"#\($0)\">\($0)</a>" } ?? "",
            message.timeoutMilliseconds.map { "\($0) ms" } ?? "", message.pollMilliseconds.map { "\($0) ms" } ?? "",
            message.hostSetsValid ? "yes" : "no", HTML.escape(message.doc ?? ""),
          ]
        })
    }
    return Page(
      path: "mailboxes/\(mailbox.name).html",
      contents: HTML.page(title: mailbox.name, root: "../", breadcrumbs: [(mailbox.name, nil)], body: body))
  }

  private func chipPage(_ chip: Chip, blocks: [Block]) -> Page {
    let used = blocks.used(by: chip)
    var body = "<h1>\(HTML.escape(chip.name))\(chip.family.map { " (\(HTML.escape($0)))" } ?? "")</h1>\n"
    body += HTML.doc(chip.doc)
    body +=
      "<p>Blocks: " + used.map { "<a href=\"../blocks/\($0.id)/index.html\">\($0.id)</a>" }.joined(separator: ", ")
    body += "</p>\n<h2>PCI IDs</h2>\n"
    body += HTML.table(
      ["vendor", "device", "function"],
      chip.pciIDs.map {
        [
          Hex.literal(UInt64($0.vendor), minimumDigits: 4), Hex.literal(UInt64($0.device), minimumDigits: 4),
          $0.function.rawValue,
        ]
      })
    // A golden write names a direct register of one of the chip's blocks.
    var blockOfRegister: [String: Block] = [:]
    for block in used.reversed() {
      for register in block.registers where register.space == AddressSpace.mmioName {
        blockOfRegister[register.name] = block
      }
    }
    for sequence in chip.goldenSequences {
      body += "<h2 id=\"\(sequence.name)\">\(sequence.name)</h2>\n" + HTML.doc(sequence.doc)
      body += HTML.table(
        ["register", "offset", "and", "or"],
        sequence.writes.map { write in
          let block = blockOfRegister[write.register]
          let register = block?.registers.first { $0.name == write.register && $0.space == AddressSpace.mmioName }
          return [
            block.map { "<a href=\"../blocks/\($0.id)/\(write.register).html\">\(write.register)</a>" }
              ?? HTML.escape(write.register),
            register.map { Hex.literal(UInt64($0.offset)) } ?? "", Hex.word(write.andMask), Hex.word(write.orMask),
          ]
        })
    }
    return Page(
      path: "chips/\(chip.name).html",
      contents: HTML.page(title: chip.name, root: "../", breadcrumbs: [(chip.name, nil)], body: body))
  }
}
