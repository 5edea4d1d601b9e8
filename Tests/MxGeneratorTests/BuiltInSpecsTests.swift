import Foundation
import MxBuiltInSpecs
import MxGenerator
import MxSpecLoader
import MxSpecModel
import MxSwiftEmitter
import XCTest

/// The specs compiled into the tools (`MxBuiltInSpecs`) and the loader's reading of texts held
/// in memory.
final class BuiltInSpecsTests: XCTestCase {
  /// The compiled literals hold Specs/ byte for byte: the raw-literal escaping loses nothing.
  func testTheBuiltInSpecsAreSpecsByteForByte() throws {
    let root = URL(fileURLWithPath: Fixtures.packageSpecs).deletingLastPathComponent().path
    var onDisk: [String] = []
    let enumerator = try XCTUnwrap(FileManager.default.enumerator(atPath: Fixtures.packageSpecs))
    while let path = enumerator.nextObject() as? String {
      if path.hasSuffix(".xml") { onDisk.append("Specs/" + path) }
    }
    XCTAssertEqual(BuiltInSpecs.files.map(\.path), onDisk.sorted())
    for file in BuiltInSpecs.files {
      let bytes = try XCTUnwrap(FileManager.default.contents(atPath: root + "/" + file.path))
      XCTAssertEqual(Array(file.contents.utf8), [UInt8](bytes), file.path)
    }
  }

  func testTheBuiltInSpecsLoadAsTheFolderDoes() {
    let fromDisk = SpecLoader().load(from: Fixtures.packageSpecs)
    let builtIn = SpecLoader().load(texts: Generator.builtInSpecs)
    XCTAssertFalse(builtIn.diagnostics.hasErrors, builtIn.diagnostics.all.map(\.description).joined(separator: "\n"))
    XCTAssertEqual(builtIn.files, BuiltInSpecs.files.map(\.path))
    // What a folder load read, by its path below the folder: what `gen` writes into MxBuiltInSpecs.
    XCTAssertEqual(fromDisk.texts.map { "Specs/" + $0.path }, BuiltInSpecs.files.map(\.path))
    XCTAssertEqual(fromDisk.texts.map(\.contents), BuiltInSpecs.files.map(\.contents))
    XCTAssertEqual(builtIn.texts, Generator.builtInSpecs)
    XCTAssertEqual(
      builtIn.spec.blocks.flatMap(\.registers).map(\.name), fromDisk.spec.blocks.flatMap(\.registers).map(\.name))
    // The folder's files read as texts under the paths the folder load showed: the same model,
    // source locations included.
    XCTAssertEqual(SpecLoader().load(texts: fromDisk.files.map(Self.text(of:))).spec, fromDisk.spec)
    let located = builtIn.spec.blocks.flatMap(\.registers).first { $0.name == "MAILBOX_CONTROL" }?.location
    XCTAssertEqual(located?.file, "Specs/blocks/bif/bif_5_0.xml")
  }

  func testTextsInMemoryAreCheckedAsFilesAre() {
    let specOpening = #"<?xml version="1.0"?>"# + "\n<spec format=\"1\">\n"
    let texts = [
      SpecText(path: "Specs/a.xml", contents: specOpening + "  <include href=\"sub/b.xml\"/>\n</spec>\n"),
      SpecText(path: "Specs/sub/b.xml", contents: specOpening + "  <include href=\"../../out.xml\"/>\n</spec>\n"),
      SpecText(path: "Specs/c.xml", contents: specOpening + "  <include href=\"missing.xml\"/>\n</spec>\n"),
      SpecText(path: "Specs/d.xml", contents: specOpening + "  <bogus/>\n</spec>\n"),
      SpecText(path: "Specs/notes.txt", contents: "not a spec"),
    ]
    let result = SpecLoader().load(texts: texts)
    XCTAssertEqual(result.files, ["Specs/a.xml", "Specs/sub/b.xml", "Specs/c.xml", "Specs/d.xml"])
    let errors = result.diagnostics.errors.map(\.description)
    XCTAssertTrue(
      errors.contains("Specs/sub/b.xml:3:12: error: include '../../out.xml' escapes the specs folder"), "\(errors)")
    XCTAssertTrue(errors.contains("Specs/c.xml:3:12: error: included file 'missing.xml' does not exist"), "\(errors)")
    XCTAssertTrue(errors.contains { $0.hasPrefix("Specs/d.xml:3:") && $0.contains("bogus") }, "\(errors)")
    XCTAssertEqual(SpecLoader().load(texts: []).diagnostics.errors.map(\.message), ["no .xml spec texts"])
  }

  /// A text that holds the quote-and-hash and backslash-and-hash runs of a raw literal's
  /// delimiters gets more of them; line ends become LF as an XML parser reads them.
  func testTheRawLiteralOutnumbersEveryDelimiterInTheText() {
    XCTAssertEqual(SpecTextEmitter.rawLiteral("<a/>\n"), "#\"\"\"\n    <a/>\n\n    \"\"\"#")
    XCTAssertEqual(SpecTextEmitter.rawLiteral("x\n\n  y"), "#\"\"\"\n    x\n\n      y\n    \"\"\"#")
    let hostile = "\"\"\"# \\#(boom) \"## \\###"
    let literal = SpecTextEmitter.rawLiteral(hostile)
    XCTAssertTrue(literal.hasPrefix("####\"\"\"\n"), literal)
    XCTAssertTrue(literal.hasSuffix("\n    \"\"\"####"), literal)
    XCTAssertEqual(SpecTextEmitter.rawLiteral("a\r\nb\rc"), "#\"\"\"\n    a\n    b\n    c\n    \"\"\"#")
  }

  func testTheModuleNamesEachTextOnce() {
    let files = SpecTextEmitter().emit([
      SpecText(path: "Specs/x/a-b.xml", contents: "1"), SpecText(path: "Specs/x/a_b.xml", contents: "2"),
      SpecText(path: "Specs/9.xml", contents: "3"),
    ])
    XCTAssertEqual(
      files.map(\.path),
      [
        "MxBuiltInSpecs/BuiltInSpecs.swift", "MxBuiltInSpecs/_9.swift", "MxBuiltInSpecs/x_a_b.swift",
        "MxBuiltInSpecs/x_a_b_.swift",
      ])
    XCTAssertTrue(files[0].contents.contains("    (\"Specs/x/a_b.xml\", x_a_b_),\n"), files[0].contents)
    let one = SpecTextEmitter().emit([SpecText(path: "Specs/a.xml", contents: "1")])
    XCTAssertTrue(one[0].contents.contains("    (\"Specs/a.xml\", a)\n  ]"), "no trailing comma after a lone element")
  }

  private static func text(of path: String) -> SpecText {
    SpecText(path: path, contents: (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
  }
}
