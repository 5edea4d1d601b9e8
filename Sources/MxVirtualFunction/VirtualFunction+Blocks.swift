/// The VF's IP blocks in the driver's order (`vi_set_ip_blocks` for a Tonga or Fiji VF, as far
/// as the VF has them): the VI common block's mailbox and golden registers, writeback and the
/// CSA (set up right after the GMC), the interrupt handler (`tonga_ih`), the KIQ and the compute
/// rings, and the GFX ring (`gfx_v8_0`, one block in the kernel). Hardware init runs in this
/// order, fini in reverse.
extension VirtualFunction {
  func makeBlocks() -> [any VirtualFunctionBlock<Registers, Doorbells, Memory, C>] {
    [
      MailboxBlock<Registers, Doorbells, Memory, C>(),
      GoldenRegistersBlock<Registers, Doorbells, Memory, C>(),
      WritebackBlock<Registers, Doorbells, Memory, C>(),
      InterruptHandlerBlock<Registers, Doorbells, Memory, C>(),
      ComputeBlock<Registers, Doorbells, Memory, C>(),
      GraphicsBlock<Registers, Doorbells, Memory, C>(),
    ]
  }
}
