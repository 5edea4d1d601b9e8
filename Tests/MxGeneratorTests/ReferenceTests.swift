import Foundation
import MxGenerator
import MxSpecModel
import TestSupport
import XCTest

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// `gen doc --html`: every page parses, every link and anchor leads somewhere, and the pages say
/// what the spec says.
final class ReferenceTests: XCTestCase {
  /// Reads every page of a written reference: each must be well-formed (the pages are polyglot
  /// XHTML); returns the ids each page declares and the links it makes.
  private struct Crawl {
    var ids: [String: Set<String>] = [:]
    var links: [(page: String, target: String)] = []
    var files = Set<String>()
    var pages = 0

    init(_ root: String, parse: Bool) throws {
      let enumerator = FileManager.default.enumerator(atPath: root)
      while let relative = enumerator?.nextObject() as? String {
        files.insert(relative)
        guard relative.hasSuffix(".html") else { continue }
        pages += 1
        let data = try Data(contentsOf: URL(fileURLWithPath: root + "/" + relative))
        let text = String(decoding: data, as: UTF8.self)
        if parse {
          let parser = XMLParser(data: data)
          XCTAssertTrue(parser.parse(), "\(relative) is not well-formed: \(String(describing: parser.parserError))")
        }
        ids[relative] = Set(Self.values(of: "id", in: text))
        links += (Self.values(of: "href", in: text) + Self.values(of: "src", in: text)).map { (relative, $0) }
      }
    }

    /// The values of `attribute="…"` in `text`.
    static func values(of attribute: String, in text: String) -> [String] {
      text.components(separatedBy: " \(attribute)=\"").dropFirst().compactMap {
        $0.split(separator: "\"").first.map(String.init)
      }
    }

    /// `link`, relative to the folder of `page`, as a path from the root (`..` resolved).
    static func resolve(_ link: String, from page: String) -> String {
      var components = page.split(separator: "/").dropLast().map(String.init)
      for part in link.split(separator: "/") {
        if part == ".." { _ = components.popLast() } else if part != "." { components.append(String(part)) }
      }
      return components.joined(separator: "/")
    }

    /// Links that lead to no file, or to no element of that id.
    func broken() -> [String] {
      links.compactMap { page, target in
        guard !target.contains("://") else { return "\(page): external link \(target)" }
        let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let file = parts[0].isEmpty ? page : Self.resolve(parts[0], from: page)
        guard files.contains(file) else { return "\(page): \(target): no file" }
        if parts.count == 2, ids[file]?.contains(parts[1]) != true { return "\(page): \(target): no such anchor" }
        return nil
      }
    }
  }

  private func write(_ spec: Spec) throws -> (root: String, pages: [ReferenceSite.Page]) {
    let root = try Fixtures.temporaryFolder() + "/reference"
    let pages = ReferenceSite().pages(for: spec)
    try ReferenceFolder(path: root).write(pages)
    return (root, pages)
  }

  func testEveryPageOfTheGoldenSpecParsesAndEveryLinkLeadsSomewhere() throws {
    let (spec, _) = Generator().check(specsAt: Fixtures.golden + "/spec.xml")
    let (root, pages) = try write(spec)
    let crawl = try Crawl(root, parse: true)
    let registers = spec.blocks.flatMap(\.registers).count
    XCTAssertEqual(crawl.pages, registers + spec.blocks.count + 1, "a page per register and block, and the index")
    XCTAssertEqual(crawl.broken(), [])
    XCTAssertGreaterThan(crawl.links.count, registers * 3)
    XCTAssertEqual(pages.map(\.path), pages.map(\.path).sorted())
    XCTAssertEqual(pages, ReferenceSite().pages(for: spec), "deterministic")
  }

