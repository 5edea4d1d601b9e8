import MxPM4
import MxPM4Packets

/// An indirect buffer submitted on the GFX ring (`struct amdgpu_ib` with its job's VMID), and how
/// a VF emits it (`gfx_v8_0_ring_emit_ib_gfx`): INDIRECT_BUFFER, or INDIRECT_BUFFER_CONST for a
/// constant-engine IB; a preemptible IB gets PRE_ENB, and — unless it is a CE IB or runs in
/// VMID 0 — the DE metadata written into the CSA just before it.
public struct GFXIndirectBuffer: Equatable, Sendable {
  /// GPU virtual address, dword-aligned.
  public var address: UInt64
  public var lengthDwords: UInt32
  public var vmid: UInt8
  /// `AMDGPU_IB_FLAG_CE`.
  public var constantEngine: Bool
  /// `AMDGPU_IB_FLAG_PREEMPT`.
  public var preemptible: Bool

  public init(
    address: UInt64, lengthDwords: UInt32, vmid: UInt8, constantEngine: Bool = false, preemptible: Bool = false
  ) {
    self.address = address
    self.lengthDwords = lengthDwords
    self.vmid = vmid
    self.constantEngine = constantEngine
    self.preemptible = preemptible
  }

  /// Whether a VF writes the DE metadata before this IB.
  public var carriesDrawEngineMetadata: Bool { preemptible && !constantEngine && vmid != 0 }

  /// Emits the IB as a VF does, with the DE metadata for `csa` in `layout` when it needs it.
  ///
  /// The address is cut as the kernel cuts it (bits 1:0 and 63:48 dropped: a sign-extended
  /// address keeps its low 48 bits). A length or VMID wider than its field (20 and 4 bits) is
  /// `PM4EncodingError.valueDoesNotFit` with nothing written, where the kernel would OR it into
  /// the neighbouring bits.
  public func emit(csa: ContextSaveArea, layout: CSAMetadataLayout, into sink: inout some PM4Sink)
    throws(PM4EncodingError)
  {
    let base = UInt32(truncatingIfNeeded: address) >> 2
    let high = UInt16(truncatingIfNeeded: address >> 32)
    try withUnsafeTemporaryAllocation(of: UInt32.self, capacity: Self.packetDwords) {
      (packet) throws(PM4EncodingError) in
      // The IB packet is built first, so that a bad length or VMID leaves the sink as it was.
      var ib = PM4Buffer(base: packet.baseAddress!, capacity: Self.packetDwords)
      if constantEngine {
        try INDIRECT_BUFFER_CONST(
          IB_BASE_LO: base, IB_BASE_HI: high, IB_SIZE: lengthDwords, PRE_ENB: preemptible, VMID: vmid
        )
        .encode(into: &ib)
      } else {
        try INDIRECT_BUFFER(IB_BASE_LO: base, IB_BASE_HI: high, IB_SIZE: lengthDwords, PRE_ENB: preemptible, VMID: vmid)
          .encode(into: &ib)
      }
      if carriesDrawEngineMetadata {
        try sink.reserve(CSAMetadata.drawEngineDwords(layout) + Self.packetDwords)
        try CSAMetadata.emitDrawEngine(csa: csa, layout: layout, into: &sink)
      }
      try sink.reserve(Self.packetDwords)
      for dword in packet { sink.put(dword) }
    }
  }

  /// INDIRECT_BUFFER(_CONST) is a header and three body dwords.
  static let packetDwords = 4
}
