import MxPM4
import MxPM4Packets

/// The GFX ring's constant engine (CE): a second engine beside the draw engine (DE, the ME that
/// runs the ring), with its own RAM, fed the indirect buffers the ring names with
/// INDIRECT_BUFFER_CONST. The user-mode driver writes descriptors into the CE RAM and dumps them
/// to memory there (WRITE_CONST_RAM, LOAD_CONST_RAM, DUMP_CONST_RAM) so that the DE's draws find
/// them; two counters keep the engines in step: the CE raises its counter once its dumps are out
/// (INCREMENT_CE_COUNTER), the DE waits for it before a draw (WAIT_ON_CE_COUNTER) and raises its
/// own after (INCREMENT_DE_COUNTER), and the CE waits for the DE before it overwrites what a draw
/// still reads (WAIT_ON_DE_COUNTER_DIFF). SET_CE_DE_COUNTERS sets both.
///
/// Hardware facts: the CE RAM's size (`adev->gfx.ce_ram_size`, 32 KB on VI) and that the kernel
/// runs CE IBs with INDIRECT_BUFFER_CONST (`gfx_v8_0_ring_emit_ib_gfx`); the packets' layouts and
/// the order the driver stack emits them in are radeonsi's and libdrm's (Specs/packets/pm4_vi.xml).
/// The model's choices: the CE runs a buffer as soon as the DE hands it over, as far as it can go
/// before a WAIT_ON_DE_COUNTER_DIFF holds it, and goes on when the DE moves its counter; it takes
/// no packet time. A real CE reads the ring ahead of the DE on its own; here it sees only what the
/// DE has passed, so a DE that waits on a CE counter nothing handed over yet will raise is a hang
/// with that reason — as is the deadlock of each engine waiting for the other. The ring's own
/// packets, the CE metadata write among them, run on the DE in ring order.
extension CommandProcessorSimulation {
  /// What the CE holds between packets.
  struct ConstantEngine: Equatable {
    /// `adev->gfx.ce_ram_size` on VI, in dwords.
    static let ramDwords = 0x8000 / 4

    /// Buffers handed over and not yet run to their end, the first one running (at its offset).
    var buffers: [IndirectBufferPosition] = []
    var ceCounter: UInt32 = 0
    var deCounter: UInt32 = 0
    /// The CE RAM; empty until something is written to it (it reads as zeros).
    var ram: [UInt32] = []

    /// How far the CE counter is ahead of the DE counter.
    var lead: UInt32 { ceCounter &- deCounter }
  }

  /// The CE's counter, the DE's counter, and how many CE buffers wait for the DE.
  public var constantEngineCounters: (ce: UInt32, de: UInt32, buffersWaiting: Int) {
    state.withLock { state in
      let engine = state.graphics.constantEngine
      return (engine.ceCounter, engine.deCounter, engine.buffers.count)
    }
  }

  /// The DE's side of the CE: INDIRECT_BUFFER_CONST hands a buffer over, WAIT_ON_CE_COUNTER and
  /// INCREMENT_DE_COUNTER are the DE's half of the counters, SET_CE_DE_COUNTERS may come from
  /// either engine; the CE's own packets on the DE are refused.
  func executeConstantEngineSync(_ packet: Pm4ViPacket, queue index: Int, indirect: Bool, _ state: inout State)
    -> Outcome
  {
    guard state.queues[index].me == 0 else {
      return .hang("\(Self.name(of: packet)) is a graphics ring's packet: a compute queue has no constant engine")
    }
    switch packet {
    case .INDIRECT_BUFFER_CONST(let p):
      let entered = enterIndirectBuffer(
        low: p.IB_BASE_LO, high: p.IB_BASE_HI, size: p.IB_SIZE, chain: false, valid: true, vmid: p.VMID,
        swap: p.SWAP, preemptible: p.PRE_ENB, indirect: indirect, name: "INDIRECT_BUFFER_CONST")
      guard case .enter(let buffer) = entered else { return entered }
      state.graphics.constantEngine.buffers.append(buffer)
      runConstantEngine(queue: index, &state)
      return .done
    case .WAIT_ON_CE_COUNTER:
      let engine = state.graphics.constantEngine
      guard engine.lead == 0 || engine.lead >= 1 << 31 else { return .done }
      return .hang(
        engine.buffers.isEmpty
          ? "WAIT_ON_CE_COUNTER: the CE counter (\(engine.ceCounter)) is not ahead of the DE counter "
            + "(\(engine.deCounter)) and no CE buffer handed over would raise it (the model's CE does not "
            + "read the ring ahead of the DE)"
          : "WAIT_ON_CE_COUNTER: the DE waits for the CE, which waits for the DE (WAIT_ON_DE_COUNTER_DIFF)")
    case .INCREMENT_DE_COUNTER:
      state.graphics.constantEngine.deCounter &+= 1
      runConstantEngine(queue: index, &state)
      return .done
    case .SET_CE_DE_COUNTERS(let p):
      (state.graphics.constantEngine.ceCounter, state.graphics.constantEngine.deCounter) = (p.COUNTER, p.COUNTER)
      runConstantEngine(queue: index, &state)
      return .done
    default:
      return .hang("\(Self.name(of: packet)) is the constant engine's: the DE does not run it")
    }
  }

