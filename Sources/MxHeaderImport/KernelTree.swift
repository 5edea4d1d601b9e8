import Foundation
import MxSpecModel

/// A Linux kernel tree (or just its `drivers/gpu/drm/amd` folder) to import headers from.
public struct KernelTree: Sendable {
  /// The `drivers/gpu/drm/amd` folder.
  public let amdFolder: String

  public struct NotFound: Error, CustomStringConvertible {
    public var description: String
  }

  /// Accepts the kernel root, or the `amd` folder itself.
  public init(path: String) throws {
    let candidates = [path + "/drivers/gpu/drm/amd", path]
    guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/include/asic_reg") })
    else {
      throw NotFound(description: "'\(path)' holds neither drivers/gpu/drm/amd/include/asic_reg nor include/asic_reg")
    }
    amdFolder = found
  }

  public func read(_ relative: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: amdFolder + "/" + relative) else {
      throw NotFound(description: "cannot read \(amdFolder)/\(relative)")
    }
    return String(decoding: data, as: UTF8.self)
  }

  public func exists(_ relative: String) -> Bool {
    FileManager.default.fileExists(atPath: amdFolder + "/" + relative)
  }

  /// The header the MQD and CE/DE metadata structures come from.
  public static let structuresHeader = "include/vi_structs.h"

  /// Imports the VI memory structures: the spec document and one report line per structure.
  /// Members mirror registers of gfx_8_0 (see `StructureImporter`).
  public func importStructures() throws -> (structures: [Structure], xml: String, report: [String]) {
    guard let gfx = HeaderSet.known.first(where: { $0.id == "gfx_8_0" }) else {
      throw NotFound(description: "no gfx_8_0 header set")
    }
    let registers = Dictionary(
      CHeader(text: try read(gfx.offsetsHeader)).defines.filter { $0.name.hasPrefix("mm") }
        .map { (String($0.name.dropFirst(2)), $0.value) },
      uniquingKeysWith: { first, _ in first })
    let (structures, report) = try StructureImporter(registers: registers, registerBlockID: gfx.id)
      .run(header: try read(Self.structuresHeader), path: Self.structuresHeader)
    let xml = SpecXMLWriter.document(
      for: structures,
      source: "Linux 6.1 drivers/gpu/drm/amd/\(Self.structuresHeader), registers of \(gfx.offsetsHeader)")
    return (structures, xml, report)
  }

  /// The header the VI interrupt sources come from.
  public static let interruptSourcesHeader = "include/ivsrcid/ivsrcid_vislands30.h"

  /// Imports the VI interrupt sources: the spec document and the importer's report.
  public func importInterruptSources() throws -> (set: InterruptSourceSet, xml: String, report: [String]) {
    let (set, report) = try InterruptSourceImporter(setName: "vislands30")
      .run(header: try read(Self.interruptSourcesHeader), path: Self.interruptSourcesHeader)
    let xml = SpecXMLWriter.document(
      for: set, source: "Linux 6.1 drivers/gpu/drm/amd/\(Self.interruptSourcesHeader)",
      doc: "The sources of the VI interrupt handler's IV entries (tonga_ih), as the driver's ivsrcid header names them."
    )
    return (set, xml, report)
  }

  /// The header the VI PM4 opcodes come from.
  public static let opcodesHeader = "amdgpu/vid.h"

  /// Imports the names of the VI PM4 type-3 opcodes, for the `pm4_vi` packet set.
  public func importOpcodeNames() throws -> (names: OpcodeNames, xml: String, report: [String]) {
    let (names, report) = try OpcodeImporter(packetSet: "pm4_vi")
      .run(header: try read(Self.opcodesHeader), path: Self.opcodesHeader)
    let xml = SpecXMLWriter.document(
      for: names, source: "Linux 6.1 drivers/gpu/drm/amd/\(Self.opcodesHeader)",
      doc:
        "Every PM4 type-3 opcode of VI as the driver's vid.h names it (PACKET3_*), so that a decoder names the packets pm4_vi has no layout for."
    )
    return (names, xml, report)
  }

  /// The header the VI clear state comes from.
  public static let clearStateHeader = "amdgpu/clearstate_vi.h"

  /// Imports the VI clear state: the spec document and the importer's report.
  public func importClearState() throws -> (clearState: ClearState, xml: String, report: [String]) {
    let (clearState, report) = try ClearStateImporter(name: "vi", registerBlock: "gfx_8_0")
      .run(header: try read(Self.clearStateHeader), path: Self.clearStateHeader)
    let xml = SpecXMLWriter.document(
      for: clearState, source: "Linux 6.1 drivers/gpu/drm/amd/\(Self.clearStateHeader)",
      doc:
        "The GFX context registers' clear state the VI driver loads when its GFX ring comes up (gfx_v8_0_cp_gfx_start), as vi_cs_data holds it."
    )
    return (clearState, xml, report)
  }

  /// Imports one block: its spec document and the report of what the rules decided.
  public func importBlock(_ headers: HeaderSet, only: Set<String>? = nil) throws -> (
    block: Block, xml: String, report: ImportReport
  ) {
    let enums = exists(headers.enumsHeader) ? try read(headers.enumsHeader) : nil
    let (block, report) = BlockImporter(headers: headers, only: only).run(
      offsets: try read(headers.offsetsHeader), masks: try read(headers.masksHeader), enums: enums)
    let source =
      "Linux 6.1 drivers/gpu/drm/amd/include/asic_reg/\(headers.folder)/\(headers.prefix)_{d,sh_mask\(enums == nil ? "" : ",enum")}.h"
      + (only == nil ? "" : ", registers \(only!.sorted().joined(separator: " "))")
    return (block, SpecXMLWriter.document(for: block, source: source), report)
  }
}
