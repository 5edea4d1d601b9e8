import CLibXML2
import MxSpecModel

/// A parsed spec file. Owns the libxml2 tree; only used while `libxml2Lock` is held.
final class XMLDocument {
  let pointer: xmlDocPtr
  let displayPath: String
  let source: SourceText

  private init(pointer: xmlDocPtr, displayPath: String, source: SourceText) {
    self.pointer = pointer
    self.displayPath = displayPath
    self.source = source
  }

  deinit { xmlFreeDoc(pointer) }

  var root: XMLElement? {
    xmlDocGetRootElement(pointer).map { XMLElement(node: $0, document: self) }
  }

  /// Parses `bytes` safely (see `safeParseOptions`). Documents that declare a DOCTYPE are
  /// refused outright: specs need no DTD, and without one no entity can be defined.
  static func parse(bytes: [UInt8], displayPath: String, limits: LoaderLimits, diagnostics: inout Diagnostics)
    -> XMLDocument?
  {
    let source = SourceText(bytes: bytes)
    guard !bytes.isEmpty else {
      diagnostics.error(
        "empty file: expected a <spec> document", at: SourceLocation(file: displayPath, line: 1, column: 1))
      return nil
    }
    if let doctype = Self.doctypeInProlog(bytes) {
      diagnostics.error(
        "DOCTYPE declarations are not allowed in specs (no DTDs, no entities)",
        at: SourceLocation(file: displayPath, line: doctype.line, column: doctype.column))
      return nil
    }
    let sink = XMLErrorSink(displayPath: displayPath, source: nil)
    // xmlReadMemory copies the bytes into its own input buffer and the URL into the document,
    // so neither pointer is kept past the call.
    let parsed = sink.collecting { context in
      xmlSetStructuredErrorFunc(context, collectXMLError)
      defer { xmlSetStructuredErrorFunc(nil, nil) }
      return bytes.withUnsafeBufferPointer { buffer in
        buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
          xmlReadMemory($0, Int32(buffer.count), displayPath, nil, safeParseOptions)
        }
      }
    }
    diagnostics.append(contentsOf: sink.diagnostics)
    guard let parsed else {
      if !sink.diagnostics.hasErrors {
        diagnostics.error("not a well-formed XML document", at: SourceLocation(file: displayPath, line: 1, column: 1))
      }
      return nil
    }
    let document = XMLDocument(pointer: parsed, displayPath: displayPath, source: source)
    if sink.diagnostics.hasErrors { return nil }
    if parsed.pointee.intSubset != nil || parsed.pointee.extSubset != nil {
      diagnostics.error(
        "DOCTYPE declarations are not allowed in specs (no DTDs, no entities)",
        at: SourceLocation(file: displayPath, line: 1, column: 1))
      return nil
    }
    if let root = document.root, let tooDeep = root.firstElement(deeperThan: limits.maxDepth) {
      diagnostics.error(
        "elements nest deeper than \(limits.maxDepth) levels", at: tooDeep.location)
      return nil
    }
    return document
  }
}

extension XMLDocument {
  /// Where a `<!DOCTYPE` stands in the prolog (before the root element, past the XML
  /// declaration, processing instructions and comments), so that it is refused before libxml2
  /// reads any entity declaration.
  static func doctypeInProlog(_ bytes: [UInt8]) -> (line: Int, column: Int)? {
    var i = 0
    func starts(_ text: String) -> Bool {
      let needle = Array(text.utf8)
      return i + needle.count <= bytes.count && bytes[i..<(i + needle.count)].elementsEqual(needle)
    }
    func skip(past terminator: String) {
      let needle = Array(terminator.utf8)
      while i < bytes.count && !starts(terminator) { i += 1 }
      i = min(i + needle.count, bytes.count)
    }
    while i < bytes.count {
      switch bytes[i] {
      case 0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF: i += 1  // white space, UTF-8 byte-order mark
      case UInt8(ascii: "<") where starts("<?"): skip(past: "?>")
      case UInt8(ascii: "<") where starts("<!--"): skip(past: "-->")
      case UInt8(ascii: "<") where starts("<!DOCTYPE"):
        let before = bytes[..<i]
        let line = before.filter { $0 == 0x0A }.count + 1
        let column = i - (before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0) + 1
        return (line, column)
      default: return nil
      }
    }
    return nil
  }
}

