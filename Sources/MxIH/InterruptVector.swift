/// One interrupt as the IH ring delivers it (`struct amdgpu_iv_entry`, as `tonga_ih_decode_iv`
/// fills it from a 16-byte VI entry).
public struct InterruptVector: Equatable, Hashable, Sendable {
  /// The IH client; VI has one, `AMDGPU_IRQ_CLIENTID_LEGACY` (0).
  public var clientID: UInt32
  /// `src_id`: who raised it (`Vislands30InterruptSource`).
  public var sourceID: UInt32
  /// `src_data[0]`: 28 bits the source adds.
  public var sourceData: UInt32
  /// `ring_id`: for the CP's end of pipe, the queue (ME, pipe, queue).
  public var ringID: UInt32
  public var vmid: UInt32
  public var pasid: UInt32

  /// The client every VI interrupt comes from.
  public static let legacyClient: UInt32 = 0

  public init(
    clientID: UInt32 = Self.legacyClient, sourceID: UInt32, sourceData: UInt32 = 0, ringID: UInt32 = 0,
    vmid: UInt32 = 0, pasid: UInt32 = 0
  ) {
    self.clientID = clientID
    self.sourceID = sourceID
    self.sourceData = sourceData
    self.ringID = ringID
    self.vmid = vmid
    self.pasid = pasid
  }

  /// Decodes a VI IV entry (`tonga_ih_decode_iv`): source ID in bits 7:0 of dword 0, source
  /// data in bits 27:0 of dword 1, ring ID, VMID and PASID in bits 7:0, 15:8 and 31:16 of
  /// dword 2; dword 3 is not read.
  public init(entry dw0: UInt32, _ dw1: UInt32, _ dw2: UInt32, _ dw3: UInt32) {
    _ = dw3
    self.init(
      sourceID: dw0 & 0xFF, sourceData: dw1 & 0x0FFF_FFFF, ringID: dw2 & 0xFF, vmid: dw2 >> 8 & 0xFF,
      pasid: dw2 >> 16 & 0xFFFF)
  }

  /// The CP queue an end-of-pipe interrupt names in its ring ID (`gfx_v8_0_eop_irq`): ME in
  /// bits 3:2, pipe in 1:0, queue in 6:4.
  public var endOfPipeQueue: (me: UInt32, pipe: UInt32, queue: UInt32) {
    ((ringID & 0x0C) >> 2, ringID & 0x03, (ringID & 0x70) >> 4)
  }
}
