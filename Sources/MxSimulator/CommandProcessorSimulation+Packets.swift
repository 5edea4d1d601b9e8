import MxBIF50
import MxGFX80
import MxInterruptSources
import MxMMIO
import MxPM4
import MxPM4Packets

/// What each packet does on the simulated CP. Fields come from the generated packet types, so a
/// packet that does not decode never gets here; what a packet asks for that the model does not
/// have (GDS, shaders, the hardware scheduler, a constant engine on a compute queue) is refused
/// with a reason, and the queue hangs.
extension CommandProcessorSimulation {
  /// Runs one packet of queue `index`; `payload` is its variable-length tail.
  func execute(
    _ packet: Pm4ViPacket, payload: ArraySlice<UInt32>, queue index: Int, indirect: Bool, _ state: inout State
  ) -> Outcome {
    switch packet {
    case .NOP, .type2: return .done
    case .type0(let register):
      for (offset, value) in payload.enumerated() { writeRegister(value, at: register + UInt32(offset), &state) }
      return .done
    case .SET_RESOURCES(let p):
      state.queueMask = UInt64(p.QUEUE_MASK_HI) << 32 | UInt64(p.QUEUE_MASK_LO)
      return .done
    case .MAP_QUEUES(let p): return mapQueue(p, &state)
    case .UNMAP_QUEUES(let p): return unmapQueues(p, &state)
    case .QUERY_STATUS(let p):
      let address = UInt64(p.ADDR_HI) << 32 | UInt64(p.ADDR_LO)
      return writeMemory([p.DATA_LO, p.DATA_HI], at: address, &state)
    case .WRITE_DATA(let p): return writeData(p, payload: payload, queue: index, &state)
    case .COPY_DATA(let p): return copyData(p, &state)
    case .SET_CONFIG_REG(let p): return setRegisters(base: 0x2000, p.REG_OFFSET, payload, &state)
    case .SET_SH_REG(let p): return setRegisters(base: 0x2C00, p.REG_OFFSET, payload, &state)
    case .SET_CONTEXT_REG(let p):
      if state.graphics.inClearStatePreamble {
        for (index, value) in payload.enumerated() {
          state.graphics.clearState[0xA000 + UInt32(p.REG_OFFSET) + UInt32(index)] = value
        }
      }
      return setRegisters(base: 0xA000, p.REG_OFFSET, payload, &state)
    case .SET_UCONFIG_REG(let p): return setRegisters(base: 0xC000, p.REG_OFFSET, payload, &state)
    case .INDIRECT_BUFFER(let p):
      // VALID is the MEC's (INDIRECT_BUFFER_VALID, which the kernel sets on compute rings only).
      // PRE_ENB is the GFX ring's (gfx_v8_0_ring_emit_ib_gfx sets it on a VF's preemptible IBs).
      let graphics = state.queues[index].me == 0
      return enterIndirectBuffer(
        low: p.IB_BASE_LO, high: p.IB_BASE_HI, size: p.IB_SIZE, chain: p.CHAIN, valid: p.VALID || graphics,
        vmid: p.VMID, swap: p.SWAP, preemptible: p.PRE_ENB || !graphics, indirect: indirect)
    case .INDIRECT_BUFFER_CONST, .WAIT_ON_CE_COUNTER, .INCREMENT_DE_COUNTER, .SET_CE_DE_COUNTERS, .WRITE_CONST_RAM,
      .LOAD_CONST_RAM, .DUMP_CONST_RAM, .INCREMENT_CE_COUNTER, .WAIT_ON_DE_COUNTER_DIFF:
      return executeConstantEngineSync(packet, queue: index, indirect: indirect, &state)
    case .RELEASE_MEM(let p): return releaseMemory(p, queue: index, &state)
    case .EVENT_WRITE_EOP(let p): return endOfPipe(p, queue: index, &state)
    case .EVENT_WRITE(let p):
      // A flush or partial-flush event has nothing to wait for here (no shaders, no caches); a
      // sample event would write results the model does not have.
      guard payload.isEmpty else { return .hang("EVENT_WRITE of sample event \(p.EVENT_TYPE) is not run") }
      return .done
    case .ACQUIRE_MEM:
      return .done  // decoded (its fields checked); there is no cache to act on
    case .WAIT_REG_MEM(let p): return waitRegisterOrMemory(p, &state)
    case .DMA_DATA(let p): return directMemoryAccess(p, &state)
    case .MAP_PROCESS, .RUN_LIST:
      return .hang("\(Self.name(of: packet)) is not run by this CP (no hardware scheduler)")
    case .CONTEXT_CONTROL, .PREAMBLE_CNTL, .CLEAR_STATE, .SET_BASE, .SWITCH_BUFFER, .COND_EXEC, .PFP_SYNC_ME,
      .SURFACE_SYNC:
      return executeGraphics(packet, payload: payload, queue: index, &state)
    }
  }

