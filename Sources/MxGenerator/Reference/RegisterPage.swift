import MxSpecModel

/// One register's page: where it is, its access and reset with their sources, its bit layout
/// drawn, and a row per field with its access and its enum's values.
struct RegisterPage {
  let block: Block
  let register: Register
  /// The chips that use the block.
  let chips: [String]

  var html: String {
    let fields = register.fields.sorted { ($0.bits.msb, $0.name) > ($1.bits.msb, $1.name) }
    let sources = fields.map { $0.access == nil ? register.accessSource : $0.accessSource }
    // A source that holds for the whole register, or for every field alike, is said once, here.
    let summarySource = register.accessSource ?? (Set(sources).count == 1 ? sources.first ?? nil : nil)
    var body = "<h1>\(register.name)</h1>\n<p class=\"summary\">\(block.id) register · \(placement) · "
    body += cited(register.accessSummary, summarySource)
    body += " · \(register.resetValue.map { cited("reset \(Hex.word($0))", register.resetSource) } ?? "reset unknown")"
    body += "</p>\n"
    if let alias = register.aliasOf {
      body += "<p>Another name for <a href=\"\(alias).html\">\(alias)</a>, at the same offset.</p>\n"
    }
    let aliases = block.registers.filter { $0.aliasOf == register.name }.map(\.name).sorted()
    if !aliases.isEmpty {
      body += "<p>Also called " + aliases.map { "<a href=\"\($0).html\">\($0)</a>" }.joined(separator: ", ") + ".</p>\n"
    }
    body += HTML.doc(register.doc)
    body += BitDiagramSVG.render(fields.map { ($0, register.access(of: $0)) })
    let enums = Dictionary(block.enums.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    body += HTML.table(
      ["key", "bits", "field", "access", "values"],
      zip(fields, sources).enumerated().map { index, element in
        let (field, source) = element
        var values = ""
        if let name = field.enumName, let enumType = enums[name] {
          values = "<a href=\"index.html#enum-\(name)\">\(name)</a>: "
          values += enumType.values.map { "\(HTML.escape($0.name))=\($0.value)" }.joined(separator: " · ")
        }
        return [
          BitDiagramSVG.key(index), field.bits.description, "<span id=\"\(field.name)\">\(field.name)</span>",
          cited(register.access(of: field).summary, source == summarySource ? nil : source), values,
        ]
      })
    if !chips.isEmpty {
      body +=
        "<p>Chips: " + chips.map { "<a href=\"../../chips/\($0).html\">\(HTML.escape($0))</a>" }.joined(separator: ", ")
      body += "</p>\n"
    }
    return HTML.page(
      title: "\(register.name) (\(block.id))", root: "../../",
      breadcrumbs: [(block.id, "index.html"), (register.name, nil)], body: body)
  }

  private var placement: String {
    if register.space == AddressSpace.mmioName {
      return "MMIO dword \(Hex.literal(UInt64(register.offset))) (byte \(Hex.literal(UInt64(register.offset) * 4)))"
    }
    let space = block.spaces.first { $0.name == register.space }
    var text = "index \(Hex.literal(UInt64(register.offset))) of space \(HTML.escape(register.space))"
    if let index = space?.indexRegister, let data = space?.dataRegister {
      text += ", through <a href=\"\(index).html\">\(index)</a> / <a href=\"\(data).html\">\(data)</a>"
    }
    return text
  }

  private func cited(_ text: String, _ source: String?) -> String {
    HTML.escape(text) + (source.map { " <span class=\"source\">(\(HTML.escape($0)))</span>" } ?? "")
  }
}