/// A read-only view of one element of an `XMLDocument`.
struct XMLElement {
  let node: xmlNodePtr
  let document: XMLDocument

  var name: String { String(cString: node.pointee.name) }

  var location: SourceLocation {
    let found = document.source.locateElement(node.pointee.name, endingOnLine: Int(xmlGetLineNo(node)))
    return SourceLocation(file: document.displayPath, line: found.line, column: found.column)
  }

  func location(ofAttribute attribute: String) -> SourceLocation {
    let element = document.source.locateElement(node.pointee.name, endingOnLine: Int(xmlGetLineNo(node)))
    let found = document.source.locateAttribute(attribute, of: element)
    return SourceLocation(file: document.displayPath, line: found.line, column: found.column)
  }

  var children: [XMLElement] {
    var result: [XMLElement] = []
    var child = node.pointee.children
    while let current = child {
      if current.pointee.type == XML_ELEMENT_NODE {
        result.append(XMLElement(node: current, document: document))
      }
      child = current.pointee.next
    }
    return result
  }

  func children(named name: String) -> [XMLElement] {
    var result: [XMLElement] = []
    var child = node.pointee.children
    while let current = child {
      if current.pointee.type == XML_ELEMENT_NODE && Self.name(current.pointee.name, is: name) {
        result.append(XMLElement(node: current, document: document))
      }
      child = current.pointee.next
    }
    return result
  }

  /// The attribute's value, or nil when absent.
  subscript(attribute: String) -> String? {
    var property = node.pointee.properties
    while let current = property {
      if Self.name(current.pointee.name, is: attribute) {
        return Self.text(of: current.pointee.children)
      }
      property = current.pointee.next
    }
    return nil
  }

  /// Whether libxml2's NUL-terminated `name` is `expected`, without making a `String` of it.
  private static func name(_ name: UnsafePointer<xmlChar>?, is expected: String) -> Bool {
    guard let name else { return false }
    var index = 0
    for byte in expected.utf8 {
      if name[index] != byte { return false }
      index += 1
    }
    return name[index] == 0
  }

  /// Concatenated text content of the element's direct text children.
  var text: String { Self.text(of: node.pointee.children) }

  /// Text of the `<doc>` child, trimmed, or nil.
  var doc: String? {
    guard let element = children(named: "doc").first else { return nil }
    let trimmed = element.text.trimmingWhitespace
    return trimmed.isEmpty ? nil : trimmed
  }

  func firstElement(deeperThan limit: Int, depth: Int = 1) -> XMLElement? {
    if depth > limit { return self }
    var child = node.pointee.children
    while let current = child {
      if current.pointee.type == XML_ELEMENT_NODE,
        let found = XMLElement(node: current, document: document).firstElement(deeperThan: limit, depth: depth + 1)
      {
        return found
      }
      child = current.pointee.next
    }
    return nil
  }

  private static func text(of first: xmlNodePtr?) -> String {
    var result = ""
    var child = first
    while let current = child {
      if current.pointee.type == XML_TEXT_NODE || current.pointee.type == XML_CDATA_SECTION_NODE,
        let content = current.pointee.content
      {
        result += String(cString: content)
      }
      child = current.pointee.next
    }
    return result
  }
}

extension String {
  var trimmingWhitespace: String {
    var s = Substring(self)
    while s.first?.isWhitespace == true { s.removeFirst() }
    while s.last?.isWhitespace == true { s.removeLast() }
    return String(s)
  }
}
