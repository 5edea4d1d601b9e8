import MxGFX80
import MxMMIO
import MxPM4Packets

/// The GFX ring: ME 0's one ring, programmed through CP_RB0_* rather than an HQD, run by the
/// same packet loop as the MEC queues (a queue with `me` 0).
///
/// Hardware facts (gfx_v8_0.c): the ring's size, base, read-pointer report address, write-pointer
/// poll address and doorbell are the CP_RB0_* and CP_RB_* registers `gfx_v8_0_cp_gfx_resume`
/// programs; the ring runs once CP_ME_CNTL un-halts the ME and the PFP; a write to CP_RB0_WPTR
/// or its doorbell gives it work. The model's choices: the ring comes up when the ME and PFP are
/// un-halted, from the registers as they are then, and goes when either is halted again; the
/// clear state is what the ring's SET_CONTEXT_REGs wrote between PREAMBLE_CNTL's markers, and
/// CLEAR_STATE writes it into the context registers again; there is one context.
extension CommandProcessorSimulation {
  /// What the GFX ring's own packets leave behind.
  struct GraphicsState {
    /// Between PREAMBLE_CNTL BEGIN_CLEAR_STATE and END_CLEAR_STATE.
    var inClearStatePreamble = false
    /// The context registers' clear state, by offset.
    var clearState: [UInt32: UInt32] = [:]
    /// SET_BASE CE_PARTITION_BASE's two values.
    var constantEnginePartitions: (UInt32, UInt32)?
    /// CE and DE metadata writes (WRITE_DATA to DST_SEL 8) run.
    var metadataWrites = 0
    var constantEngine = ConstantEngine()
  }

  /// How many CE and DE metadata writes the GFX ring ran.
  public var metadataWrites: Int { state.withLock { $0.graphics.metadataWrites } }

  /// WRITE_DATA to DST_SEL 8 (kernel quirk 6, docs/CSA.md): the CE or DE metadata the driver
  /// writes into the CSA, written to the address the packet names — on the GFX ring only.
  func writeMetadata(_ p: WRITE_DATA, payload: ArraySlice<UInt32>, queue index: Int, _ state: inout State) -> Outcome {
    guard state.queues[index].me == 0 else {
      return .hang("WRITE_DATA to DST_SEL 8 (preemption metadata) on a compute queue, which has no CE or DE")
    }
    let address = UInt64(p.DST_ADDR_HI) << 32 | UInt64(p.DST_ADDR_LO)
    let written = writeMemory(payload, at: address, sameAddress: p.WR_ONE_ADDR, &state)
    if case .done = written { state.graphics.metadataWrites += 1 }
    return written
  }

  /// The GFX ring's part of a register write: CP_ME_CNTL brings the ring up or down, CP_RB0_WPTR
  /// gives it work.
  func graphicsRingResponse(toWriteAt offset: UInt32, _ value: UInt32, _ state: inout State) {
    switch offset {
    case CP_ME_CNTL.info.offset:
      let control = RegisterValue<CP_ME_CNTL>(rawValue: value)
      retire(where: { $0.me == 0 }, &state)
      state.graphics.constantEngine = ConstantEngine()
      guard !control[CP_ME_CNTL.ME_HALT], !control[CP_ME_CNTL.PFP_HALT] else { return }
      activateGraphicsRing(&state)
    case CP_RB0_WPTR.info.offset:
      guard let index = state.queues.firstIndex(where: { $0.me == 0 && !$0.hung && !$0.retired }) else { return }
      state.queues[index].writePointer = UInt64(value) & UInt64(state.queues[index].ringDwords - 1)
      guard state.mayRun(index) else { return }
      run(index, &state)
      runBlockedQueuesAfterWrites(&state)
    default: break
    }
  }

