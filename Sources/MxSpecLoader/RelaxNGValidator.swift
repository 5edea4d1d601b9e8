import CLibXML2
import MxSpecModel

/// Validates documents against `SpecSchema.relaxNG`. The compiled schema is built once per load.
///
/// `xmlRelaxNGNewMemParserCtxt` keeps the pointer it is given and `xmlRelaxNGParse` reads it
/// later, so the schema text lives in memory this object owns, freed only after the compiled
/// schema (a Swift array's buffer from `withUnsafeBufferPointer` would be gone by then in an
/// optimised build).
final class RelaxNGValidator {
  private let schemaText: UnsafeMutableBufferPointer<CChar>
  private let schema: xmlRelaxNGPtr

  /// Compiles the built-in schema; fails only if the schema text itself is broken.
  init?() {
    let text = Self.copy(SpecSchema.relaxNG)
    guard let parser = xmlRelaxNGNewMemParserCtxt(text.baseAddress, Int32(text.count)) else {
      text.deallocate()
      return nil
    }
    let compiled = xmlRelaxNGParse(parser)
    xmlRelaxNGFreeParserCtxt(parser)
    guard let compiled else {
      text.deallocate()
      return nil
    }
    schemaText = text
    schema = compiled
  }

  deinit {
    xmlRelaxNGFree(schema)
    schemaText.deallocate()
  }

  /// The UTF-8 bytes of `string` in freshly allocated memory (not NUL-terminated: the length is
  /// passed alongside).
  private static func copy(_ string: String) -> UnsafeMutableBufferPointer<CChar> {
    let bytes = string.utf8
    let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: bytes.count)
    _ = buffer.initialize(from: bytes.lazy.map { CChar(bitPattern: $0) })
    return buffer
  }

  /// Reports every schema violation of `document`; returns whether it is valid.
  func validate(_ document: XMLDocument, diagnostics: inout Diagnostics) -> Bool {
    let sink = XMLErrorSink(displayPath: document.displayPath, source: document.source)
    let result = sink.collecting { sinkContext -> Int32 in
      guard let validation = xmlRelaxNGNewValidCtxt(schema) else { return -1 }
      defer { xmlRelaxNGFreeValidCtxt(validation) }
      xmlRelaxNGSetValidStructuredErrors(validation, collectXMLError, sinkContext)
      return xmlRelaxNGValidateDoc(validation, document.pointer)
    }
    diagnostics.append(contentsOf: sink.diagnostics)
    if result != 0 && !sink.diagnostics.hasErrors {
      diagnostics.error(
        "document does not match the spec schema",
        at: document.root?.location ?? SourceLocation(file: document.displayPath, line: 1, column: 1))
    }
    return result == 0
  }
}
