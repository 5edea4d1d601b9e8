import MxSpecLoader
import MxSpecModel
import XCTest

/// The archive `gen` builds into the tools reads back as the model it was written from, whatever
/// its strings hold, and a damaged one is an error at its byte, never a crash.
final class SpecArchiveTests: XCTestCase {
  func testSpecsReadBackAsTheyWereWritten() throws {
    let loaded = SpecLoader().load(from: Fixtures.packageSpecs)
    XCTAssertFalse(loaded.diagnostics.hasErrors)
    XCTAssertEqual(try SpecArchive.spec(from: SpecArchive.text(of: loaded.spec)), loaded.spec)
    let golden = SpecLoader().load(from: Fixtures.golden + "/spec.xml").spec
    XCTAssertEqual(try SpecArchive.spec(from: SpecArchive.text(of: golden)), golden)
  }

  func testStringsAndNumbersOfEveryKindSurvive() throws {
    let at = { (line: Int) in SourceLocation(file: "odd\tpath ~/x\\y.xml", line: line, column: 1) }
    let texts = ["", "~", "~~", "\\", "\\~", "tab\there", "line\nbreak", "cr\rlf\r\n", "µ — ✓ 🜂", " lead and trail "]
    let enumType = EnumType(
      name: "E",
      values: texts.enumerated().map {
        EnumType.Value(name: "V\($0.offset)", value: .max - UInt64($0.offset), doc: $0.element, location: at($0.offset))
      },
      doc: "~", location: at(99))
    var register = Register(
      name: "R", offset: .max, space: "~", access: .writeOneToClear, resetValue: 0, aliasOf: "", doc: nil,
      fields: [Field(name: "F", bits: BitRange(lsb: 0, msb: 31), access: .readOnly, enumName: "E", location: at(7))],
      location: at(Int.max))
    register.accessSource = "tab\tsource"
    let spec = Spec(
      blocks: [
        Block(name: "b", version: "1.0", doc: texts.joined(), enums: [enumType], registers: [register], location: at(1))
      ],
      mailboxes: [
        Mailbox(
          name: "m", messages: [Message(name: "M", id: .max, direction: .event, hostSetsValid: false, location: at(3))],
          location: at(2))
      ])
    let text = SpecArchive.text(of: spec)
    XCTAssertEqual(try SpecArchive.spec(from: text), spec)
    XCTAssertFalse(text.contains("\r"), "a carriage return is escaped: a Swift literal would turn it into a line break")
  }

  /// Written under another folder's name: the archive's paths do not depend on where `gen` ran.
  func testPathsInTheRenamedFolderAreWrittenAsInTheOther() throws {
    let spec = Spec(blocks: [
      Block(name: "a", version: "1", location: SourceLocation(file: "/tmp/x/Specs2/a.xml", line: 1, column: 2)),
      Block(name: "b", version: "1", location: SourceLocation(file: "/elsewhere/b.xml", line: 3, column: 4)),
    ])
    let read = try SpecArchive.spec(from: SpecArchive.text(of: spec, renamingFolder: ("/tmp/x/Specs2", "Specs")))
    XCTAssertEqual(read.blocks.map(\.location.file), ["Specs/a.xml", "/elsewhere/b.xml"])
    let relative = Spec(blocks: [
      Block(name: "a", version: "1", location: SourceLocation(file: "blocks/a.xml", line: 1, column: 1))
    ])
    let fromDot = try SpecArchive.spec(from: SpecArchive.text(of: relative, renamingFolder: (".", "Specs")))
    XCTAssertEqual(fromDot.blocks.map(\.location.file), ["Specs/blocks/a.xml"])
  }

  /// Every cut of an archive, every byte of it replaced by each token character, and archives of
  /// another format: an error or a model, never a trap.
  func testDamagedArchivesAreErrors() throws {
    let golden = SpecLoader().load(from: Fixtures.golden + "/spec.xml").spec
    let text = SpecArchive.text(of: golden)
    let bytes = Array(text.utf8)
    var errors = 0
    for cut in stride(from: 0, to: bytes.count - 1, by: max(1, bytes.count / 2000)) {
      XCTAssertThrowsError(try SpecArchive.spec(from: String(decoding: bytes[..<cut], as: UTF8.self)), "cut at \(cut)")
    }
    for index in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 500)) {
      for replacement in Array("9\t\n~\\xZ".utf8) where bytes[index] != replacement {
        var damaged = bytes
        damaged[index] = replacement
        do {
          _ = try SpecArchive.spec(from: String(decoding: damaged, as: UTF8.self))
        } catch let error as SpecArchiveError {
          XCTAssertTrue((0...bytes.count).contains(error.offset), "\(error)")
          errors += 1
        }
      }
    }
    XCTAssertGreaterThan(errors, 0)
    XCTAssertThrowsError(try SpecArchive.spec(from: "mxgpukit-spec-archive-0\t0\n")) { error in
      XCTAssertEqual("\(error)", "spec archive, byte 0: not a spec archive of format 'mxgpukit-spec-archive-1'")
    }
    XCTAssertThrowsError(try SpecArchive.spec(from: "mxgpukit-spec-archive-1\t99999999999\n")) { error in
      XCTAssertTrue("\(error)".contains("runs past the end"), "\(error)")
    }
    XCTAssertThrowsError(try SpecArchive.spec(from: text + "1\n")) { error in
      XCTAssertTrue("\(error)".contains("more data after the spec"), "\(error)")
    }
  }
}