  // MARK: Queues

  private func mapQueue(_ p: MAP_QUEUES, _ state: inout State) -> Outcome {
    let mqd = UInt64(p.MQD_ADDR_HI) << 32 | UInt64(p.MQD_ADDR_LO)
    // The HQD registers follow the MQD's first 128 dwords (vi_mqd: header, then cp_mqd_base_addr_lo on).
    let count = Int(Self.hqdRange.upperBound - Self.hqdRange.lowerBound) + 1
    let hqd = memory.withBytes(at: mqd + 128 * 4, count: count * 4, writing: false) { bytes in
      Array(bytes.bindMemory(to: UInt32.self))
    }
    guard let hqd else { return .hang("MAP_QUEUES: MQD at 0x\(String(mqd, radix: 16)) lies outside memory") }
    activate(
      me: p.ME ? 2 : 1, pipe: UInt32(p.PIPE), queue: UInt32(p.QUEUE),
      hqd: { hqd[Int($0 - Self.hqdRange.lowerBound)] }, mqd: mqd, doorbell: p.DOORBELL_OFFSET, &state)
    return .done
  }

  private func unmapQueues(_ p: UNMAP_QUEUES, _ state: inout State) -> Outcome {
    guard case .doorbell(let first) = p.ORDINAL3 else { return .hang("UNMAP_QUEUES by PASID is not run") }
    var doorbells = [first, p.DOORBELL_OFFSET2, p.DOORBELL_OFFSET3]
    if case .doorbell(let second) = p.ORDINAL4 { doorbells.insert(second, at: 1) }
    let unmapped = Set(doorbells.prefix(Int(p.NUM_QUEUES)))
    retire(where: { unmapped.contains($0.doorbell) && $0.mqdAddress != nil }, &state)
    return .done
  }

  // MARK: Registers

  /// A register write from a packet: the CP's own registers, or another model's.
  func writeRegister(_ value: UInt32, at offset: UInt32, _ state: inout State) {
    write(value, at: offset, &state)
    state.wroteSomething = true
  }

  /// What the hardware does at once when the CP's registers are written: an HDP flush request
  /// completes (GPU_HDP_FLUSH_DONE gets the requested clients' bits; there is no cache to
  /// write back).
  func hardwareResponse(toWriteAt offset: UInt32, _ value: UInt32, _ state: inout State) {
    if offset == GPU_HDP_FLUSH_REQ.info.offset {
      state.registers[GPU_HDP_FLUSH_DONE.info.offset, default: 0] |= value
    }
    graphicsRingResponse(toWriteAt: offset, value, &state)
  }

  private func setRegisters(base: UInt32, _ offset: UInt16, _ values: ArraySlice<UInt32>, _ state: inout State)
    -> Outcome
  {
    for (index, value) in values.enumerated() {
      writeRegister(value, at: base + UInt32(offset) + UInt32(index), &state)
    }
    return .done
  }

  private func writeData(_ p: WRITE_DATA, payload: ArraySlice<UInt32>, queue index: Int, _ state: inout State)
    -> Outcome
  {
    switch p.DST_SEL {
    case .REGISTER:
      for (index, value) in payload.enumerated() {
        writeRegister(value, at: p.DST_ADDR_LO + (p.WR_ONE_ADDR ? 0 : UInt32(index)), &state)
      }
      return .done
    case .MEMORY_ASYNC, .MEMORY_SYNC, .TC_L2:
      let address = UInt64(p.DST_ADDR_HI) << 32 | UInt64(p.DST_ADDR_LO)
      return writeMemory(payload, at: address, sameAddress: p.WR_ONE_ADDR, &state)
    case .PREEMPTION_METADATA:
      return writeMetadata(p, payload: payload, queue: index, &state)
    default:
      return .hang("WRITE_DATA to DST_SEL \(p.DST_SEL.rawValue) is not run")
    }
  }

