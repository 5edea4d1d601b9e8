import MxChips
import MxKIQ
import MxMMIO
import MxMemory

/// The golden registers of the VI common block's hardware init (`vi_init_golden_registers`,
/// for a VF `xgpu_vi_init_golden_registers`: the chip's MGCG/CGCG, golden settings and common
/// tables, facts 5.3), applied under every grant.
final class GoldenRegistersBlock<
  Registers: RegisterBus & Sendable, Doorbells: RegisterBus & Sendable, Memory: GPUMemory & Sendable, C: Clock
>: VirtualFunctionBlock where C.Duration == Duration {
  typealias Device = VirtualFunction<Registers, Doorbells, Memory, C>

  func hardwareInit(_ vf: isolated Device, afterGrant: Bool) async throws(VirtualFunctionError) {
    let golden = Self.goldenSequences(vf.configuration.chip)
    for sequence in golden { vf.registers.apply(sequence) }
    vf.record(.goldenRegistersApplied(writes: golden.reduce(0) { $0 + $1.count }))
    try await vf.checkpoint()
  }

  static func goldenSequences(_ chip: VIChip) -> [[GoldenWrite]] {
    switch chip {
    case .tonga: Tonga.goldenSequences
    case .fiji: Fiji.goldenSequences
    }
  }
}
