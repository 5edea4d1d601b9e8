import Foundation
import MxGenerator
import MxSpecModel
import MxSwiftEmitter
import TestSupport
import XCTest

/// `gen target`, the build plugin's generator: the subset file, what it selects from the built-in
/// specs, the target's own specs, and the fixed files it writes.
final class TargetGeneratorTests: XCTestCase {
  // MARK: The subset file

  func testSubsetFileReadsKindsPatternsAndBlockPrefixes() {
    let (configuration, diagnostics) = SubsetConfiguration.parse(
      """
      # a comment
      registers MAILBOX_CONTROL gfx_8_0:CP_HQD_*   # trailing comment
        chip tonga
      """, path: "s")
    XCTAssertFalse(diagnostics.hasErrors)
    XCTAssertEqual(configuration.items.map(\.kind), [.registers, .registers, .chips])
    XCTAssertEqual(configuration.items.map(\.pattern), ["MAILBOX_CONTROL", "CP_HQD_*", "tonga"])
    XCTAssertEqual(configuration.items.map(\.block), [nil, "gfx_8_0", nil])
    XCTAssertEqual(configuration.items[1].location.description, "s:2:27")
    XCTAssertEqual(configuration.items[1].patternLocation.description, "s:2:35")
    XCTAssertEqual(configuration.items[2].location.description, "s:3:8")
  }

  func testSubsetFileErrorsPointAtTheWord() {
    let (configuration, diagnostics) = SubsetConfiguration.parse(
      """
      registres A
      packets
      chips gfx:X
      registers :A gfx:
      """, path: "s")
    XCTAssertEqual(
      diagnostics.sorted.map(\.description),
      [
        "s:1:1: error: unknown selection 'registres': expected one of registers, blocks, enums, packets, messages, chips",
        "s:2:1: error: 'packets' names nothing: list names or globs after it",
        "s:3:7: error: only registers take a block prefix ('block:NAME')",
        "s:4:11: error: ':A' is not a name or 'block:NAME'",
        "s:4:14: error: 'gfx:' is not a name or 'block:NAME'",
      ])
    XCTAssertTrue(configuration.items.isEmpty)
  }

  // MARK: Selection

  /// The golden spec: block demo_1_2 with an indirect space, an enum, an alias.
  private var golden: Spec { Generator().check(specsAt: Fixtures.golden + "/spec.xml").spec }

  private func select(_ text: String, from spec: Spec) -> SubsetSelection {
    SubsetSelection(SubsetConfiguration.parse(text, path: "s").0, from: spec)
  }

  func testSelectionClosesOverIndexDataRegistersAndEnums() throws {
    let selection = select("registers clock int_status", from: golden)
    XCTAssertFalse(selection.diagnostics.hasErrors)
    let block = try XCTUnwrap(selection.spec.blocks.first)
    XCTAssertEqual(
      Set(block.registers.map(\.name)), ["CLOCK", "SMC_IND_INDEX", "SMC_IND_DATA", "INT_STATUS"],
      "an indirect register brings the index/data pair it goes through")
    XCTAssertEqual(block.spaces.map(\.name), ["smc"])
    XCTAssertEqual(block.enums.map(\.name), ["ENDIAN"], "INT_STATUS.SWAP uses ENDIAN")
    XCTAssertEqual(selection.origins["CLOCK"]?.description, "s:1:11")
  }

  func testEnumsAreSelectedByNameWithoutARegister() throws {
    let selection = select("enums endian", from: golden)
    XCTAssertFalse(selection.diagnostics.hasErrors)
    let block = try XCTUnwrap(selection.spec.blocks.first)
    XCTAssertEqual(block.registers, [])
    XCTAssertEqual(block.enums.map(\.name), ["ENDIAN"])
    XCTAssertEqual(selection.origins["ENDIAN"]?.description, "s:1:7")
    XCTAssertEqual(
      select("enums NO_SUCH", from: golden).diagnostics.sorted.map(\.description),
      ["s:1:7: error: no built-in enum matches 'NO_SUCH'"])
  }

