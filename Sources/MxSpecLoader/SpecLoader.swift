import Foundation
import MxSpecModel

/// Reads specs from a folder (every `.xml` file below it, in path order) or from one file,
/// following `<include href>` elements. Includes are resolved relative to the including file,
/// must stay inside the specs folder (after resolving symbolic links) and must not form a cycle;
/// a file reached twice is read once.
public struct SpecLoader: Sendable {
  public var limits: LoaderLimits

  public init(limits: LoaderLimits = .default) {
    self.limits = limits
  }

  public struct Result: Sendable {
    public var spec: Spec
    public var diagnostics: Diagnostics
    /// Display paths of every file read, in reading order.
    public var files: [String]
    /// The folder the display paths start with: the specs folder as given, or a lone file's.
    public var folder: String
  }

  public func load(from path: String) -> Result {
    libxml2Lock.withLock { _ in
      _ = libxml2Initialized  // xmlInitParser, once per process, before any parallel parse
      var session = LoadSession(limits: limits, givenPath: path)
      session.run()
      // Overlays change the registers they name wherever in the load those are defined.
      session.diagnostics.append(contentsOf: session.spec.applyOverlays())
      return Result(
        spec: session.spec, diagnostics: session.diagnostics, files: session.files, folder: session.displayRoot)
    }
  }
}

/// One load: the state shared by all files it reads.
private struct LoadSession {
  let limits: LoaderLimits
  let givenPath: String
  var root = ""
  var displayRoot = ""
  var spec = Spec()
  var diagnostics = Diagnostics()
  var files: [String] = []
  var loaded = Set<String>()

  init(limits: LoaderLimits, givenPath: String) {
    self.limits = limits
    self.givenPath = givenPath
  }

  mutating func run() {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: givenPath, isDirectory: &isDirectory),
      let canonical = Self.canonicalPath(givenPath)
    else {
      diagnostics.error("no such specs file or folder '\(givenPath)'", at: nil)
      return
    }
    guard RelaxNGValidator() != nil else {
      diagnostics.error("internal error: the built-in spec schema does not compile", at: nil)
      return
    }
    var entries: [String]
    if isDirectory.boolValue {
      root = canonical
      displayRoot = givenPath.hasSuffix("/") ? String(givenPath.dropLast()) : givenPath
      entries = Self.xmlFiles(under: canonical)
      if entries.isEmpty {
        diagnostics.error("no .xml spec files in '\(givenPath)'", at: nil)
      }
    } else {
      root = (canonical as NSString).deletingLastPathComponent
      let given = (givenPath as NSString).deletingLastPathComponent
      displayRoot = given.isEmpty ? "." : given
      entries = [canonical]
    }
    // The listed files are independent: read them on every core first (each worker with its own
    // compiled schema, so no libxml2 object is shared between threads), then take them in path
    // order, following includes as they come. Only as many as the file limit allows are read
    // ahead; `load` reports the rest.
    let limits = limits
    let readAhead = entries.prefix(limits.maxFiles).map { ($0, display($0)) }.concurrentMap { file, shown in
      FileContents.read(file, shown: shown, limits: limits)
    }
    for (index, file) in entries.enumerated() {
      load(file, stack: [], includedFrom: nil, contents: index < readAhead.count ? readAhead[index] : nil)
    }
  }

  private func display(_ canonical: String) -> String {
    let relative = canonical.hasPrefix(root + "/") ? String(canonical.dropFirst(root.count + 1)) : canonical
    return displayRoot == "." ? relative : displayRoot + "/" + relative
  }

  private mutating func load(
    _ file: String, stack: [String], includedFrom: SourceLocation?, contents: FileContents? = nil
  ) {
    if let start = stack.firstIndex(of: file) {
      let cycle = (stack[start...] + [file]).map { display($0) }.joined(separator: " -> ")
      diagnostics.error("include cycle: \(cycle)", at: includedFrom)
      return
    }
    guard loaded.insert(file).inserted else { return }
    let shown = display(file)
    guard files.count < limits.maxFiles else {
      diagnostics.error(
        "more than \(limits.maxFiles) spec files", at: includedFrom ?? SourceLocation(file: shown, line: 1, column: 1))
      return
    }
    files.append(shown)
    let contents = contents ?? FileContents.read(file, shown: shown, limits: limits)
    if contents.unreadable, let includedFrom {
      diagnostics.error("cannot read '\(shown)'", at: includedFrom)
    } else {
      diagnostics.append(contentsOf: contents.diagnostics)
    }
    guard let reader = contents.reader else { return }
    spec.merge(reader.spec)

    let directory = (file as NSString).deletingLastPathComponent
    for include in reader.includes {
      guard let target = resolve(include, from: directory) else { continue }
      load(target, stack: stack + [file], includedFrom: include.location)
    }
  }

  /// The canonical path of an include, or nil after reporting why it cannot be followed.
  private mutating func resolve(_ include: SpecFileReader.Include, from directory: String) -> String? {
    let href = include.href
    guard !href.isEmpty, !href.hasPrefix("/"), !href.contains("://") else {
      diagnostics.error(
        "include '\(href)' must be a relative path inside the specs folder", at: include.location)
      return nil
    }
    let joined = (directory as NSString).appendingPathComponent(href)
    guard let target = Self.canonicalPath(joined) else {
      let standardized = (joined as NSString).standardizingPath
      if standardized != root && !standardized.hasPrefix(root + "/") {
        diagnostics.error("include '\(href)' escapes the specs folder", at: include.location)
      } else {
        diagnostics.error("included file '\(href)' does not exist", at: include.location)
      }
      return nil
    }
    guard target.hasPrefix(root + "/") else {
      diagnostics.error("include '\(href)' escapes the specs folder", at: include.location)
      return nil
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), !isDirectory.boolValue else {
      diagnostics.error("include '\(href)' names a folder, not a file", at: include.location)
      return nil
    }
    return target
  }

  /// The path with every symbolic link and `..` resolved, or nil if it does not exist.
  static func canonicalPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  /// Every `.xml` file below `folder`, hidden entries skipped, sorted by path.
  static func xmlFiles(under folder: String) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
    var result: [String] = []
    while let relative = enumerator.nextObject() as? String {
      if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
      // A link that leads out of the folder is not followed.
      if relative.hasSuffix(".xml"), let path = canonicalPath(folder + "/" + relative), path.hasPrefix(folder + "/") {
        result.append(path)
      }
    }
    return result.sorted()
  }
}

