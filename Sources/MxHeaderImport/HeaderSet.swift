/// One versioned block's register headers in a kernel tree.
public struct HeaderSet: Sendable, Hashable {
  /// Block name as the specs use it (`bif`, `gfx`).
  public var block: String
  public var version: String
  /// Folder below `include/asic_reg/` (`bif`, `gca`).
  public var folder: String
  /// File prefix (`bif_5_0`).
  public var prefix: String

  public init(block: String, version: String, folder: String, prefix: String) {
    self.block = block
    self.version = version
    self.folder = folder
    self.prefix = prefix
  }

  /// The blocks the VI SR-IOV path uses (facts sheet section 5).
  public static let known: [HeaderSet] = [
    HeaderSet(block: "bif", version: "5.0", folder: "bif", prefix: "bif_5_0"),
    HeaderSet(block: "gfx", version: "8.0", folder: "gca", prefix: "gfx_8_0"),
    HeaderSet(block: "gmc", version: "8.1", folder: "gmc", prefix: "gmc_8_1"),
    HeaderSet(block: "oss", version: "3.0", folder: "oss", prefix: "oss_3_0"),
  ]

  public var id: String { prefix }

  /// Paths relative to the `drivers/gpu/drm/amd` folder of a kernel tree.
  public var offsetsHeader: String { "include/asic_reg/\(folder)/\(prefix)_d.h" }
  public var masksHeader: String { "include/asic_reg/\(folder)/\(prefix)_sh_mask.h" }
  public var enumsHeader: String { "include/asic_reg/\(folder)/\(prefix)_enum.h" }
}