  private func copyData(_ p: COPY_DATA, _ state: inout State) -> Outcome {
    let dwords = p.COUNT_SEL ? 2 : 1
    var values: [UInt32] = []
    switch p.SRC_ADDR_LO {
    case .register(let source):
      guard p.SRC_SEL == 0 else { return .hang("COPY_DATA from SRC_SEL \(p.SRC_SEL) is not run") }
      values = (0..<UInt32(dwords)).map { state.read(source + $0) }
    case .memory(let low):
      guard p.SRC_SEL == 1 || p.SRC_SEL == 2, case .memory(let high) = p.SRC_ADDR_HI else {
        return .hang("COPY_DATA from SRC_SEL \(p.SRC_SEL) is not run")
      }
      let address = UInt64(high) << 32 | UInt64(low)
      for index in 0..<dwords {
        guard let value = memory.read32(at: address + UInt64(index) * 4) else {
          return .hang("COPY_DATA from GPU address 0x\(String(address, radix: 16)) outside memory")
        }
        values.append(value)
      }
    }
    switch (p.DST_ADDR_LO, p.DST_ADDR_HI) {
    case (.register(let destination), _):
      for (index, value) in values.enumerated() { writeRegister(value, at: destination + UInt32(index), &state) }
      return .done
    case (.memory(let low), .memory(let high)):
      guard p.DST_SEL != .REGISTER, p.DST_SEL.rawValue <= 5 else {
        return .hang("COPY_DATA to DST_SEL \(p.DST_SEL.rawValue) is not run")
      }
      return writeMemory(values, at: UInt64(high) << 32 | UInt64(low), &state)
    default:
      return .hang("COPY_DATA with mixed destination layouts")
    }
  }

  // MARK: Memory

  /// Writes `values` to consecutive dwords at `address` (or all to `address`), through the
  /// memory-value fault.
  func writeMemory(
    _ values: some Collection<UInt32>, at address: UInt64, sameAddress: Bool = false, _ state: inout State
  ) -> Outcome {
    for (index, value) in values.enumerated() {
      let target = address + (sameAddress ? 0 : UInt64(index) * 4)
      if !memory.write32(state.faults.memoryValue ?? value, at: target) {
        return .hang("write to GPU address 0x\(String(target, radix: 16)) outside memory")
      }
    }
    state.wroteSomething = true
    return .done
  }

  // MARK: Indirect buffers

  /// The queue goes into the buffer (`IB_BASE_HI:IB_BASE_LO`, 4-byte aligned, IB_SIZE dwords).
  /// One level: the MEC runs an INDIRECT_BUFFER from its ring, and inside one only a CHAIN to the
  /// next. A buffer marked not valid, empty, byte-swapped, or outside memory hangs the queue.
  func enterIndirectBuffer(
    low: UInt32, high: UInt16, size: UInt32, chain: Bool, valid: Bool, vmid: UInt8, swap: UInt8, preemptible: Bool,
    indirect: Bool, name: String = "INDIRECT_BUFFER"
  ) -> Outcome {
    let address = UInt64(high) << 32 | UInt64(low) << 2
    guard valid else { return .hang("\(name) without VALID") }
    guard size > 0 else { return .hang("\(name) of 0 dwords") }
    guard swap == 0 else { return .hang("\(name) with SWAP \(swap) (big-endian) is not run") }
    guard !indirect || chain else { return .hang("\(name) inside an indirect buffer, not chained") }
    guard memory.withBytes(at: address, count: Int(size) * 4, writing: false, { _ in () }) != nil else {
      return .hang("\(name) at 0x\(String(address, radix: 16)) of \(size) dwords lies outside memory")
    }
    return .enter(
      IndirectBufferPosition(
        address: address, dwords: Int(size), offset: 0, vmid: UInt32(vmid), preemptible: preemptible))
  }

  // MARK: End of pipe

