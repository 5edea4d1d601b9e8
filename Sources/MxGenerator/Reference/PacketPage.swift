import MxSpecModel

/// One PM4 packet's page: its header, then each body dword (and each alternative layout of one)
/// drawn as a 32-bit layout with a table of its fields.
struct PacketPage {
  let set: PacketSet
  let packet: Packet

  var page: ReferenceSite.Page {
    var body = "<h1>\(packet.name)</h1>\n<p class=\"summary\">type-\(packet.type) packet"
    if let opcode = packet.opcode { body += " · opcode \(Hex.literal(UInt64(opcode)))" }
    body += " · \(packet.dwords.count) body dwords\(packet.tail == nil ? "" : " and a tail")</p>\n"
    body += HTML.doc(packet.doc)
    var ordinal = 2  // ORDINAL1 is the header
    for item in packet.body {
      switch item {
      case .dword(let dword):
        body += self.dword(dword, ordinal: ordinal)
        ordinal += 1
      case .repeated(let group):
        body += "<h2>Repeated: \(group.name) (\(group.minimum)…\(group.maximum.map(String.init) ?? "") times)</h2>\n"
        for dword in group.dwords {
          body += self.dword(dword, ordinal: ordinal)
          ordinal += 1
        }
      case .tail(let tail):
        body += "<h2>Tail: \(tail.name)</h2>\n" + HTML.doc(tail.doc)
      }
    }
    return ReferenceSite.Page(
      path: "packets/\(set.name)/\(packet.name).html",
      contents: HTML.page(
        title: "\(packet.name) (\(set.name))", root: "../../",
        breadcrumbs: [(set.name, "index.html"), (packet.name, nil)], body: body))
  }

  private func dword(_ dword: PacketDword, ordinal: Int) -> String {
    var out = "<h2 id=\"\(dword.name)\">ORDINAL\(ordinal): \(dword.name)</h2>\n" + HTML.doc(dword.doc)
    out += fields(dword.fields)
    for layout in dword.layouts {
      let when =
        layout.selector.map { selector in
          layout.values.isEmpty
            ? "otherwise" : "when \(selector) is " + layout.values.map(String.init).joined(separator: " or ")
        } ?? ""
      out += "<h3>\(layout.name) \(HTML.escape(when))</h3>\n" + fields(layout.fields)
    }
    return out
  }

  private func fields(_ fields: [Field]) -> String {
    guard !fields.isEmpty else { return "" }
    let enums = Dictionary(set.enums.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    let sorted = fields.sorted { ($0.bits.msb, $0.name) > ($1.bits.msb, $1.name) }
    return BitDiagramSVG.render(sorted.map { ($0, nil) })
      + HTML.table(
        ["key", "bits", "field", "values"],
        sorted.enumerated().map { index, field in
          [
            BitDiagramSVG.key(index), field.bits.description, HTML.escape(field.name),
            field.enumName.flatMap { enums[$0] }.map { enumType in
              "\(enumType.name): "
                + enumType.values.map { "\(HTML.escape($0.name))=\($0.value)" }.joined(separator: " · ")
            } ?? "",
          ]
        })
  }
}
