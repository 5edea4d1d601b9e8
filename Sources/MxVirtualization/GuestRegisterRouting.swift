import MxKIQ
import MxMMIO
import MxRuntimeRegisters

/// A VF's register access routed as the VI driver routes `RREG32`/`WREG32` (facts 0, 1.5):
///
/// | access state | route |
/// |---|---|
/// | exclusive (init, teardown, reset) | direct MMIO |
/// | runtime | through the KIQ, except the registers the driver always reaches directly |
/// | idle, or the host resetting the VF | refused |
///
/// The registers always reached directly (`NO_KIQ` in the driver): the mailbox (MAILBOX_CONTROL,
/// _MSGBUF_TRN_DW0, _MSGBUF_RCV_DW0, _INT_CNTL), the PCIE and SMC index/data pairs, and the VRAM
/// window MM_INDEX/MM_INDEX_HI/MM_DATA. A GPU reset in progress (the driver fails to take its
/// reset semaphore) also goes direct: that is `.exclusive(.reset)` here.
///
/// Decision: where the driver reads 0 and drops writes once hardware access is lost
/// (`no_hw_access`, `amdgpu_device_skip_hw_access`), this refuses with a typed error, so a caller
/// cannot mistake "no access" for a register value.
public struct GuestRegisterRouting<Direct: RegisterBus & Sendable, C: Clock>: AsyncRegisterBus
where C.Duration == Duration {
  public enum Failure: Error, Equatable, Sendable {
    /// The VF may not touch the hardware in this state.
    case noAccess(AccessState)
    case kiq(KIQAccessError)
  }

  /// Where an access goes.
  public enum Route: Equatable, Sendable {
    case direct
    case kiq
    case refused
  }

  public let direct: Direct
  public let kiq: KIQRegisterAccess<C>
  /// The guest's access state now (the mailbox's, in a whole VF).
  public let accessState: @Sendable () async -> AccessState

  public init(direct: Direct, kiq: KIQRegisterAccess<C>, accessState: @escaping @Sendable () async -> AccessState) {
    self.direct = direct
    self.kiq = kiq
    self.accessState = accessState
  }

  /// Where an access to `offset` goes in `state`.
  public static func route(_ offset: UInt32, in state: AccessState) -> Route {
    switch state {
    case .exclusive: .direct
    case .runtime: NoKIQRegisters.offsets.contains(offset) ? .direct : .kiq
    case .idle, .resetting: .refused
    }
  }

  public func read32(at offset: UInt32) async throws(Failure) -> UInt32 {
    try await read32(at: offset, context: .normal)
  }

  public func write32(_ value: UInt32, at offset: UInt32) async throws(Failure) {
    try await write32(value, at: offset, context: .normal)
  }

  /// A read from `context` (an interrupt handler gives up on the KIQ after one poll).
  public func read32(at offset: UInt32, context: KIQAccessContext) async throws(Failure) -> UInt32 {
    let state = await accessState()
    switch Self.route(offset, in: state) {
    case .direct: return direct.read32(at: offset)
    case .refused: throw .noAccess(state)
    case .kiq:
      do {
        return try await kiq.read(offset, context: context)
      } catch {
        throw .kiq(error)
      }
    }
  }

  /// A write from `context`.
  public func write32(_ value: UInt32, at offset: UInt32, context: KIQAccessContext) async throws(Failure) {
    let state = await accessState()
    switch Self.route(offset, in: state) {
    case .direct: direct.write32(value, at: offset)
    case .refused: throw .noAccess(state)
    case .kiq:
      do {
        try await kiq.write(value, at: offset, context: context)
      } catch {
        throw .kiq(error)
      }
    }
  }
}

/// The registers the VI driver never reaches through the KIQ (its `NO_KIQ` accesses, facts 1.5),
/// by dword offset.
public enum NoKIQRegisters {
  public static let offsets: Set<UInt32> = [
    MAILBOX_CONTROL.info.offset, MAILBOX_MSGBUF_TRN_DW0.info.offset, MAILBOX_MSGBUF_RCV_DW0.info.offset,
    MAILBOX_INT_CNTL.info.offset, PCIE_INDEX.info.offset, PCIE_DATA.info.offset, SMC_IND_INDEX_11.info.offset,
    SMC_IND_DATA_11.info.offset, MM_INDEX.info.offset, MM_INDEX_HI.info.offset, MM_DATA.info.offset,
  ]
}
