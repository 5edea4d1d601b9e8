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
