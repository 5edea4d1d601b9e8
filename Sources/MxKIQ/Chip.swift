/// The VI chips the KIQ bring-up differs on (`adev->asic_type`; CHIP_TONGA < CHIP_FIJI).
public enum VIChip: String, Sendable, CaseIterable {
  case tonga
  case fiji

  /// Kernel quirk 7, decided: Tonga leaves CP_HQD_EOP_RPTR, _WPTR and _WPTR_MEM alone when it
  /// commits an MQD (an erratum; EOP RPTR == WPTR for any inactive HQD), Fiji writes them. We do
  /// as the driver does, per chip, because the registers' contents after a commit are what the
  /// hypervisor saves and restores on a world switch.
  public var commitsEOPPointers: Bool { self != .tonga }

  /// Kernel quirk 7, decided: only chips after Tonga program CP_MEC_DOORBELL_RANGE_LOWER/UPPER
  /// (`asic_type > CHIP_TONGA`); on Tonga the range is left as firmware set it. Done as the driver
  /// does it.
  public var programsMECDoorbellRange: Bool { self != .tonga }
}