/// One spec file read, parsed, checked against the schema and translated: everything about it
/// that does not depend on the other files of the load.
private struct FileContents: Sendable {
  var diagnostics = Diagnostics()
  /// What the file says; nil when it could not be read, parsed or validated.
  var reader: SpecFileReader?
  /// The file could not be opened (reported at the include that named it, if any).
  var unreadable = false

  static func read(_ file: String, shown: String, limits: LoaderLimits) -> FileContents {
    var result = FileContents()
    let start = SourceLocation(file: shown, line: 1, column: 1)
    guard let handle = FileHandle(forReadingAtPath: file) else {
      result.unreadable = true
      result.diagnostics.error("cannot read '\(shown)'", at: start)
      return result
    }
    defer { try? handle.close() }
    let size = (try? handle.seekToEnd()).map(Int.init) ?? 0
    guard size <= limits.maxFileBytes else {
      result.diagnostics.error("file is \(size) bytes; the limit is \(limits.maxFileBytes)", at: start)
      return result
    }
    try? handle.seek(toOffset: 0)
    let bytes = [UInt8](handle.readDataToEndOfFile())
    guard !bytes.isEmpty else {
      result.diagnostics.error("empty file: expected a <spec> document", at: start)
      return result
    }
    guard
      let validator = RelaxNGValidator(),
      let document = XMLDocument.parse(
        bytes: bytes, displayPath: shown, limits: limits, diagnostics: &result.diagnostics),
      let rootElement = document.root,
      validator.validate(document, diagnostics: &result.diagnostics)
    else { return result }
    var reader = SpecFileReader()
    reader.read(rootElement)
    result.diagnostics.append(contentsOf: reader.diagnostics)
    result.reader = reader
    return result
  }
}
