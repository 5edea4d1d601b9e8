import Foundation
import MxSpecModel
import MxSwiftEmitter

/// The registers the runtime is built on, as one generated module, `MxRuntimeRegisters`: those
/// the specs folder's `runtime.subset` names (the registers the runtime's sources name; a test
/// keeps the two equal), every register an MQD member mirrors, and what those need to compile
/// (the enums of their fields, the index and data registers of their spaces), selected by the
/// same machinery as a consumer's `mxgpukit.subset`.
///
/// The runtime depends on this module instead of the whole-block ones (6,193 registers), so a
/// driver that depends on the runtime compiles a few hundred. The whole-block modules leave out
/// what this module declares and re-export it: a register or enum is one type whether it came
/// through the runtime or through `MxGFX80`, and needs no conversion.
public struct RuntimeRegisters: Sendable {
  public static let moduleName = "MxRuntimeRegisters"
  public static let subsetFileName = "runtime.subset"

  /// The selected part of each block, each enum name once.
  public let blocks: [Block]
  /// For each block of the specs, what of it this module declares.
  public let shared: SharedDeclarations
  public let diagnostics: Diagnostics

  /// The runtime's registers of `spec`, from the `runtime.subset` of the specs folder at `path`;
  /// nil when there is none (specs other than MxGPUKit's).
  public init?(specsAt path: String, spec: Spec) {
    let subsetPath = (path as NSString).appendingPathComponent(Self.subsetFileName)
    guard let data = FileManager.default.contents(atPath: subsetPath) else { return nil }
    var (configuration, diagnostics) = SubsetConfiguration.parse(
      String(decoding: data, as: UTF8.self), path: subsetPath)
    for structure in spec.structures {
      guard let block = structure.registerBlock else { continue }
      for member in structure.members {
        guard let register = member.register else { continue }
        configuration.items.append(
          .init(
            kind: .registers, block: block, pattern: register, location: member.location,
            patternLocation: member.location))
      }
    }
    let selection = SubsetSelection(configuration, from: spec)
    diagnostics.append(contentsOf: selection.diagnostics)

    // An enum several selected blocks define alike is declared once, by the first.
    let enumsOnce = EnumsOnce(selection.spec.blocks)
    for (enumType, earlier) in enumsOnce.conflicts {
      diagnostics.error(
        "the runtime's registers need two different enums named '\(enumType.name)' (the other at \(earlier.location))",
        at: enumType.location)
    }
    self.diagnostics = diagnostics
    blocks = selection.spec.blocks
    self.enumsOnce = enumsOnce.repeated

    // A whole block leaves out its selected registers, and its enums this module declares alike.
    var names: [String: Set<String>] = [:]
    for block in spec.blocks {
      let registers = selection.spec.blocks.first { $0.id == block.id }?.registers.map(\.name) ?? []
      let enums = block.enums.filter { enumsOnce.declared[$0.name]?.definesAlike($0) == true }.map(\.name)
      let all = Set(registers + enums)
      if !all.isEmpty { names[block.id] = all }
    }
    shared = SharedDeclarations(
      module: Self.moduleName, names: names, what: "registers and enums that the runtime is built on",
      why: "so that they are one type for the runtime and for this module's users")
  }

  /// Enums of the selected blocks that an earlier selected block declares alike.
  private let enumsOnce: SharedDeclarations

  /// The module's files: per block its registers and its enums.
  public func files() -> [GeneratedFile] {
    RegisterEmitter(registersPerFile: 100_000, module: Self.moduleName, shared: [enumsOnce]).emit(blocks)
  }
}
