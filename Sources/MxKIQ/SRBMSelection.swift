import MxMMIO
import MxRuntimeRegisters

extension RegisterBus {
  /// Runs `body` with the queue `placement` (and `vmid`) selected in SRBM_GFX_CNTL, so that the
  /// banked CP_HQD_* registers are that queue's, and selects ME 0, pipe 0, queue 0 again when
  /// `body` returns or throws (`vi_srbm_select` around the driver's MQD work). The selection
  /// cannot outlive the scope. The driver holds `srbm_mutex` around it; callers serialise
  /// their use of the bus as they do for any other register sequence.
  public func withQueueSelected<Result, Failure: Error>(
    _ placement: QueuePlacement, vmid: UInt32 = 0, _ body: () throws(Failure) -> Result
  ) throws(Failure) -> Result {
    selectQueue(me: placement.me, pipe: placement.pipe, queue: placement.queue, vmid: vmid)
    defer { selectQueue(me: 0, pipe: 0, queue: 0, vmid: 0) }
    return try body()
  }

  private func selectQueue(me: UInt32, pipe: UInt32, queue: UInt32, vmid: UInt32) {
    write(SRBM_GFX_CNTL.self) {
      $0[SRBM_GFX_CNTL.PIPEID] = UInt8(pipe)
      $0[SRBM_GFX_CNTL.MEID] = UInt8(me)
      $0[SRBM_GFX_CNTL.VMID] = UInt8(vmid)
      $0[SRBM_GFX_CNTL.QUEUEID] = UInt8(queue)
    }
  }
}
