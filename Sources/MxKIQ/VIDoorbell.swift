/// The doorbells the VI driver gives its queues and its interrupt ring (`amdgpu_doorbell.h`,
/// `legacy_doorbell_index_init` in `vi.c`; facts 3.7): dword indices into BAR 2.
public enum VIDoorbell {
  /// AMDGPU_DOORBELL_KIQ.
  public static let kiq: UInt32 = 0x000
  /// AMDGPU_DOORBELL_MEC_RING0: kernel compute ring i rings `mecRing0 + i`.
  public static let mecRing0: UInt32 = 0x010
  /// AMDGPU_DOORBELL_MEC_RING7: the eighth compute ring's, the top of the MEC doorbell range.
  public static let mecRing7: UInt32 = 0x017
  /// AMDGPU_DOORBELL_IH: the interrupt ring's read pointer (`tonga_ih_set_rptr`).
  public static let ih: UInt32 = 0x1E8
}
