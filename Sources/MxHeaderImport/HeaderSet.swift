/// One versioned block's register headers in a kernel tree.
public struct HeaderSet: Sendable, Hashable {
  /// Block name as the specs use it (`bif`, `gfx`).
  public var block: String
  public var version: String
  /// Folder below `include/asic_reg/` (`bif`, `gca`).
  public var folder: String
  /// File prefix (`bif_5_0`).
  public var prefix: String

  /// When set, the project imports only these registers of the block.
  public var slice: [String]?

  public init(block: String, version: String, folder: String, prefix: String, slice: [String]? = nil) {
    self.block = block
    self.version = version
    self.folder = folder
    self.prefix = prefix
    self.slice = slice
  }

  /// What the project imports: the four blocks the VI SR-IOV path uses, complete (facts sheet
  /// section 5), and the registers of two more blocks that the VF golden register sequences of
  /// `amdgpu/mxgpu_vi.c` write (it includes dce_10_0 and smu_7_1_3 for them), plus the SMC
  /// index/data pair the driver always reaches by MMIO (`vi_smc_rreg`, facts 1.5).
  public static let known: [HeaderSet] = [
    HeaderSet(block: "bif", version: "5.0", folder: "bif", prefix: "bif_5_0"),
    HeaderSet(block: "gfx", version: "8.0", folder: "gca", prefix: "gfx_8_0"),
    HeaderSet(block: "gmc", version: "8.1", folder: "gmc", prefix: "gmc_8_1"),
    HeaderSet(block: "oss", version: "3.0", folder: "oss", prefix: "oss_3_0"),
    HeaderSet(
      block: "dce", version: "10.0", folder: "dce", prefix: "dce_10_0",
      slice: [
        "DCI_CLK_CNTL", "FBC_DEBUG_COMP", "FBC_MISC", "HDMI_CONTROL", "XDMA_CLOCK_GATING_CNTL",
        "XDMA_MEM_POWER_CNTL",
      ]),
    HeaderSet(
      block: "smu", version: "7.1.3", folder: "smu", prefix: "smu_7_1_3",
      slice: ["SMC_IND_INDEX_4", "SMC_IND_DATA_4", "SMC_IND_INDEX_11", "SMC_IND_DATA_11"]),
  ]

  public var id: String { prefix }

  /// Paths relative to the `drivers/gpu/drm/amd` folder of a kernel tree.
  public var offsetsHeader: String { "include/asic_reg/\(folder)/\(prefix)_d.h" }
  public var masksHeader: String { "include/asic_reg/\(folder)/\(prefix)_sh_mask.h" }
  public var enumsHeader: String { "include/asic_reg/\(folder)/\(prefix)_enum.h" }
}