  func testARegisterPageDrawsItsFieldsAndSaysWhatIsUnknown() throws {
    let (spec, _) = Generator().check(specsAt: Fixtures.golden + "/spec.xml")
    let page = try XCTUnwrap(ReferenceSite().pages(for: spec).first { $0.path == "blocks/demo_1_2/INT_STATUS.html" })
    let svg = try XCTUnwrap(page.contents.components(separatedBy: "<svg").dropFirst().first)
    XCTAssertEqual(svg.components(separatedBy: "<g class=").count - 1, 6, "a box per field")
    XCTAssertTrue(svg.contains("<g class=\"w1c\"><title>DONE bit 0, w1c</title>"))
    XCTAssertTrue(svg.contains("<text x=\"365\" y=\"38\">WIDE</text>"), "a wide field is named in its box")
    XCTAssertTrue(page.contents.contains("access unknown · reset unknown"))
    XCTAssertTrue(
      page.contents.contains("<a href=\"index.html#enum-ENDIAN\">ENDIAN</a>: ENDIAN_NONE=0 · ENDIAN_8IN32=2"))
  }

  /// The whole built-in data: every link of every page checked; the sources overlays cite shown.
  func testTheBuiltInReferenceHasAPageForEverythingAndNoBrokenLink() throws {
    let (spec, _) = Fixtures.packageSpec
    let (root, pages) = try write(spec)
    let crawl = try Crawl(root, parse: false)
    let expected =
      spec.blocks.reduce(0) { $0 + $1.registers.count + 1 } + spec.packetSets.reduce(0) { $0 + $1.packets.count + 1 }
      + spec.mailboxes.count + spec.chips.count + 1
    XCTAssertEqual(crawl.pages, expected)
    XCTAssertEqual(crawl.broken().prefix(10), [])
    let control = try XCTUnwrap(pages.first { $0.path == "blocks/bif_5_0/MAILBOX_CONTROL.html" }).contents
    XCTAssertTrue(control.contains("ro <span class=\"source\">(the host acks: GIM gim_irqmgr.c mailbox_ack_receipt"))
    XCTAssertEqual(control.components(separatedBy: "class=\"source\"").count - 1, 4, "four fields, four sources")
    // A source every field shares is said once, in the summary.
    let active = try XCTUnwrap(pages.first { $0.path == "blocks/gfx_8_0/CP_HQD_ACTIVE.html" }).contents
    XCTAssertEqual(active.components(separatedBy: "gfx_v8_0_deactivate_hqd polls ACTIVE").count - 1, 1)
    XCTAssertTrue(active.contains("(byte 0xC91C) · rw <span class=\"source\">(Linux 6.1 amdgpu/gfx_v8_0.c"))
    let index = try XCTUnwrap(pages.first { $0.path == "search-index.js" }).contents
    XCTAssertTrue(index.contains("[\"MAILBOX_CONTROL\",\"bif_5_0\",\"blocks/bif_5_0/MAILBOX_CONTROL.html\",5328]"))
    XCTAssertTrue(index.contains("[\"MAP_QUEUES\",\"pm4_vi\",\"packets/pm4_vi/MAP_QUEUES.html\",-1]"))
  }

  func testGenDocReplacesOnlyAReferenceItWrote() throws {
    let folder = try Fixtures.temporaryFolder()
    let arguments = ["doc", "--specs", Fixtures.golden + "/spec.xml", "--html", folder + "/reference"]
    let first = try ExecutableRun("gen", arguments)
    XCTAssertEqual(first.status, 0, first.stderr)
    XCTAssertTrue(first.stderr.contains("note: wrote the reference to"), first.stderr)
    XCTAssertEqual(try ExecutableRun("gen", arguments).status, 0, "a reference it wrote is replaced")

    let mine = folder + "/mine"
    try FileManager.default.createDirectory(atPath: mine, withIntermediateDirectories: true)
    try Data("keep".utf8).write(to: URL(fileURLWithPath: mine + "/notes.txt"))
    let refused = try ExecutableRun("gen", ["doc", "--specs", Fixtures.golden + "/spec.xml", "--html", mine])
    XCTAssertEqual(refused.status, 1)
    XCTAssertTrue(refused.stderr.contains("is not a reference `gen doc` wrote"), refused.stderr)
    XCTAssertEqual(Fixtures.snapshot(mine).keys.sorted(), ["notes.txt"])
  }
}
