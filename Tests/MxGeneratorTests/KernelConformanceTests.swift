import Foundation
import MxGenerator
import MxHeaderImport
import MxSpecModel
import TestSupport
import XCTest

/// Compares Specs/ and Generated/ with the Linux 6.1 register headers, parsed here independently
/// of the importer. Set MXGPUKIT_KERNEL_DIR to a kernel tree (or its drivers/gpu/drm/amd); CI
/// always does. Every offset, mask, shift and enum value of the four blocks must match, and the
/// specs may hold nothing the headers lack beyond what the import reports document.
final class KernelConformanceTests: XCTestCase {
  static let blocks = [
    ("bif", "5.0", "bif/bif_5_0"), ("gfx", "8.0", "gca/gfx_8_0"), ("gmc", "8.1", "gmc/gmc_8_1"),
    ("oss", "3.0", "oss/oss_3_0"),
  ]

  private func amdFolder() throws -> String {
    guard let root = ProcessInfo.processInfo.environment["MXGPUKIT_KERNEL_DIR"], !root.isEmpty else {
      throw XCTSkip("MXGPUKIT_KERNEL_DIR is not set: kernel conformance skipped")
    }
    for candidate in [root + "/drivers/gpu/drm/amd", root]
    where FileManager.default.fileExists(atPath: candidate + "/include/asic_reg") {
      return candidate
    }
    XCTFail("MXGPUKIT_KERNEL_DIR=\(root) holds no include/asic_reg")
    throw XCTSkip("no kernel tree")
  }

  func testSpecsEqualTheKernelHeaders() throws {
    let amd = try amdFolder()
    let (spec, diagnostics) = Fixtures.packageSpec
    XCTAssertFalse(diagnostics.hasErrors)
    for (name, version, path) in Self.blocks {
      let block = try XCTUnwrap(spec.block(named: name, version: version), "\(path) not in Specs")
      let header = try KernelHeaders(amd: amd, path: path)
      let report = try String(
        contentsOfFile: "\(Fixtures.packageSpecs)/blocks/\(path).import-report.txt", encoding: .utf8)

      // Registers: the same symbols at the same offsets, nothing more, nothing less.
      var bySymbol: [String: Register] = [:]
      for register in block.registers { bySymbol[Self.symbol(of: register)] = register }
      XCTAssertEqual(Set(bySymbol.keys), Set(header.offsets.keys), "\(path): register sets differ")
      for (symbol, offset) in header.offsets {
        XCTAssertEqual(bySymbol[symbol].map { UInt64($0.offset) }, offset, "\(path): \(symbol)")
      }

      // Fields: each spec field is a header mask/shift pair with the same bits.
      var covered = Set<String>()
      for register in block.registers {
        let prefix =
          register.name.hasPrefix("ix") && register.space != AddressSpace.mmioName
          ? String(register.name.dropFirst(2)) : register.name
        for field in register.fields {
          let key = prefix + "__" + field.name
          covered.insert(key)
          XCTAssertEqual(header.masks[key], field.bits.mask, "\(path): mask of \(key)")
          XCTAssertEqual(header.shifts[key], UInt64(field.bits.lsb), "\(path): shift of \(key)")
        }
      }
      // Header pairs the specs lack are exactly the documented anomalies.
      for key in Set(header.masks.keys).subtracting(covered) {
        XCTAssertTrue(report.contains("'\(key)_MASK'"), "\(path): \(key) missing from Specs and not reported")
      }

      // Enums: every typedef enum with every value, in order.
      XCTAssertEqual(Set(block.enums.map(\.name)), Set(header.enums.map(\.name)), "\(path): enum sets differ")
      for parsed in header.enums {
        let specEnum = block.enums.first { $0.name == parsed.name }
        XCTAssertEqual(specEnum?.values.map(\.name), parsed.values.map(\.0), "\(path): \(parsed.name)")
        XCTAssertEqual(specEnum?.values.map(\.value), parsed.values.map(\.1), "\(path): \(parsed.name)")
      }
    }
  }