  func testSelectionOfTheRealSpecsByGlobBlockAndKind() throws {
    let spec = Fixtures.packageSpec.spec
    let selection = select(
      """
      registers gfx_8_0:cp_hqd_pq_* mailbox_control
      packets MAP_QUEUES
      messages IDH_REQ_GPU_INIT_ACCESS
      chips fiji
      """, from: spec)
    XCTAssertFalse(selection.diagnostics.hasErrors, "\(selection.diagnostics.sorted)")
    let registers = selection.spec.blocks.flatMap(\.registers).map(\.name)
    XCTAssertTrue(registers.contains("MAILBOX_CONTROL"))
    XCTAssertTrue(registers.contains("CP_HQD_PQ_BASE"))
    XCTAssertTrue(registers.allSatisfy { $0 == "MAILBOX_CONTROL" || $0.hasPrefix("CP_HQD_PQ_") }, "\(registers)")
    XCTAssertEqual(selection.spec.blocks.map(\.id), ["bif_5_0", "gfx_8_0"])
    XCTAssertEqual(selection.spec.packetSets.flatMap(\.packets).map(\.name), ["MAP_QUEUES"])
    XCTAssertEqual(
      Set(selection.spec.mailboxes.flatMap(\.messages).map(\.name)),
      ["IDH_REQ_GPU_INIT_ACCESS", "IDH_READY_TO_ACCESS_GPU"], "a request brings its reply")
    XCTAssertEqual(selection.spec.chips.map(\.name), ["Fiji"])
  }

  func testSelectionReportsWhatMatchesNothing() {
    let selection = select("registers NO_SUCH_* dce_99_0:X\nchips tahiti", from: golden)
    XCTAssertEqual(
      selection.diagnostics.sorted.map(\.description),
      [
        "s:1:11: error: no built-in register matches 'NO_SUCH_*'",
        "s:1:21: error: no built-in block 'dce_99_0' (there are demo_1_2)",
        "s:2:7: error: no built-in chip matches 'tahiti'",
      ])
  }

  // MARK: Whole runs