  /// RELEASE_MEM on a compute queue (`gfx_v8_0_ring_emit_fence_compute`): writes the data
  /// DATA_SEL chooses to memory, then raises the end-of-pipe interrupt if INT_SEL asks for one
  /// (1 or 2) and the queue's pipe has TIME_STAMP_INT_ENABLE. INT_SEL 3 sends the data after the
  /// write confirmation, without an interrupt (the model's reading of the field's name).
  private func releaseMemory(_ p: RELEASE_MEM, queue index: Int, _ state: inout State) -> Outcome {
    guard p.DST_SEL.rawValue <= 1 else {
      return .hang("RELEASE_MEM to DST_SEL \(p.DST_SEL.rawValue) (a queue's write pointer) is not run")
    }
    let address = UInt64(p.ADDRESS_HI) << 32 | UInt64(p.ADDRESS_LO) << 2
    let written = writeEndOfPipeData(
      select: p.DATA_SEL.rawValue, low: p.DATA_LO, high: p.DATA_HI, at: address, packet: "RELEASE_MEM", &state)
    if case .hang = written { return written }
    if p.INT_SEL == .SEND_INTERRUPT_ONLY || p.INT_SEL == .SEND_INTERRUPT_AFTER_WRITE_CONFIRM {
      raiseEndOfPipe(queue: index, &state)
    }
    return .done
  }

  /// EVENT_WRITE_EOP (`gfx_v8_0_ring_emit_fence_gfx`, and any queue): the same, with the
  /// address's high bits in 16.
  private func endOfPipe(_ p: EVENT_WRITE_EOP, queue index: Int, _ state: inout State) -> Outcome {
    let address = UInt64(p.ADDRESS_HI) << 32 | UInt64(p.ADDRESS_LO) << 2
    let written = writeEndOfPipeData(
      select: p.DATA_SEL.rawValue, low: p.DATA_LO, high: p.DATA_HI, at: address, packet: "EVENT_WRITE_EOP", &state)
    if case .hang = written { return written }
    if p.INT_SEL != .NONE { raiseEndOfPipe(queue: index, &state) }
    return .done
  }

  /// DATA_SEL: 0 nothing, 1 the low 32 bits, 2 all 64, 3 the GPU clock counter (64 bits). The
  /// counter is the scheduler's time in 10 ns steps, a 100 MHz clock: the model's choice.
  private func writeEndOfPipeData(
    select: UInt32, low: UInt32, high: UInt32, at address: UInt64, packet: String, _ state: inout State
  ) -> Outcome {
    switch select {
    case 0: return .done
    case 1: return writeMemory(CollectionOfOne(low), at: address, &state)
    case 2, 3:
      guard address % 8 == 0 else { return .hang("\(packet) of 64 bits to 0x\(String(address, radix: 16))") }
      let value = select == 2 ? UInt64(high) << 32 | UInt64(low) : UInt64(now / .nanoseconds(10))
      let low = writeMemory(CollectionOfOne(UInt32(truncatingIfNeeded: value)), at: address, &state)
      guard case .done = low else { return low }
      return writeMemory(CollectionOfOne(UInt32(truncatingIfNeeded: value >> 32)), at: address + 4, &state)
    default:
      return .hang("\(packet) with DATA_SEL \(select) is not run")
    }
  }

  /// The end-of-pipe interrupt of queue `index` (VISLANDS30_IV_SRCID_CP_END_OF_PIPE), if its
  /// pipe's interrupt control enables time-stamp interrupts; the IV's ring ID is the queue as
  /// `gfx_v8_0_eop_irq` takes it apart: queue in bits 6:4, ME in 3:2, pipe in 1:0.
  private func raiseEndOfPipe(queue index: Int, _ state: inout State) {
    let queue = state.queues[index]
    guard let control = Self.interruptControl(me: queue.me, pipe: queue.pipe),
      RegisterValue<CP_ME1_PIPE0_INT_CNTL>(rawValue: state.registers[control] ?? 0)[
        CP_ME1_PIPE0_INT_CNTL.TIME_STAMP_INT_ENABLE]
    else { return }
    let ringID = (queue.queue & 0x7) << 4 | (queue.me & 0x3) << 2 | queue.pipe & 0x3
    state.interrupts.append(
      SimulatedInterrupt(
        sourceID: Vislands30InterruptSource.CP_END_OF_PIPE.sourceID, ringID: ringID,
        vmid: queue.indirectBuffer?.vmid ?? 0))
  }