  func testGeneratedSwiftEqualsTheKernelHeaders() throws {
    let amd = try amdFolder()
    let (spec, _) = Fixtures.packageSpec
    let generated = URL(fileURLWithPath: Fixtures.packageSpecs).deletingLastPathComponent()
      .appendingPathComponent("Generated").path
    for (name, version, path) in Self.blocks {
      let block = try XCTUnwrap(spec.block(named: name, version: version))
      let header = try KernelHeaders(amd: amd, path: path)
      // The block's module, and what MxRuntimeRegisters declares for it: its registers the runtime
      // uses with their layouts and enums; and the enums several blocks define alike.
      let runtime = generated + "/MxRuntimeRegisters/"
      let shared = try FileManager.default.contentsOfDirectory(atPath: runtime).filter {
        let prefix = block.moduleName.dropFirst("Mx".count)
        return $0.hasPrefix(prefix + "Registers") || $0.hasPrefix(prefix + "Layouts") || $0.hasSuffix("Enums.swift")
      }
      let sharedEnums = generated + "/MxSharedEnums/"
      let swift = try GeneratedModule(
        files: try FileManager.default.contentsOfDirectory(atPath: generated + "/" + block.moduleName).map {
          generated + "/" + block.moduleName + "/" + $0
        } + shared.map { runtime + $0 }
          + FileManager.default.contentsOfDirectory(atPath: sharedEnums).map { sharedEnums + $0 })
      XCTAssertEqual(swift.registers.count, header.offsets.count, "\(path): generated register count")
      for register in block.registers {
        let symbol = Self.symbol(of: register)
        let emitted = try XCTUnwrap(swift.registers[SwiftNaming.identifier(register.name)], "\(symbol) not generated")
        XCTAssertEqual(emitted.offset, header.offsets[symbol], "\(path): generated offset of \(symbol)")
        let prefix =
          register.name.hasPrefix("ix") && register.space != AddressSpace.mmioName
          ? String(register.name.dropFirst(2)) : register.name
        XCTAssertEqual(emitted.fields.count, register.fields.count, "\(path): fields of \(symbol)")
        for field in register.fields {
          let bits = try XCTUnwrap(emitted.fields[SwiftNaming.identifier(field.name)], "\(symbol).\(field.name)")
          let ones: UInt64 = (1 << UInt64(bits.width)) - 1
          let mask = ones << UInt64(bits.lsb)
          XCTAssertEqual(
            mask, header.masks[prefix + "__" + field.name], "\(path): generated mask of \(symbol).\(field.name)")
          XCTAssertEqual(UInt64(bits.lsb), header.shifts[prefix + "__" + field.name])
        }
      }
      for parsed in header.enums {
        let emitted = try XCTUnwrap(swift.enums[parsed.name], "\(path): enum \(parsed.name) not generated")
        for (valueName, value) in parsed.values {
          XCTAssertEqual(emitted[SwiftNaming.identifier(valueName)], value, "\(path): \(parsed.name).\(valueName)")
        }
      }
    }
  }

