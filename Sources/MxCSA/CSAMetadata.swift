import MxMemory
import MxPM4
import MxPM4Packets
import MxStructures

/// Which CE/DE metadata layout the driver writes into the CSA (`adev->virt.chained_ib_support`):
/// the chained-IB one when both the CE and the PFP firmware feature versions are 46 or later.
public enum CSAMetadataLayout: Equatable, Sendable {
  /// `vi_gfx_meta_data`: CE payload of 4 dwords, DE payload of 17.
  case regular
  /// `vi_gfx_meta_data_chained_ib`: CE payload of 10 dwords, DE payload of 27.
  case chainedIB

  /// The first firmware feature version with chained-IB metadata.
  public static let chainedIBFeatureVersion: UInt32 = 46

  /// The layout for these firmware feature versions (`gfx_v8_0_init_microcode`).
  public init(constantEngineFeatureVersion: UInt32, prefetchParserFeatureVersion: UInt32) {
    self =
      constantEngineFeatureVersion >= Self.chainedIBFeatureVersion
        && prefetchParserFeatureVersion >= Self.chainedIBFeatureVersion ? .chainedIB : .regular
  }
}

/// The CE and DE metadata a VF writes into its CSA on the GFX ring (`gfx_v8_0_ring_emit_ce_meta`
/// and `_de_meta`, facts 4.3): WRITE_DATA packets whose payload is the metadata structure of the
/// chosen layout, built as a zeroed `vi_gfx_meta_data` (or `_chained_ib`) with only the GDS
/// backup address set, and whose destination is that payload's place in the CSA. Every input is
/// explicit, so the ring dwords can be compared with the kernel's own functions.
///
/// Kernel quirk 6, decided: the packets write with DST_SEL 8, which `vid.h` does not document.
/// The spec names it `PREEMPTION_METADATA` and the value is kept; the CP simulation runs it on
/// the GFX ring as a write of the payload to the address named (docs/CSA.md), nothing more.
public enum CSAMetadata {
  /// Ring dwords each emission takes, by layout: 8 or 14 for the CE, 21 or 31 for the DE.
  public static func constantEngineDwords(_ layout: CSAMetadataLayout) -> Int {
    4 + (layout == .regular ? vi_ce_ib_state.dwordCount : vi_ce_ib_state_chained_ib.dwordCount)
  }

  public static func drawEngineDwords(_ layout: CSAMetadataLayout) -> Int {
    4 + (layout == .regular ? vi_de_ib_state.dwordCount : vi_de_ib_state_chained_ib.dwordCount)
  }

  /// The CE metadata: WRITE_DATA from the constant engine with write confirm, the all-zero CE
  /// payload to the CSA's start. Emitted before CONTEXT_CONTROL in every job-based GFX submission
  /// of a VF.
  public static func emitConstantEngine(
    csa: ContextSaveArea, layout: CSAMetadataLayout, into sink: inout some PM4Sink
  ) throws(PM4EncodingError) {
    try withMetadata(layout) { (metadata) throws(PM4EncodingError) in
      let payload = metadata.constantEngine
      try WRITE_DATA(
        DST_SEL: .PREEMPTION_METADATA, WR_CONFIRM: true, ENGINE_SEL: .CE,
        DST_ADDR_LO: UInt32(truncatingIfNeeded: csa.virtualAddress &+ payload.offset),
        DST_ADDR_HI: UInt32(truncatingIfNeeded: (csa.virtualAddress &+ payload.offset) >> 32)
      ).encode(into: &sink, payload: payload.dwords)
    }
  }

  /// The DE metadata: WRITE_DATA from the prefetch parser with write confirm, the DE payload —
  /// zero but for the GDS backup address — to its place in the CSA (0x100 in both layouts).
  /// Emitted just before a preemptible IB with a non-zero VMID.
  public static func emitDrawEngine(
    csa: ContextSaveArea, layout: CSAMetadataLayout, into sink: inout some PM4Sink
  ) throws(PM4EncodingError) {
    try withMetadata(layout, gdsBackup: csa.gdsBackupAddress) { (metadata) throws(PM4EncodingError) in
      let payload = metadata.drawEngine
      try WRITE_DATA(
        DST_SEL: .PREEMPTION_METADATA, WR_CONFIRM: true, ENGINE_SEL: .PFP,
        DST_ADDR_LO: UInt32(truncatingIfNeeded: csa.virtualAddress &+ payload.offset),
        DST_ADDR_HI: UInt32(truncatingIfNeeded: (csa.virtualAddress &+ payload.offset) >> 32)
      ).encode(into: &sink, payload: payload.dwords)
    }
  }

  /// A payload inside the metadata: its byte offset from the CSA's start and its dwords.
  struct Payload {
    var offset: UInt64
    var dwords: UnsafeBufferPointer<UInt32>
  }

  /// The metadata of `layout` in zeroed temporary memory (on the stack, as the kernel builds its
  /// payload), with the GDS backup address set when given; its CE and DE payloads as views.
  struct Metadata {
    var constantEngine: Payload
    var drawEngine: Payload
  }

  static func withMetadata<E: Error>(
    _ layout: CSAMetadataLayout, gdsBackup: UInt64? = nil, _ body: (Metadata) throws(E) -> Void
  ) throws(E) {
    let byteCount = max(vi_gfx_meta_data.byteCount, vi_gfx_meta_data_chained_ib.byteCount)
    try withUnsafeTemporaryAllocation(byteCount: byteCount, alignment: 16) { (raw) throws(E) in
      let base = raw.baseAddress!
      base.initializeMemory(as: UInt32.self, repeating: 0, count: byteCount / 4)
      func payload(_ view: some MemoryStructure) -> Payload {
        Payload(
          offset: UInt64(base.distance(to: view.base)),
          dwords: UnsafeBufferPointer(
            start: view.base.assumingMemoryBound(to: UInt32.self), count: type(of: view).dwordCount))
      }
      let metadata: Metadata
      switch layout {
      case .regular:
        let meta = vi_gfx_meta_data(unsafeBase: base)
        if let gdsBackup {
          meta.de_payload.gds_backup_addrlo = UInt32(truncatingIfNeeded: gdsBackup)
          meta.de_payload.gds_backup_addrhi = UInt32(truncatingIfNeeded: gdsBackup >> 32)
        }
        metadata = Metadata(constantEngine: payload(meta.ce_payload), drawEngine: payload(meta.de_payload))
      case .chainedIB:
        let meta = vi_gfx_meta_data_chained_ib(unsafeBase: base)
        if let gdsBackup {
          meta.de_payload.gds_backup_addrlo = UInt32(truncatingIfNeeded: gdsBackup)
          meta.de_payload.gds_backup_addrhi = UInt32(truncatingIfNeeded: gdsBackup >> 32)
        }
        metadata = Metadata(constantEngine: payload(meta.ce_payload), drawEngine: payload(meta.de_payload))
      }
      try body(metadata)
    }
  }
}