  /// The interrupt control register of a MEC pipe (CP_ME1_PIPE0_INT_CNTL … CP_ME2_PIPE3_INT_CNTL),
  /// or of the graphics ring for ME 0 (CP_INT_CNTL_RING0; both have TIME_STAMP_INT_ENABLE at bit 26).
  static func interruptControl(me: UInt32, pipe: UInt32) -> UInt32? {
    switch (me, pipe) {
    case (0, _): return CP_INT_CNTL_RING0.info.offset
    case (1...2, 0..<4): return pipeInterruptControls[Int(me - 1) * 4 + Int(pipe)]
    default: return nil
    }
  }

  private static let pipeInterruptControls = [
    CP_ME1_PIPE0_INT_CNTL.info.offset, CP_ME1_PIPE1_INT_CNTL.info.offset, CP_ME1_PIPE2_INT_CNTL.info.offset,
    CP_ME1_PIPE3_INT_CNTL.info.offset, CP_ME2_PIPE0_INT_CNTL.info.offset, CP_ME2_PIPE1_INT_CNTL.info.offset,
    CP_ME2_PIPE2_INT_CNTL.info.offset, CP_ME2_PIPE3_INT_CNTL.info.offset,
  ]

  // MARK: Waits

  /// WAIT_REG_MEM: the masked register or memory value compared with REFERENCE. OPERATION 1
  /// (write, wait, write — the HDP flush) first writes REFERENCE to register POLL_ADDRESS_LO, then
  /// waits on register POLL_ADDRESS_HI. The poll interval is in units of 16 ns (16 clocks at
  /// 1 GHz), the model's choice: no public source gives the unit.
  private func waitRegisterOrMemory(_ p: WAIT_REG_MEM, _ state: inout State) -> Outcome {
    let value: UInt32
    switch (p.MEM_SPACE, p.OPERATION) {
    case (.REGISTER, .WAIT_REG_MEM):
      value = state.read(p.POLL_ADDRESS_LO)
    case (.REGISTER, .WR_WAIT_WR_REG):
      writeRegister(p.REFERENCE, at: p.POLL_ADDRESS_LO, &state)
      value = state.read(p.POLL_ADDRESS_HI)
    case (.MEMORY, .WAIT_REG_MEM):
      let address = UInt64(p.POLL_ADDRESS_HI) << 32 | UInt64(p.POLL_ADDRESS_LO)
      guard let read = memory.read32(at: address) else {
        return .hang("WAIT_REG_MEM on GPU address 0x\(String(address, radix: 16)) outside memory")
      }
      value = read
    default:
      return .hang("WAIT_REG_MEM with MEM_SPACE \(p.MEM_SPACE.rawValue), OPERATION \(p.OPERATION.rawValue)")
    }
    guard let met = Self.compare(value & p.MASK, p.FUNCTION, p.REFERENCE) else {
      return .hang("WAIT_REG_MEM with FUNCTION \(p.FUNCTION.rawValue)")
    }
    if met { return .done }
    let what =
      switch p.MEM_SPACE {
      case .MEMORY: "memory 0x\(String(UInt64(p.POLL_ADDRESS_HI) << 32 | UInt64(p.POLL_ADDRESS_LO), radix: 16))"
      default:
        "register 0x\(String(p.OPERATION == .WR_WAIT_WR_REG ? p.POLL_ADDRESS_HI : p.POLL_ADDRESS_LO, radix: 16))"
      }
    return .blocked(
      on: "\(what) & 0x\(String(p.MASK, radix: 16)) \(p.FUNCTION) 0x\(String(p.REFERENCE, radix: 16))",
      interval: .nanoseconds(16 * max(1, Int64(p.POLL_INTERVAL))))
  }

  /// The WAIT_REG_MEM compare functions (7 is reserved: nil).
  static func compare(_ value: UInt32, _ function: WAIT_REG_MEM_FUNCTION, _ reference: UInt32) -> Bool? {
    switch function {
    case .ALWAYS: true
    case .LESS: value < reference
    case .LESS_EQUAL: value <= reference
    case .EQUAL: value == reference
    case .NOT_EQUAL: value != reference
    case .GREATER_EQUAL: value >= reference
    case .GREATER: value > reference
    default: nil
    }
  }

  // MARK: CP DMA