  func testImportReproducesTheCommittedSpecsByteForByte() throws {
    let amd = try amdFolder()
    let tree = try KernelTree(path: amd)
    for headers in HeaderSet.known {
      let first = try tree.importBlock(headers, only: headers.slice.map(Set.init))
      let second = try tree.importBlock(headers, only: headers.slice.map(Set.init))
      XCTAssertEqual(first.xml, second.xml, "\(headers.id): import is not deterministic")
      let committed = try String(
        contentsOfFile: "\(Fixtures.packageSpecs)/blocks/\(headers.folder)/\(headers.prefix).xml", encoding: .utf8)
      XCTAssertTrue(
        first.xml == committed, "\(headers.id): Specs differ from a fresh import; run `swift run gen import`")
    }
    let structures = try tree.importStructures()
    XCTAssertEqual(structures.xml, try tree.importStructures().xml, "structure import is not deterministic")
    let committed = try String(contentsOfFile: "\(Fixtures.packageSpecs)/structures/vi_structs.xml", encoding: .utf8)
    XCTAssertTrue(
      structures.xml == committed, "Specs/structures differ from a fresh import; run `swift run gen import`")
    let interrupts = try tree.importInterruptSources()
    let committedInterrupts = try String(
      contentsOfFile: "\(Fixtures.packageSpecs)/interrupts/ivsrcid_vislands30.xml", encoding: .utf8)
    XCTAssertTrue(
      interrupts.xml == committedInterrupts, "Specs/interrupts differ from a fresh import; run `swift run gen import`")
    let opcodes = try tree.importOpcodeNames()
    let committedOpcodes = try String(
      contentsOfFile: "\(Fixtures.packageSpecs)/packets/vid_opcodes.xml", encoding: .utf8)
    XCTAssertTrue(
      opcodes.xml == committedOpcodes,
      "Specs/packets/vid_opcodes.xml differs from a fresh import; run `swift run gen import`")
    let clearState = try tree.importClearState()
    let committedClearState = try String(
      contentsOfFile: "\(Fixtures.packageSpecs)/clearstate/clearstate_vi.xml", encoding: .utf8)
    XCTAssertTrue(
      clearState.xml == committedClearState, "Specs/clearstate differs from a fresh import; run `swift run gen import`")
  }

  /// Every packet of the PM4 spec that vid.h names (`#define PACKET3_<NAME> <opcode>`) has its
  /// opcode there; all but the KIQ's few that only kfd's headers name are checked.
  func testEveryPacketOpcodeEqualsVidH() throws {
    let text = try String(contentsOfFile: try amdFolder() + "/amdgpu/vid.h", encoding: .utf8)
    var opcodes: [String: UInt32] = [:]
    for line in text.split(separator: "\n") where line.hasPrefix("#define") {
      let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
      guard words.count >= 3, words[1].hasPrefix("PACKET3_"), words[2].hasPrefix("0x") else { continue }
      opcodes[String(words[1].dropFirst("PACKET3_".count))] = UInt32(words[2].dropFirst(2), radix: 16)
    }
    let (spec, diagnostics) = Fixtures.packageSpec
    XCTAssertFalse(diagnostics.hasErrors)
    var checked: [String] = []
    for packet in spec.packetSets.flatMap(\.packets) where packet.type == 3 {
      guard let opcode = opcodes[packet.name] else { continue }
      XCTAssertEqual(packet.opcode.map(UInt32.init), opcode, "\(packet.name): vid.h says \(Hex.plain(opcode))")
      checked.append(packet.name)
    }
    for gfx in [
      "PREAMBLE_CNTL", "CLEAR_STATE", "SET_BASE", "SWITCH_BUFFER", "COND_EXEC", "PFP_SYNC_ME", "SURFACE_SYNC",
    ] {
      XCTAssertTrue(checked.contains(gfx), "\(gfx) is not in vid.h or not in the spec")
    }
    XCTAssertGreaterThan(checked.count, 20)
  }

