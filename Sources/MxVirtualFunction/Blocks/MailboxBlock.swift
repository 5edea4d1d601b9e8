import MxInterruptSources
import MxMMIO
import MxMemory

/// The mailbox's part of the VI common block (`vi_common` with `mxgpu_vi.c`): its two
/// interrupt sources registered in software init (`xgpu_vi_mailbox_add_irq_id`), enabled in late
/// init (`xgpu_vi_mailbox_get_irq`: VALID, then ACK), disabled in hardware fini
/// (`xgpu_vi_mailbox_put_irq`). The handshakes themselves are the VF's (`GuestMailbox`).
final class MailboxBlock<
  Registers: RegisterBus & Sendable, Doorbells: RegisterBus & Sendable, Memory: GPUMemory & Sendable, C: Clock
>: VirtualFunctionBlock where C.Duration == Duration {
  typealias Device = VirtualFunction<Registers, Doorbells, Memory, C>

  func softwareInit(_ vf: isolated Device) throws(VirtualFunctionError) {
    let mailbox = vf.mailbox
    for source in [Vislands30InterruptSource.BIF_PF_VF_MSGBUF_VALID, .BIF_VF_PF_MSGBUF_ACK] {
      vf.interrupts.register(sourceID: source.sourceID) { mailbox.interruptReceived(sourceID: $0.sourceID) }
    }
  }

  func lateInit(_ vf: isolated Device) async throws(VirtualFunctionError) {
    guard !vf.interruptsEnabled else { return }
    await vf.mailbox.enableInterrupts()
    vf.interruptsEnabled = true
    vf.record(.interruptsEnabled)
  }

  func hardwareFini(_ vf: isolated Device) async throws(VirtualFunctionError) {
    await vf.disableMailboxInterrupts()
  }
}
