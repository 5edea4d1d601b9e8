import Foundation
import MxGenerator
import MxSpecModel
import XCTest

/// `MxRuntimeRegisters`: the registers the runtime is built on, declared once for the runtime and
/// the whole-block modules alike.
final class RuntimeRegistersTests: XCTestCase {
  private static let packageRoot = URL(fileURLWithPath: Fixtures.packageSpecs).deletingLastPathComponent()
  /// The runtime modules a driver depends on through MxVirtualFunction, that name registers.
  private static let runtimeModules = [
    "MxVirtualization", "MxKIQ", "MxIH", "MxSubmission", "MxVirtualFunction", "MxCSA",
  ]
  private static let blockModules = ["MxBIF50", "MxDCE100", "MxGFX80", "MxGMC81", "MxOSS30", "MxSMU713"]

  private func packageSpec() throws -> Spec {
    let (spec, diagnostics) = Fixtures.packageSpec
    XCTAssertFalse(diagnostics.hasErrors)
    return spec
  }

  /// The names the runtime modules' code uses as types: its words, with comments, members (the
  /// field in `CP_RB0_CNTL.MTYPE`) and argument labels (`COMMAND:`) left out.
  private func runtimeCodeWords() throws -> Set<String> {
    var words = Set<String>()
    for module in Self.runtimeModules {
      let folder = Self.packageRoot.appendingPathComponent("Sources/\(module)").path
      let enumerator = try XCTUnwrap(FileManager.default.enumerator(atPath: folder))
      while let file = enumerator.nextObject() as? String {
        guard file.hasSuffix(".swift") else { continue }
        let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
        for line in text.split(separator: "\n") {
          var word = ""
          var afterDot = false
          var previous: Character = " "
          for character in line.components(separatedBy: "//")[0] + " " {
            defer { previous = character }
            if character.isLetter || character.isNumber || character == "_" {
              word.append(character)
              continue
            }
            // Neither a member (`.MTYPE`, but `first...CP_HQD_ACTIVE` counts) nor a label (`COMMAND:`).
            if !word.isEmpty && !afterDot && character != ":" { words.insert(word) }
            if word.isEmpty && character == "." && previous == "." {
              afterDot = false
            } else {
              afterDot = character == "."
            }
            word = ""
          }
        }
      }
    }
    return words
  }

  /// runtime.subset says what the runtime's code names: every register and enum the code names
  /// is selected by it, and it selects nothing the code does not name.
  func testTheSubsetIsWhatTheRuntimeNames() throws {
    let spec = try packageSpec()
    let words = try runtimeCodeWords()
    let registers = Set(spec.blocks.flatMap(\.registers).map(\.name))
    let enums = Set(spec.blocks.flatMap(\.enums).map(\.name))
    let named = words.intersection(registers.union(enums))

    let path = Fixtures.packageSpecs + "/" + RuntimeRegisters.subsetFileName
    let (configuration, diagnostics) = SubsetConfiguration.parse(
      try String(contentsOfFile: path, encoding: .utf8), path: path)
    XCTAssertFalse(diagnostics.hasErrors)
    let selection = SubsetSelection(configuration, from: spec)
    XCTAssertFalse(selection.diagnostics.hasErrors)
    let selected = Set(selection.origins.keys)
    XCTAssertEqual(named.subtracting(selected).sorted(), [], "named by the runtime, missing from runtime.subset")
    XCTAssertEqual(selected.subtracting(named).sorted(), [], "in runtime.subset, named by no runtime code")
  }

  /// Every register is declared exactly once across the generated modules: in MxRuntimeRegisters
  /// if the runtime uses it, else in its block's module, which re-exports MxRuntimeRegisters.
  func testEveryRegisterIsDeclaredOnce() throws {
    let output = Generator().generate(specsAt: Fixtures.packageSpecs)
    let files = try XCTUnwrap(output.files)
    var declaredIn: [String: [String]] = [:]
    for file in files {
      let module = String(file.path.prefix { $0 != "/" })
      for line in file.contents.split(separator: "\n") where line.hasPrefix("public enum ") {
        let name = line.dropFirst("public enum ".count).prefix { $0 != ":" && $0 != " " }
        declaredIn[String(name), default: []].append(module)
      }
    }
    let spec = try packageSpec()
    let runtime = try XCTUnwrap(RuntimeRegisters(specsAt: Fixtures.packageSpecs, spec: spec))
    let inRuntime = Set(runtime.blocks.flatMap(\.registers).map(\.name))
    XCTAssertGreaterThan(inRuntime.count, 200)
    XCTAssertLessThan(inRuntime.count, 300)
    for block in spec.blocks {
      for register in block.registers {
        let expected = inRuntime.contains(register.name) ? "MxRuntimeRegisters" : block.moduleName
        XCTAssertEqual(declaredIn[register.name], [expected], register.name)
      }
    }
    // Every MQD member's register is there, so MxStructures needs no whole block.
    let mqd = try XCTUnwrap(spec.structures.first { $0.name == "vi_mqd" })
    XCTAssertEqual(Set(mqd.members.compactMap(\.register)).subtracting(inRuntime), [])
    for module in Self.blockModules where runtime.shared.names[spec.blocks.first { $0.moduleName == module }!.id] != nil
    {
      let reexport = try XCTUnwrap(files.first { $0.path == "\(module)/MxRuntimeRegisters.swift" }, module)
      XCTAssertTrue(reexport.contents.contains("\n@_exported import MxRuntimeRegisters\n"), module)
    }
  }