  /// The header's clear state read here with a plain scan — each array's dwords in order, each
  /// extent's offset and count — against the generated extents: the same dwords at the same
  /// offsets, in the same order, as `gfx_v8_0_cp_gfx_start` sends them.
  func testTheClearStateEqualsTheKernelHeader() throws {
    let text = try String(contentsOfFile: try amdFolder() + "/amdgpu/clearstate_vi.h", encoding: .utf8)
    var arrays: [String: [UInt32]] = [:]
    var current: String?
    var extents: [(array: String, start: UInt32, count: Int)] = []
    for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
      if line.hasPrefix("static const unsigned int ") {
        current = String(line.dropFirst("static const unsigned int ".count).prefix { $0 != "[" })
      } else if line.hasPrefix("};") || line.hasPrefix("static") {
        current = nil
      } else if let name = current, let word = line.split(separator: ",").first, line.contains("//") {
        arrays[name, default: []].append(word.hasPrefix("0x") ? UInt32(word.dropFirst(2), radix: 16)! : UInt32(word)!)
      } else if line.hasPrefix("{vi_SECT_CONTEXT_def_") {
        let fields = line.trimmingCharacters(in: CharacterSet(charactersIn: "{}, ")).split(separator: ",")
          .map { $0.trimmingCharacters(in: .whitespaces) }
        extents.append((fields[0], UInt32(fields[1].dropFirst(2), radix: 16)!, Int(fields[2])!))
      }
    }
    XCTAssertEqual(extents.count, 7)
    let generated = try String(
      contentsOfFile: Fixtures.packageGenerated + "/MxClearState/ViClearState.swift", encoding: .utf8)
    var emitted: [(start: UInt32, values: [UInt32])] = []
    for line in generated.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
      if line.hasPrefix("registerOffset: 0x") {
        emitted.append(
          (UInt32(line.dropFirst("registerOffset: 0x".count).dropLast().filter { $0 != "_" }, radix: 16)!, []))
      } else if line.hasPrefix("0x"), line.contains("//") {
        let literal = line.prefix { $0 != "," && $0 != " " }.dropFirst(2).filter { $0 != "_" }
        emitted[emitted.count - 1].values.append(UInt32(literal, radix: 16)!)
      }
    }
    XCTAssertEqual(emitted.map(\.start), extents.map(\.start))
    for (extent, generated) in zip(extents, emitted) {
      XCTAssertEqual(arrays[extent.array]?.count, extent.count, extent.array)
      XCTAssertEqual(generated.values, arrays[extent.array], extent.array)
    }
    XCTAssertEqual(emitted.reduce(0) { $0 + $1.values.count }, 885)
  }

  /// Every `VISLANDS30_IV_SRCID_` macro of the header, read here with a plain `#define` scan:
  /// the generated constant of its name has its value (the two the header repeats, identical).
  func testInterruptSourcesEqualTheKernelHeader() throws {
    let amd = try amdFolder()
    let text = try String(contentsOfFile: amd + "/include/ivsrcid/ivsrcid_vislands30.h", encoding: .utf8)
    let generated = try String(
      contentsOfFile: Fixtures.packageGenerated + "/MxInterruptSources/Vislands30InterruptSource.swift",
      encoding: .utf8)
    var checked = 0
    for line in text.split(separator: "\n") where line.hasPrefix("#define VISLANDS30_IV_SRCID_") {
      let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
      let name = String(words[1].dropFirst("VISLANDS30_IV_SRCID_".count))
      let value = words[2].hasPrefix("0x") ? UInt32(words[2].dropFirst(2), radix: 16)! : UInt32(words[2])!
      guard value <= 0xFF else { continue }  // VM_CONTEXT_ALL: not a real source ID, the header says
      let literal = "0x" + String(value, radix: 16, uppercase: true)
      XCTAssertTrue(
        generated.contains("public static let \(name) = Self(sourceID: \(literal)"), "\(name) is not \(literal)")
      checked += 1
    }
    XCTAssertGreaterThan(checked, 100)
  }

  /// Overlays live apart from the imported specs: `gen import` rewrites the block and leaves
  /// them as they were, and they still apply.
  func testAReimportKeepsTheOverlays() throws {
    let amd = try amdFolder()
    let specs = try Fixtures.temporaryFolder() + "/Specs"
    try FileManager.default.copyItem(atPath: Fixtures.packageSpecs, toPath: specs)
    let overlays = Fixtures.snapshot(specs + "/overlays")
    XCTAssertFalse(overlays.isEmpty)
    try FileManager.default.removeItem(atPath: specs + "/blocks/bif/bif_5_0.xml")
    let run = try ExecutableRun("gen", ["import", "--kernel", amd, "--specs", specs, "--block", "bif_5_0"])
    XCTAssertEqual(run.status, 0, run.stderr)
    XCTAssertEqual(Fixtures.snapshot(specs + "/overlays"), overlays)
    let (spec, diagnostics) = Generator().check(specsAt: specs)
    XCTAssertFalse(diagnostics.hasErrors, "\(diagnostics.sorted)")
    let control = try XCTUnwrap(spec.block(id: "bif_5_0")?.registers.first { $0.name == "MAILBOX_CONTROL" })
    XCTAssertEqual(control.fields.first { $0.name == "TRN_MSG_ACK" }.map(control.access(of:)), .readOnly)
  }

  /// Every structure of include/vi_structs.h, read here with a separate minimal parser: the same
  /// members at the same dwords, the same sizes; and the MQD's HQD dwords 128...181 mirror the
  /// registers from mmCP_MQD_BASE_ADDR on, in order, as the driver commits them (facts 3.6).
  func testStructuresEqualTheKernelHeader() throws {
    let amd = try amdFolder()
    let (spec, diagnostics) = Fixtures.packageSpec
    XCTAssertFalse(diagnostics.hasErrors)
    let text = try String(contentsOfFile: amd + "/include/vi_structs.h", encoding: .utf8)
    var sizes: [String: Int] = [:]
    var current: String?
    var offset = 0
    for line in text.split(separator: "\n").map({ $0.split(separator: "/")[0...].first.map(String.init) ?? "" }) {
      let words = line.split(whereSeparator: { " \t;".contains($0) }).map(String.init)
      if words.count == 3 && words[0] == "struct" && words[2] == "{" {
        (current, offset) = (words[1], 0)
      } else if let name = current, words.first == "}" {
        sizes[name] = offset
        current = nil
      } else if let name = current, words.count >= 2 {
        let member = words.last!.split(separator: "[")[0]
        let count = words.last!.contains("[") ? Int(words.last!.split(separator: "[")[1].dropLast())! : 1
        let structure = try XCTUnwrap(spec.structures.first { $0.name == name }, name)
        let specMember = try XCTUnwrap(structure.members.first { $0.name == member }, "\(name).\(member)")
        XCTAssertEqual(specMember.dword, offset, "\(name).\(member)")
        offset += words[0] == "struct" ? try XCTUnwrap(sizes[words[1]]) : count
      }
    }
    XCTAssertEqual(sizes.count, spec.structures.count)
    for structure in spec.structures { XCTAssertEqual(structure.sizeInDwords, sizes[structure.name], structure.name) }
    XCTAssertEqual(sizes["vi_mqd"], 512)
    XCTAssertEqual(sizes["vi_mqd_allocation"], 516)

    let gfx = try KernelHeaders(amd: amd, path: "gca/gfx_8_0")
    let mqd = try XCTUnwrap(spec.structures.first { $0.name == "vi_mqd" })
    for dword in 128...181 {
      let member = try XCTUnwrap(mqd.members.first { $0.dword == dword })
      let register = try XCTUnwrap(member.register, "vi_mqd.\(member.name) mirrors no register")
      XCTAssertEqual(gfx.offsets["mm" + register], 0x3245 + UInt64(dword - 128), "vi_mqd.\(member.name) ↔ \(register)")
    }
  }

  static func symbol(of register: Register) -> String {
    if register.space == AddressSpace.mmioName { return "mm" + register.name }
    return register.name.hasPrefix("ix") ? register.name : "ix" + register.name
  }
}