  /// The GFX ring from CP_RB0_* as they are: 2^(RB_BUFSZ + 1) dwords (RB_BUFSZ is log2 of the
  /// size in 8-byte units), its doorbell the offset CP_RB_DOORBELL_CONTROL enables (none without).
  private func activateGraphicsRing(_ state: inout State) {
    func register(_ offset: UInt32) -> UInt64 { UInt64(state.registers[offset] ?? 0) }
    let control = RegisterValue<CP_RB0_CNTL>(rawValue: UInt32(register(CP_RB0_CNTL.info.offset)))
    let doorbell = RegisterValue<CP_RB_DOORBELL_CONTROL>(
      rawValue: UInt32(register(CP_RB_DOORBELL_CONTROL.info.offset)))
    let sizeLog2 = Int(control[CP_RB0_CNTL.RB_BUFSZ]) + 1
    var ring = Queue(
      me: 0, pipe: 0, queue: 0,
      doorbell: doorbell[CP_RB_DOORBELL_CONTROL.DOORBELL_EN]
        ? doorbell[CP_RB_DOORBELL_CONTROL.DOORBELL_OFFSET] : Self.noDoorbell,
      ringAddress: (register(CP_RB0_BASE_HI.info.offset) << 32 | register(CP_RB0_BASE.info.offset)) << 8,
      ringDwords: 1 << min(sizeLog2, Self.largestRingLog2),
      readPointerAddress: register(CP_RB0_RPTR_ADDR_HI.info.offset) << 32 | register(CP_RB0_RPTR_ADDR.info.offset),
      writePointerAddress: register(CP_RB_WPTR_POLL_ADDR_HI.info.offset) << 32
        | register(CP_RB_WPTR_POLL_ADDR_LO.info.offset),
      mqdAddress: nil)
    ring.writePointer = register(CP_RB0_WPTR.info.offset) & UInt64(ring.ringDwords - 1)
    if sizeLog2 > Self.largestRingLog2 {
      ring.hung = true
      state.hangs.append(Hang(time: now, doorbell: ring.doorbell, reason: "the GFX ring of 2^\(sizeLog2) dwords"))
    }
    install(ring, &state)
  }

  /// A doorbell no queue has: the GFX ring without CP_RB_DOORBELL_CONTROL's enable.
  static let noDoorbell: UInt32 = .max

  /// The packets only the GFX ring runs; a compute queue refuses them.
  func executeGraphics(_ packet: Pm4ViPacket, payload: ArraySlice<UInt32>, queue index: Int, _ state: inout State)
    -> Outcome
  {
    guard state.queues[index].me == 0 else {
      return .hang("\(Self.name(of: packet)) is a graphics ring's packet: a compute queue does not run it")
    }
    switch packet {
    case .PREAMBLE_CNTL(let p):
      switch p.COMMAND {
      case .BEGIN_CLEAR_STATE: state.graphics.inClearStatePreamble = true
      case .END_CLEAR_STATE: state.graphics.inClearStatePreamble = false
      default: return .hang("PREAMBLE_CNTL command \(p.COMMAND.rawValue)")
      }
      return .done
    case .CLEAR_STATE:
      for (offset, value) in state.graphics.clearState { writeRegister(value, at: offset, &state) }
      return .done
    case .SET_BASE(let p):
      guard p.BASE_INDEX == .CE_PARTITION_BASE else { return .hang("SET_BASE of base \(p.BASE_INDEX.rawValue)") }
      state.graphics.constantEnginePartitions = (p.ADDRESS_LO, p.ADDRESS_HI)
      return .done
    case .COND_EXEC(let p):
      let address = UInt64(p.ADDRESS_HI) << 32 | UInt64(p.ADDRESS_LO)
      guard let condition = memory.read32(at: address) else {
        return .hang("COND_EXEC's condition at 0x\(String(address, radix: 16)) lies outside memory")
      }
      return condition == 0 ? .skip(Int(p.EXEC_COUNT)) : .done
    case .CONTEXT_CONTROL, .SWITCH_BUFFER, .PFP_SYNC_ME, .SURFACE_SYNC:
      // What to load and shadow at a context switch (one context here), the CE's and DE's
      // buffers (no CE here), the PFP waiting for the ME (one engine here), caches (none).
      return .done
    default:
      preconditionFailure("\(Self.name(of: packet)) is not a graphics ring's packet")
    }
  }
}