  /// What a consumer of every block (`MxGPURegisters`) sees: each type name — register, enum,
  /// layout protocol — declared by one module only, so none is ambiguous. The 63 enums the
  /// kernel's headers repeat in every block are `MxSharedEnums`', which the four blocks that
  /// define them re-export.
  func testEveryTypeOfTheBlocksIsDeclaredOnce() throws {
    let files = try XCTUnwrap(Generator().generate(specsAt: Fixtures.packageSpecs).files)
    let modules = Set(Self.blockModules + ["MxRuntimeRegisters", "MxSharedEnums"])
    var declaredIn: [String: [String]] = [:]
    for file in files {
      let module = String(file.path.prefix { $0 != "/" })
      guard modules.contains(module) else { continue }
      for line in file.contents.split(separator: "\n") {
        for kind in ["public enum ", "public struct ", "public protocol "] where line.hasPrefix(kind) {
          declaredIn[String(line.dropFirst(kind.count).prefix { $0 != ":" && $0 != " " }), default: []].append(module)
        }
      }
    }
    XCTAssertEqual(declaredIn.filter { $0.value.count > 1 }.mapValues { $0.sorted() }, [:])
    XCTAssertEqual(declaredIn["ArrayMode"], ["MxSharedEnums"])
    XCTAssertEqual(declaredIn["MTYPE"], ["MxRuntimeRegisters"])
    let shared = files.filter { $0.path.hasPrefix("MxSharedEnums/") }
    XCTAssertEqual(shared.map { $0.contents.components(separatedBy: ": RegisterEnum {").count - 1 }.reduce(0, +), 63)
    for module in ["MxBIF50", "MxGFX80", "MxGMC81", "MxOSS30"] {
      let reexport = try XCTUnwrap(files.first { $0.path == "\(module)/MxSharedEnums.swift" }, module)
      XCTAssertTrue(reexport.contents.contains("\n@_exported import MxSharedEnums\n"), module)
    }
  }

  /// The runtime's modules depend on MxRuntimeRegisters, never on a whole block: in their
  /// imports and in the manifest.
  func testTheRuntimeDependsOnNoWholeBlock() throws {
    for module in Self.runtimeModules + ["MxStructures"] {
      let folder = Self.packageRoot.appendingPathComponent(
        module == "MxStructures" ? "Generated/\(module)" : "Sources/\(module)"
      ).path
      let enumerator = try XCTUnwrap(FileManager.default.enumerator(atPath: folder))
      while let file = enumerator.nextObject() as? String {
        guard file.hasSuffix(".swift") else { continue }
        let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
        for block in Self.blockModules {
          XCTAssertFalse(text.contains("import \(block)\n"), "\(module)/\(file) imports \(block)")
        }
      }
    }
    let manifest = try String(
      contentsOf: Self.packageRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
    for module in Self.runtimeModules where module != "MxCSA" {
      let start = try XCTUnwrap(manifest.range(of: "name: \"\(module)\"", options: .backwards), module)
      let target = manifest[start.upperBound...].prefix { $0 != ")" }
      XCTAssertTrue(target.contains("\"MxRuntimeRegisters\""), module)
      for block in Self.blockModules { XCTAssertFalse(target.contains("\"\(block)\""), "\(module) on \(block)") }
    }
  }

  /// A runtime subset that needs two enums of one name that differ is refused, at the enum.
  func testDifferentEnumsOfOneNameAreRefused() throws {
    var spec = try packageSpec()
    let gfx = try XCTUnwrap(spec.blocks.firstIndex { $0.id == "gfx_8_0" })
    let gmc = try XCTUnwrap(spec.blocks.firstIndex { $0.id == "gmc_8_1" })
    let mtype = try XCTUnwrap(spec.blocks[gmc].enums.firstIndex { $0.name == "MTYPE" })
    spec.blocks[gmc].enums[mtype].values[0].value += 100
    XCTAssertTrue(spec.blocks[gfx].enums.contains { $0.name == "MTYPE" })
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("runtime-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
    try "enums MTYPE\n".write(
      to: folder.appendingPathComponent(RuntimeRegisters.subsetFileName), atomically: true, encoding: .utf8)
    let runtime = try XCTUnwrap(RuntimeRegisters(specsAt: folder.path, spec: spec))
    XCTAssertEqual(
      runtime.diagnostics.errors.map(\.message).filter { $0.contains("two different enums named 'MTYPE'") }.count, 1,
      runtime.diagnostics.all.map(\.description).joined(separator: "\n"))
  }
}