/// One block's headers, read with a deliberately separate, minimal parser.
struct KernelHeaders {
  var offsets: [String: UInt64] = [:]
  var masks: [String: UInt64] = [:]
  var shifts: [String: UInt64] = [:]
  var enums: [(name: String, values: [(String, UInt64)])] = []

  init(amd: String, path: String) throws {
    let base = amd + "/include/asic_reg/" + path
    for (name, value) in try Self.defines(base + "_d.h") where name.hasPrefix("mm") || name.hasPrefix("ix") {
      offsets[name] = value
    }
    for (name, value) in try Self.defines(base + "_sh_mask.h") {
      if name.hasSuffix("__SHIFT") {
        shifts[String(name.dropLast(7))] = value
      } else if name.hasSuffix("_MASK") {
        masks[String(name.dropLast(5))] = value
      }
    }
    guard let text = try? String(contentsOfFile: base + "_enum.h", encoding: .utf8) else { return }
    var current: (name: String, values: [(String, UInt64)])?
    var next: UInt64 = 0
    for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
      if line.hasPrefix("typedef enum ") {
        current = (String(line.split(separator: " ")[2]), [])
        next = 0
      } else if line.hasPrefix("}"), let done = current {
        enums.append(done)
        current = nil
      } else if current != nil, let entry = line.split(separator: ",").first, !entry.isEmpty {
        let parts = entry.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
        if parts.count == 2 { next = Self.number(parts[1])! }
        current!.values.append((parts[0], next))
        next += 1
      }
    }
  }

  static func defines(_ file: String) throws -> [(String, UInt64)] {
    try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").compactMap { line in
      let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
      guard words.count >= 3, words[0] == "#define", let value = number(String(words[2])) else { return nil }
      return (String(words[1]), value)
    }
  }

  /// C integer literal, with its `U`/`L` suffixes (gfx_8_0 writes some masks as `0x00000fc0L`).
  static func number(_ text: String) -> UInt64? {
    let digits = text.trimmingCharacters(in: CharacterSet(charactersIn: "uUlL"))
    return digits.hasPrefix("0x") ? UInt64(digits.dropFirst(2), radix: 16) : UInt64(digits)
  }
}