  private func write(_ text: String, to name: String, in folder: String) throws -> String {
    let path = folder + "/" + name
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  private let ownSpec = """
    <?xml version="1.0" encoding="UTF-8"?>
    <spec format="1">
      <block name="mine" version="1.0">
        <register name="MY_REG" offset="0x10">
          <field name="GO" bits="0"/>
        </register>
      </block>
    </spec>
    """

  func testTargetGetsTheSubsetAndItsOwnSpecsInTheFixedFiles() throws {
    let folder = try Fixtures.temporaryFolder()
    let subset = try write("registers STATUS clock\n", to: "mxgpukit.subset", in: folder)
    let own = try write(ownSpec, to: "Mine.xml", in: folder)
    let result = TargetGenerator(module: "Driver").generate(
      builtInSpecs: Fixtures.golden + "/spec.xml", subset: subset, ownSpecs: [own])
    XCTAssertFalse(result.diagnostics.hasErrors, "\(result.diagnostics.sorted)")
    let files = try XCTUnwrap(result.files)
    XCTAssertEqual(files.map(\.path), TargetFiles.fileNames)
    let all = files.map(\.contents).joined()
    for name in ["STATUS", "CLOCK", "SMC_IND_INDEX", "SMC_IND_DATA", "MY_REG"] {
      XCTAssertEqual(all.components(separatedBy: "public enum \(name): ").count - 1, 1, "\(name) declared once")
    }
    XCTAssertFalse(all.contains("INT_STATUS"), "only what is selected")
    XCTAssertTrue(files.allSatisfy { $0.contents.hasPrefix(GeneratedFile.banner) }, "owned by the generator")
    let packets = try XCTUnwrap(files.first { $0.path == "MxGPUKitPackets.swift" })
    XCTAssertTrue(packets.contents.hasSuffix("// Nothing here: the target selects no PM4 packets.\n"), packets.contents)
    XCTAssertFalse(packets.contents.contains("import"), "an empty file imports nothing")
  }

  func testOwnSpecErrorsPointAtTheOwnFileAndNothingIsGenerated() throws {
    let folder = try Fixtures.temporaryFolder()
    let own = try write(
      ownSpec.replacingOccurrences(of: "bits=\"0\"", with: "bits=\"40\""), to: "Mine.xml", in: folder)
    let result = TargetGenerator(module: "Driver").generate(
      builtInSpecs: Fixtures.golden + "/spec.xml", subset: nil, ownSpecs: [own])
    XCTAssertNil(result.files)
    XCTAssertTrue(
      result.diagnostics.errors.contains { $0.location?.file == own && $0.location?.line == 5 },
      "\(result.diagnostics.sorted)")
  }

  /// A target that would get no declaration builds, then fails at its first register name; the
  /// generator stops it with the reason instead.
  func testATargetThatGetsNothingIsAnErrorThatSaysWhy() throws {
    let folder = try Fixtures.temporaryFolder()
    let subset = try write("# registers STATUS\n", to: "mxgpukit.subset", in: folder)
    let commentsOnly = TargetGenerator(module: "Driver").generate(
      builtInSpecs: Fixtures.golden + "/spec.xml", subset: subset, ownSpecs: [])
    XCTAssertNil(commentsOnly.files)
    XCTAssertEqual(
      commentsOnly.diagnostics.errors.map(\.description),
      ["\(subset):1:1: error: nothing to generate: the subset selects nothing and the target has no spec of its own"])

    let emptySpec = try write(#"<?xml version="1.0"?><spec format="1"/>"#, to: "Empty.xml", in: folder)
    let noSubset = TargetGenerator(module: "Driver").generate(
      builtInSpecs: Fixtures.golden + "/spec.xml", subset: nil, ownSpecs: [emptySpec])
    XCTAssertNil(noSubset.files)
    XCTAssertEqual(
      noSubset.diagnostics.errors.map(\.description),
      ["error: nothing to generate: no mxgpukit.subset and the target's specs declare nothing"])

    let withOwn = TargetGenerator(module: "Driver").generate(
      builtInSpecs: Fixtures.golden + "/spec.xml", subset: subset,
      ownSpecs: [try write(ownSpec, to: "Mine.xml", in: folder)])
    XCTAssertNotNil(withOwn.files, "\(withOwn.diagnostics.sorted)")
  }

  func testANameDeclaredByTheSubsetAndTheTargetIsAnErrorAtTheTargetsDefinition() throws {
    let folder = try Fixtures.temporaryFolder()
    let subset = try write("registers STATUS\n", to: "mxgpukit.subset", in: folder)
    let own = try write(ownSpec.replacingOccurrences(of: "MY_REG", with: "STATUS"), to: "Mine.xml", in: folder)
    let result = TargetGenerator(module: "Driver").generate(
      builtInSpecs: Fixtures.golden + "/spec.xml", subset: subset, ownSpecs: [own])
    XCTAssertNil(result.files)
    XCTAssertEqual(
      result.diagnostics.errors.map(\.description),
      [
        "\(own):4:5: error: 'STATUS' (register of mine_1_0) is declared twice in this target; the other is the register of demo_1_2 at \(subset):1:11"
      ])
  }

  func testEnumsOfTheSameNameAndValuesAreDeclaredOnceAndDifferentOnesAreAnError() throws {
    let folder = try Fixtures.temporaryFolder()
    let enumSpec = { (values: String) in
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <spec format="1">
        <block name="mine" version="1.0">
          <enum name="ENDIAN">\(values)</enum>
          <register name="MY_REG" offset="0x10"><field name="SWAP" bits="1:0" enum="ENDIAN"/></register>
        </block>
      </spec>
      """
    }
    let subset = try write("registers INT_STATUS\n", to: "mxgpukit.subset", in: folder)
    let same = try write(
      enumSpec(#"<value name="ENDIAN_NONE" value="0"/><value name="ENDIAN_8IN32" value="2"/>"#), to: "Same.xml",
      in: folder)
    let generated = TargetGenerator(module: "Driver").generate(
      builtInSpecs: Fixtures.golden + "/spec.xml", subset: subset, ownSpecs: [same])
    let all = try XCTUnwrap(generated.files, "\(generated.diagnostics.sorted)").map(\.contents).joined()
    XCTAssertEqual(all.components(separatedBy: "public struct ENDIAN: ").count - 1, 1)
    // The block that leaves its enum to the other still names the values in its registers' layouts.
    XCTAssertTrue(all.contains("layout: \"MY_REG SWAP@0:2{ENDIAN_NONE=0,ENDIAN_8IN32=2}\""), all)

    let other = try write(enumSpec(#"<value name="BIG" value="1"/>"#), to: "Other.xml", in: folder)
    let clash = TargetGenerator(module: "Driver").generate(
      builtInSpecs: Fixtures.golden + "/spec.xml", subset: subset, ownSpecs: [other])
    XCTAssertNil(clash.files)
    XCTAssertEqual(clash.diagnostics.errors.map { $0.location?.file }, [other])
  }

  /// The build plugin declares the files before `gen target` runs; its list must be this one.
  func testThePluginDeclaresExactlyTheFilesGenWrites() throws {
    let plugin = try String(
      contentsOfFile: URL(fileURLWithPath: Fixtures.packageSpecs).deletingLastPathComponent().path
        + "/Plugins/Shared/TargetInputs.swift", encoding: .utf8)
    let shards = "(1...\(TargetFiles.registerShards)).map { \"MxGPUKitRegisters\\($0).swift\" }"
    XCTAssertTrue(plugin.contains(shards), "the plugin's register files are \(shards)")
    let others = TargetFiles.fileNames.dropFirst(TargetFiles.registerShards).map { "\"\($0)\"" }.joined(separator: ", ")
    XCTAssertTrue(plugin.contains("[\(others)]"), "the plugin's other files are [\(others)]")
    XCTAssertTrue(plugin.contains("subsetFileName = \"\(SubsetConfiguration.fileName)\""))
  }

  func testGenTargetWritesAtomicallyAndFailsInCompilerFormat() throws {
    let folder = try Fixtures.temporaryFolder()
    let output = folder + "/out"
    let subset = try write("registers STATUS\n", to: "mxgpukit.subset", in: folder)
    let arguments = ["target", "--module", "Driver", "--specs", Fixtures.golden + "/spec.xml", "--output", output]
    let first = try ExecutableRun("gen", arguments + ["--subset", subset])
    XCTAssertEqual(first.status, 0, first.stderr)
    XCTAssertTrue(first.stderr.contains("note: target Driver: wrote 8 of 8 files"), first.stderr)
    let written = Fixtures.snapshot(output)
    XCTAssertEqual(Set(written.keys), Set(TargetFiles.fileNames))

    let again = try ExecutableRun("gen", arguments + ["--subset", subset])
    XCTAssertTrue(again.stderr.contains("note: target Driver: unchanged"), again.stderr)

    try Data("registers STATUS NOPE\n".utf8).write(to: URL(fileURLWithPath: subset))
    let bad = try ExecutableRun("gen", arguments + ["--subset", subset])
    XCTAssertEqual(bad.status, 1)
    XCTAssertTrue(bad.stderr.contains("\(subset):1:18: error: no built-in register matches 'NOPE'"), bad.stderr)
    XCTAssertEqual(Fixtures.snapshot(output), written, "a failed run leaves the output alone")
  }
}