  /// DMA_DATA: BYTE_COUNT bytes from memory, a register or the DATA dword (a fill) to memory or a
  /// register. A register side (CMD_SAS / CMD_DAS) takes the address as the register's byte
  /// address and moves dwords, staying on one register when its address does not increment
  /// (CMD_SAIC / CMD_DAIC); the model's reading of the selects (the driver never uses them).
  /// The endian swaps apply to memory data. GDS is not modelled.
  private func directMemoryAccess(_ p: DMA_DATA, _ state: inout State) -> Outcome {
    let bytes = Int(p.BYTE_COUNT)
    guard p.SRC_SEL != .GDS, p.DST_SEL != .GDS else { return .hang("DMA_DATA with GDS is not run") }
    guard p.DST_SEL.rawValue <= 3, p.SRC_SEL.rawValue <= 3 else { return .hang("DMA_DATA with reserved selects") }
    let destination = UInt64(p.DST_ADDR_HI) << 32 | UInt64(p.DST_ADDR_LO)
    var data: [UInt8]
    switch p.SRC_ADDR_LO {
    case .data(let fill):
      data = (0..<bytes).map { UInt8(truncatingIfNeeded: fill >> (8 * UInt32($0 % 4))) }
    case .address(let low):
      guard case .address(let high) = p.SRC_ADDR_HI else { return .hang("DMA_DATA with mixed source layouts") }
      let source = UInt64(high) << 32 | UInt64(low)
      if p.CMD_SAS {
        guard bytes % 4 == 0, source % 4 == 0 else { return .hang("DMA_DATA from a register of \(bytes) bytes") }
        let registers = (0..<bytes / 4).map { state.read(UInt32(source / 4) + (p.CMD_SAIC ? 0 : UInt32($0))) }
        data = registers.flatMap { value in (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
      } else if !p.CMD_DAS && p.CMD_SRC_SWAP == .NONE && p.CMD_DST_SWAP == .NONE && !p.CMD_SAIC
        && !p.CMD_DAIC
      {
        // The common case, memory to memory: one copy, no staging.
        guard memory.copy(from: source, to: destination, bytes: bytes) else {
          return .hang(
            "DMA_DATA of \(bytes) bytes from 0x\(String(source, radix: 16)) to 0x\(String(destination, radix: 16)) outside memory"
          )
        }
        state.wroteSomething = true
        return .done
      } else {
        guard
          let read = memory.withBytes(
            at: source, count: p.CMD_SAIC ? min(bytes, 4) : bytes, writing: false,
            {
              Array($0)
            })
        else {
          return .hang("DMA_DATA from 0x\(String(source, radix: 16)) outside memory")
        }
        data = p.CMD_SAIC ? (0..<bytes).map { read[$0 % read.count] } : read
      }
    }
    if !p.CMD_SAS { Self.swapBytes(&data, p.CMD_SRC_SWAP) }
    if !p.CMD_DAS { Self.swapBytes(&data, p.CMD_DST_SWAP) }
    if p.CMD_DAS {
      guard bytes % 4 == 0, destination % 4 == 0 else { return .hang("DMA_DATA to a register of \(bytes) bytes") }
      for index in 0..<bytes / 4 {
        let value = (0..<4).reduce(UInt32(0)) { $0 | UInt32(data[index * 4 + $1]) << (8 * $1) }
        writeRegister(value, at: UInt32(destination / 4) + (p.CMD_DAIC ? 0 : UInt32(index)), &state)
      }
      return .done
    }
    let span = p.CMD_DAIC ? min(bytes, 4) : bytes
    let written: Void? = memory.withBytes(at: destination, count: span, writing: true) { target in
      for (index, byte) in data.enumerated() { target[index % span] = byte }
    }
    guard written != nil else { return .hang("DMA_DATA to 0x\(String(destination, radix: 16)) outside memory") }
    state.wroteSomething = true
    return .done
  }

  /// Swaps bytes in place within 16-, 32- or 64-bit units (a trailing partial unit stays).
  static func swapBytes(_ bytes: inout [UInt8], _ swap: ENDIAN_SWAP) {
    let unit: Int
    switch swap {
    case .SWAP_8_IN_16: unit = 2
    case .SWAP_8_IN_32: unit = 4
    case .SWAP_8_IN_64: unit = 8
    default: return
    }
    var start = 0
    while start + unit <= bytes.count {
      bytes[start..<start + unit].reverse()
      start += unit
    }
  }

  /// A packet's hardware name, for reasons.
  static func name(of packet: Pm4ViPacket) -> String {
    String(describing: packet).prefix { $0 != "(" }.description
  }
}