/// Registers, fields and enum values read back from the text of a generated module.
struct GeneratedModule {
  struct EmittedRegister {
    var offset: UInt64?
    var fields: [String: (lsb: Int, width: Int)] = [:]
  }

  var registers: [String: EmittedRegister] = [:]
  var enums: [String: [String: UInt64]] = [:]

  init(files: [String]) throws {
    let field = try NSRegularExpression(
      // The brace on the next line when the declaration is too long for one.
      pattern: #"static var (\w+): (?:RegisterField|ReadOnlyField)<Self, \w+>\s*\{"#
        + #"\s*\.init\(lsb: (\d+), width: (\d+)\)"#)
    let place = try NSRegularExpression(pattern: #"RegisterInfo\(\s*offset: (0x[0-9A-F_]+),"#)
    let value = try NSRegularExpression(pattern: #"static var (\w+): Self \{\s*Self\(rawValue: (0x[0-9A-F_]+)\)"#)
    // A layout protocol's extension declares the fields of every register that conforms to it.
    var layouts: [String: [String: (lsb: Int, width: Int)]] = [:]
    var conformances: [String: String] = [:]
    for file in files where file.hasSuffix(".swift") {
      let text = try String(contentsOfFile: file, encoding: .utf8)
      let declarations = text.components(separatedBy: "\npublic ").dropFirst()
        .filter { $0.hasPrefix("enum ") || $0.hasPrefix("struct ") || $0.hasPrefix("protocol ") }
      for declaration in declarations {
        let chunk = String(declaration.drop { $0 != " " }.dropFirst())
        let name = String(chunk.prefix { $0 != ":" })
        let body = chunk as NSString
        let range = NSRange(location: 0, length: body.length)
        func hex(_ s: String) -> UInt64 { UInt64(s.dropFirst(2).filter { $0 != "_" }, radix: 16)! }
        func fields() -> [String: (lsb: Int, width: Int)] {
          var fields: [String: (lsb: Int, width: Int)] = [:]
          for match in field.matches(in: chunk, range: range) {
            fields[body.substring(with: match.range(at: 1))] = (
              Int(body.substring(with: match.range(at: 2)))!, Int(body.substring(with: match.range(at: 3)))!
            )
          }
          return fields
        }
        if declaration.hasPrefix("protocol ") {
          layouts[name] = fields()
          continue
        }
        if chunk.contains(": RegisterEnum") {
          var values: [String: UInt64] = [:]
          for match in value.matches(in: chunk, range: range) {
            values[body.substring(with: match.range(at: 1))] = hex(body.substring(with: match.range(at: 2)))
          }
          enums[name] = values
          continue
        }
        var register = EmittedRegister()
        if let match = place.firstMatch(in: chunk, range: range) {
          register.offset = hex(body.substring(with: match.range(at: 1)))
        }
        register.fields = fields()
        conformances[name] = String(chunk.dropFirst(name.count + 2).prefix { !$0.isWhitespace && $0 != "{" })
        registers[name] = register
      }
    }
    for (name, conformance) in conformances {
      if let fields = layouts[conformance] { registers[name]?.fields = fields }
    }
  }
}