  /// Runs the CE's buffers in order until they are done, one waits for the DE, or one hangs the
  /// ring.
  func runConstantEngine(queue index: Int, _ state: inout State) {
    while let buffer = state.graphics.constantEngine.buffers.first, !state.queues[index].hung {
      let start = buffer.address + UInt64(buffer.offset) * 4
      let fetched = memory.withBytes(at: start, count: (buffer.dwords - buffer.offset) * 4, writing: false) {
        Array($0.bindMemory(to: UInt32.self))
      }
      guard let dwords = fetched else {
        hang(index, "CE: indirect buffer at 0x\(String(start, radix: 16)) lies outside memory", &state)
        return
      }
      var position = 0
      while position < dwords.count {
        let decoded: DecodedPM4Packet<Pm4ViPacket>
        do {
          decoded = try Pm4ViPacket.decodePacket(in: dwords, at: position)
        } catch {
          hang(index, "CE: \(Self.describe(error))", &state)
          return
        }
        state.packetCount += 1
        record(
          decoded, of: dwords, doorbell: state.queues[index].doorbell, indirect: true, constantEngine: true, &state)
        switch executeOnConstantEngine(decoded.packet, payload: dwords[decoded.payload], &state) {
        case .hang(let reason):
          hang(index, "CE: \(reason)", &state)
          return
        case .blocked:
          state.graphics.constantEngine.buffers[0].offset = buffer.offset + position
          return
        default: position += decoded.dwordCount
        }
      }
      state.graphics.constantEngine.buffers.removeFirst()
    }
  }

  /// One packet of a CE buffer: `.done`, `.hang`, or `.blocked` on a WAIT_ON_DE_COUNTER_DIFF — the
  /// CE stays on it until the DE moves its counter.
  private func executeOnConstantEngine(_ packet: Pm4ViPacket, payload: ArraySlice<UInt32>, _ state: inout State)
    -> Outcome
  {
    switch packet {
    case .NOP: return .done
    case .WRITE_CONST_RAM(let p):
      return withConstantRAM(byteOffset: p.OFFSET, dwords: payload.count, packet: "WRITE_CONST_RAM", &state) {
        $0.replaceSubrange($0.indices, with: payload)
      }
    case .LOAD_CONST_RAM(let p):
      let address = UInt64(p.ADDR_HI) << 32 | UInt64(p.ADDR_LO)
      let count = Int(p.NUM_DW)
      guard
        let values = memory.withBytes(
          at: address, count: count * 4, writing: false, { Array($0.bindMemory(to: UInt32.self)) })
      else {
        return .hang("LOAD_CONST_RAM from 0x\(String(address, radix: 16)) of \(count) dwords lies outside memory")
      }
      return withConstantRAM(byteOffset: p.OFFSET, dwords: count, packet: "LOAD_CONST_RAM", &state) {
        $0.replaceSubrange($0.indices, with: values)
      }
    case .DUMP_CONST_RAM(let p):
      var values: [UInt32] = []
      let read = withConstantRAM(byteOffset: p.OFFSET, dwords: Int(p.NUM_DW), packet: "DUMP_CONST_RAM", &state) {
        values = Array($0)
      }
      guard case .done = read else { return read }
      return writeMemory(values, at: UInt64(p.ADDR_HI) << 32 | UInt64(p.ADDR_LO), &state)
    case .INCREMENT_CE_COUNTER(let p):
      guard p.CNTRSEL == 1 else {
        return .hang("INCREMENT_CE_COUNTER of counter \(p.CNTRSEL) (only 1, the CE's, is run)")
      }
      state.graphics.constantEngine.ceCounter &+= 1
      return .done
    case .WAIT_ON_DE_COUNTER_DIFF(let p):
      return state.graphics.constantEngine.lead < p.DIFF
        ? .done : .blocked(on: "WAIT_ON_DE_COUNTER_DIFF \(p.DIFF)", interval: .zero)
    case .SET_CE_DE_COUNTERS(let p):
      (state.graphics.constantEngine.ceCounter, state.graphics.constantEngine.deCounter) = (p.COUNTER, p.COUNTER)
      return .done
    default:
      return .hang(
        "\(Self.name(of: packet)) is not run by the constant engine (it runs WRITE_CONST_RAM, LOAD_CONST_RAM, "
          + "DUMP_CONST_RAM, INCREMENT_CE_COUNTER, WAIT_ON_DE_COUNTER_DIFF, SET_CE_DE_COUNTERS and NOP)")
    }
  }

  /// `body` on the `dwords` CE RAM dwords from `byteOffset` on, if they lie inside the RAM.
  private func withConstantRAM(
    byteOffset: UInt32, dwords: Int, packet: String, _ state: inout State,
    _ body: (inout ArraySlice<UInt32>) -> Void
  ) -> Outcome {
    let first = Int(byteOffset / 4)
    guard byteOffset % 4 == 0, first + dwords <= ConstantEngine.ramDwords else {
      return .hang(
        "\(packet) of \(dwords) dwords at byte \(byteOffset) of the CE RAM: it holds \(ConstantEngine.ramDwords * 4) "
          + "bytes, addressed by aligned dwords")
    }
    if state.graphics.constantEngine.ram.isEmpty {
      state.graphics.constantEngine.ram = Array(repeating: 0, count: ConstantEngine.ramDwords)
    }
    body(&state.graphics.constantEngine.ram[first..<first + dwords])
    return .done
  }
}
