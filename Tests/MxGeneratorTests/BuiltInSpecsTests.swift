import Foundation
import MxBuiltInSpecs
import MxGenerator
import MxSpecLoader
import MxSpecModel
import MxSpecValidator
import MxSwiftEmitter
import XCTest

/// The model compiled into the tools (`MxBuiltInSpecs`): Specs/ as the loader reads it, and the
/// checks of a target's own specs against it, which skip only what was checked when it was built.
final class BuiltInSpecsTests: XCTestCase {
  private static let fromDisk = SpecLoader().load(from: Fixtures.packageSpecs)

  /// What `gen` would write for Specs/ now is what was built in: the model, source lines and
  /// columns included, with paths as in MxGPUKit's repository wherever the folder was read from.
  func testTheBuiltInModelIsSpecsAsTheLoaderReadsIt() throws {
    let loaded = Self.fromDisk
    XCTAssertFalse(loaded.diagnostics.hasErrors)
    XCTAssertEqual(SpecArchive.text(of: loaded.spec, renamingFolder: (loaded.folder, "Specs")), BuiltInSpecs.archive)
    let (builtIn, diagnostics) = Generator.builtInSpec
    XCTAssertTrue(diagnostics.all.isEmpty, "\(diagnostics.sorted)")
    XCTAssertEqual(builtIn.blocks.map(\.registers.count), loaded.spec.blocks.map(\.registers.count))
    let onDisk = try XCTUnwrap(loaded.spec.blocks.flatMap(\.registers).first { $0.name == "MAILBOX_CONTROL" })
    let built = try XCTUnwrap(builtIn.blocks.flatMap(\.registers).first { $0.name == "MAILBOX_CONTROL" })
    XCTAssertEqual(built.location.file, "Specs/blocks/bif/bif_5_0.xml")
    XCTAssertTrue(onDisk.location.file.hasSuffix("/Specs/blocks/bif/bif_5_0.xml"), onDisk.location.file)
    XCTAssertEqual([built.location.line, built.location.column], [onDisk.location.line, onDisk.location.column])
    XCTAssertEqual(
      built.fields,
      onDisk.fields.map { field in
        var field = field
        field.location.file = built.location.file
        return field
      })
  }

  /// Checking a target's specs against a valid base reports what checking the two merged does:
  /// for every bad spec there is (on the golden spec, a small base, so the merged checks stay
  /// quick under the sanitizers), and on the built-in model for specs that lean on it: a chip of
  /// built-in blocks, a block and a chip that take built-in names, a PCI ID already listed.
  func testCheckingAgainstTheBuiltInModelReportsWhatCheckingEverythingDoes() throws {
    let golden = SpecLoader().load(from: Fixtures.golden + "/spec.xml").spec
    let bad = try BadSpecFixtures.entries().map { SpecLoader().load(from: BadSpecFixtures.specsPath(for: $0)).spec }
    let folder = try Fixtures.temporaryFolder()
    let leaning = folder + "/Leaning.xml"
    try """
    <?xml version="1.0" encoding="UTF-8"?>
    <spec format="1">
      <block name="gfx" version="8.0"><register name="X" offset="0x1"/></block>
      <chip name="Tonga">
        <use block="gfx" version="8.0"/>
      </chip>
      <chip name="mine">
        <use block="bif" version="5.0"/>
        <use block="oss" version="3.0"/>
        <use block="nope" version="1.0"/>
        <pci vendor="0x1002" device="0x692F" function="vf"/>
        <golden name="init">
          <write register="MAILBOX_CONTROL" and="0xffffffff" or="0x1"/>
          <write register="NO_SUCH_REGISTER" and="0xffffffff" or="0x1"/>
        </golden>
      </chip>
    </spec>
    """.write(toFile: leaning, atomically: true, encoding: .utf8)
    let leaningSpec = SpecLoader().load(from: leaning)
    XCTAssertFalse(leaningSpec.diagnostics.hasErrors, "\(leaningSpec.diagnostics.sorted)")
    let cases = bad.map { (own: $0, base: golden) } + [(own: leaningSpec.spec, base: Generator.builtInSpec.spec)]
    for (own, base) in cases {
      var merged = base
      merged.merge(own)
      XCTAssertEqual(
        SpecValidator().validate(own, extending: base).sorted.map(\.description),
        SpecValidator().validate(merged).sorted.map(\.description))
    }
    let leaningErrors = SpecValidator().validate(leaningSpec.spec, extending: Generator.builtInSpec.spec).errors.map(
      \.message)
    for part in [
      "duplicate block 'gfx'", "duplicate chip 'Tonga'", "unknown block 'nope'", "PCI ID 0x1002:0x692F",
      "NO_SUCH_REGISTER",
    ] {
      XCTAssertTrue(leaningErrors.contains { $0.contains(part) }, "\(part) in \(leaningErrors)")
    }
  }

  /// With no `--specs`, `gen target` takes the built-in model: a subset of it and a chip of the
  /// target's own on built-in blocks.
  func testATargetUsesTheBuiltInModel() throws {
    let folder = try Fixtures.temporaryFolder()
    let subset = folder + "/mxgpukit.subset"
    try "registers MAILBOX_CONTROL gfx_8_0:CP_HQD_ACTIVE\n".write(toFile: subset, atomically: true, encoding: .utf8)
    let own = folder + "/Mine.xml"
    try """
    <?xml version="1.0" encoding="UTF-8"?>
    <spec format="1">
      <chip name="mine"><use block="bif" version="5.0"/></chip>
    </spec>
    """.write(toFile: own, atomically: true, encoding: .utf8)
    let result = TargetGenerator(module: "Driver").generate(subset: subset, ownSpecs: [own])
    let files = try XCTUnwrap(result.files, "\(result.diagnostics.sorted)")
    let all = files.map(\.contents).joined()
    XCTAssertTrue(all.contains("public enum MAILBOX_CONTROL: "))
    XCTAssertTrue(all.contains("public enum CP_HQD_ACTIVE: "))
    XCTAssertTrue(all.contains("mine"))
  }

  /// A text that holds the quote-and-hash and backslash-and-hash runs of a raw literal's
  /// delimiters gets more of them.
  func testTheRawLiteralOutnumbersEveryDelimiterInTheText() {
    XCTAssertEqual(BuiltInSpecsEmitter.rawLiteral("<a/>\n"), "#\"\"\"\n    <a/>\n\n    \"\"\"#")
    XCTAssertEqual(BuiltInSpecsEmitter.rawLiteral("x\n\n  y\n"), "#\"\"\"\n    x\n\n      y\n\n    \"\"\"#")
    let hostile = "\"\"\"# \\#(boom) \"## \\###\n"
    let literal = BuiltInSpecsEmitter.rawLiteral(hostile)
    XCTAssertTrue(literal.hasPrefix("####\"\"\"\n"), literal)
    XCTAssertTrue(literal.hasSuffix("\n    \"\"\"####"), literal)
  }
}
