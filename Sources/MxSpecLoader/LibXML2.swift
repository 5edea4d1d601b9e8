import CLibXML2
import MxLock
import MxSpecModel

/// libxml2 keeps its error handler in (thread-local) global state; every use goes through this
/// lock so that concurrent loads in one process never see each other's errors.
let libxml2Lock = Lock<Void>(())

/// libxml2 must be initialised once, on one thread, before threads parse in parallel; its
/// error handlers are then per thread.
let libxml2Initialized: Void = xmlInitParser()

/// Parser options: no network, and — by leaving out NOENT, DTDLOAD, DTDVALID and HUGE — no
/// entity substitution, no external DTD or entity loading, and libxml2's own size and depth caps.
let safeParseOptions = Int32(XML_PARSE_NONET.rawValue)

/// Collects libxml2's structured errors as diagnostics.
final class XMLErrorSink {
  let displayPath: String
  let source: SourceText?
  var diagnostics = Diagnostics()

  init(displayPath: String, source: SourceText?) {
    self.displayPath = displayPath
    self.source = source
  }

  func record(_ error: xmlError) {
    var message = error.message.map { String(cString: $0) } ?? "unknown XML error"
    while message.last?.isWhitespace == true { message.removeLast() }
    var line = Int(error.line)
    var column = Int(error.int2)
    if let node = error.node?.assumingMemoryBound(to: xmlNode.self) {
      let nodeLine = Int(xmlGetLineNo(node))
      if nodeLine > 0 { line = nodeLine }
      if node.pointee.type == XML_ELEMENT_NODE, let source {
        let element = String(cString: node.pointee.name)
        let found = source.locateElement(element, endingOnLine: line)
        line = found.line
        column = found.column
      }
    }
    let location = SourceLocation(file: displayPath, line: max(line, 1), column: max(column, 1))
    if error.level == XML_ERR_WARNING {
      diagnostics.warning(message, at: location)
    } else {
      diagnostics.error(message, at: location)
    }
  }

  /// Runs `body` with `self` as libxml2's `void *` error context. The pointer is unretained, so
  /// `self` is kept alive until `body` returns; `body` must undo every registration of it (free
  /// the context it was given to, or reset the handler) before returning.
  func collecting<Result>(_ body: (UnsafeMutableRawPointer) -> Result) -> Result {
    withExtendedLifetime(self) { body(Unmanaged.passUnretained(self).toOpaque()) }
  }
}

/// libxml2 structured-error callback; `context` is an `XMLErrorSink`.
func collectXMLError(_ context: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {
  guard let context, let error else { return }
  Unmanaged<XMLErrorSink>.fromOpaque(context).takeUnretainedValue().record(error.pointee)
}
