import CLibXML2
import MxSpecModel

/// Validates documents against `SpecSchema.relaxNG`. The compiled schema is built once per load.
final class RelaxNGValidator {
  private let schema: xmlRelaxNGPtr

  /// Compiles the built-in schema; fails only if the schema text itself is broken.
  init?() {
    let text = Array(SpecSchema.relaxNG.utf8)
    let parser = text.withUnsafeBufferPointer { buffer in
      buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
        xmlRelaxNGNewMemParserCtxt($0, Int32(buffer.count))
      }
    }
    guard let parser else { return nil }
    defer { xmlRelaxNGFreeParserCtxt(parser) }
    guard let schema = xmlRelaxNGParse(parser) else { return nil }
    self.schema = schema
  }

  deinit { xmlRelaxNGFree(schema) }

  /// Reports every schema violation of `document`; returns whether it is valid.
  func validate(_ document: XMLDocument, diagnostics: inout Diagnostics) -> Bool {
    guard let context = xmlRelaxNGNewValidCtxt(schema) else { return false }
    defer { xmlRelaxNGFreeValidCtxt(context) }
    let sink = XMLErrorSink(displayPath: document.displayPath, source: document.source)
    xmlRelaxNGSetValidStructuredErrors(context, collectXMLError, sink.context)
    let result = xmlRelaxNGValidateDoc(context, document.pointer)
    diagnostics.append(contentsOf: sink.diagnostics)
    if result != 0 && !sink.diagnostics.hasErrors {
      diagnostics.error(
        "document does not match the spec schema",
        at: document.root?.location ?? SourceLocation(file: document.displayPath, line: 1, column: 1))
    }
    return result == 0
  }
}
