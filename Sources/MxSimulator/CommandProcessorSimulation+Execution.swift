import MxPM4
import MxPM4Packets

/// How a queue runs: the ring from its read pointer to its write pointer, an indirect buffer when
/// the ring enters one, packet by packet; a packet that cannot finish yet (a wait) leaves the
/// queue where it is, to go on when it can.
extension CommandProcessorSimulation {
  /// What running one packet came to.
  enum Outcome {
    /// Done: the queue moves past it.
    case done
    /// A WAIT_REG_MEM whose condition does not hold yet: the queue stays on it and polls again
    /// after `interval`.
    case blocked(on: String, interval: Duration)
    /// INDIRECT_BUFFER: the queue moves past it into the buffer.
    case enter(IndirectBufferPosition)
    /// COND_EXEC whose condition is 0: the queue moves past it and this many dwords after it.
    case skip(Int)
    /// The CP's pace allows no more packets in this period: the queue stays before the packet and
    /// goes on when the period ends (`CommandProcessorSimulation+Pace.swift`).
    case paced
    /// The CP would hang on it.
    case hang(String)
  }

  /// Runs queue `index` as far as it goes: its indirect buffer first, if it is in one, then the
  /// ring; then reports the read pointer if the queue had anything to do (or `report`, after a
  /// doorbell) — an idle queue writes nothing, and neither does one that may not run now (a
  /// switched-out VF's: after SAVE_GPU_STATE its read pointer is in the hardware CSA).
  func run(_ index: Int, report: Bool = false, _ state: inout State) {
    guard state.mayRun(index) else { return }
    let before = state.queues[index]
    guard report || before.readPointer != before.writePointer || before.indirectBuffer != nil else { return }
    while state.mayRun(index) && !state.queues[index].hung && !state.queues[index].retired {
      if let buffer = state.queues[index].indirectBuffer {
        guard runIndirectBuffer(buffer, queue: index, &state) else { break }
        continue
      }
      let queue = state.queues[index]
      guard queue.readPointer != queue.writePointer, runRing(index, &state) else { break }
    }
    if !state.queues[index].hung && !state.queues[index].retired { reportReadPointer(index, &state) }
  }

  /// Runs the ring from the read pointer to the write pointer (or until a packet blocks, enters
  /// an indirect buffer or hangs); whether the queue can go on at once.
  private func runRing(_ index: Int, _ state: inout State) -> Bool {
    let queue = state.queues[index]
    let mask = UInt64(queue.ringDwords - 1)
    guard fetchRing(queue, dwords: Int((queue.writePointer &- queue.readPointer) & mask), &state) else {
      hang(index, "ring of doorbell \(queue.doorbell) lies outside memory", &state)
      return false
    }
    let dwords = state.ringScratch
    var position = 0
    defer { state.queues[index].readPointer = (queue.readPointer + UInt64(position)) & mask }
    while position < dwords.count {
      // The pads that fill every commit to 256 dwords, taken without decoding.
      if dwords[position] == Self.nopPad && !injectedHang(index, &state) {
        state.packetCount += 1
        position += 1
        continue
      }
      switch step(in: dwords, at: &position, queue: index, indirect: false, &state) {
      case .done, .skip: continue
      case .enter(let buffer):
        state.queues[index].indirectBuffer = buffer
        return true
      case .blocked, .hang, .paced: return false
      }
    }
    return true
  }

  /// Runs the rest of the queue's indirect buffer; whether the queue can go on at once.
  private func runIndirectBuffer(_ buffer: IndirectBufferPosition, queue index: Int, _ state: inout State) -> Bool {
    let start = buffer.address + UInt64(buffer.offset) * 4
    let fetched: Void? = memory.withBytes(at: start, count: (buffer.dwords - buffer.offset) * 4, writing: false) {
      bytes in
      state.bufferScratch.removeAll(keepingCapacity: true)
      state.bufferScratch.append(contentsOf: bytes.bindMemory(to: UInt32.self))
    }
    guard fetched != nil else {
      hang(index, "indirect buffer at 0x\(String(start, radix: 16)) lies outside memory", &state)
      return false
    }
    let dwords = state.bufferScratch
    var position = 0
    while position < dwords.count {
      switch step(in: dwords, at: &position, queue: index, indirect: true, &state) {
      case .done, .skip: continue
      case .enter(let next):
        // CHAIN: the next buffer replaces this one.
        state.queues[index].indirectBuffer = next
        return true
      case .blocked, .hang, .paced:
        state.queues[index].indirectBuffer?.offset = buffer.offset + position
        return false
      }
    }
    state.queues[index].indirectBuffer = nil
    return true
  }

  /// Whether the injected hang (`Faults.hangAfterPackets`) comes now; it hangs the queue if so.
  private func injectedHang(_ index: Int, _ state: inout State) -> Bool {
    guard let limit = state.faults.hangAfterPackets, state.packetCount >= limit else { return false }
    hang(index, "hang injected after \(limit) packets", &state)
    return true
  }

  /// Decodes and runs the packet at `position` of `dwords`, moving `position` past it unless it
  /// blocks or hangs.
  private func step(
    in dwords: [UInt32], at position: inout Int, queue index: Int, indirect: Bool, _ state: inout State
  ) -> Outcome {
    let doorbell = state.queues[index].doorbell
    // A queue its own packet stopped (the KIQ unmapping itself) goes no further, as a hung one.
    if state.queues[index].hung || state.queues[index].retired || injectedHang(index, &state) {
      return .hang("stopped")
    }
    guard spendPacketTime(&state) else { return .paced }
    let decoded: DecodedPM4Packet<Pm4ViPacket>
    do {
      decoded = try Pm4ViPacket.decodePacket(in: dwords, at: position)
    } catch {
      let reason = Self.describe(error)
      hang(index, "doorbell \(doorbell): \(reason)", &state)
      return .hang(reason)
    }
    let dropped = state.faults.droppedPackets.contains(state.packetCount)
    state.packetCount += 1
    record(decoded, of: dwords, doorbell: doorbell, dropped: dropped, indirect: indirect, &state)
    let outcome =
      dropped
      ? Outcome.done
      : execute(decoded.packet, payload: dwords[decoded.payload], queue: index, indirect: indirect, &state)
    switch outcome {
    case .done, .enter, .skip:
      var skipped = 0
      if case .skip(let count) = outcome { skipped = count }
      position = min(position + decoded.dwordCount + skipped, dwords.count)
      state.queues[index].waitingFor = nil
      state.queues[index].lastPoll = nil
    case .blocked(let condition, let interval):
      state.queues[index].waitingFor = condition
      schedulePoll(of: state.queues[index], after: interval, &state)
    case .hang(let reason):
      hang(index, "doorbell \(doorbell): \(reason)", &state)
    case .paced:
      break
    }
    return outcome
  }

  /// Why a stream does not decode; a packet vid.h names but the spec lays out none of is said by
  /// name: a draw, a dispatch, or another packet the model does not run.
  static func describe(_ error: PM4DecodingError) -> String {
    guard case .unknownOpcode(let opcode, _) = error, let name = Pm4ViPacket.opcodeName(opcode) else {
      return "\(error)"
    }
    return
      "\(name) (opcode 0x\(String(opcode, radix: 16, uppercase: true))) is not run by this CP: it has no shaders, and no layout for it"
  }

  /// Logs a packet run (or dropped) in `executed`; a one-dword NOP is not worth a line.
  func record(
    _ decoded: DecodedPM4Packet<Pm4ViPacket>, of dwords: [UInt32], doorbell: UInt32, dropped: Bool = false,
    indirect: Bool, constantEngine: Bool = false, _ state: inout State
  ) {
    guard state.log.isRecording, !(decoded.dwordCount == 1 && decoded.packet == .NOP(NOP())) else { return }
    state.log.append(
      Executed(
        time: now, doorbell: doorbell, packet: decoded.packet, payload: Array(dwords[decoded.payload]),
        dwords: Array(dwords[decoded.index..<decoded.index + decoded.dwordCount]), dropped: dropped,
        indirect: indirect, constantEngine: constantEngine))
  }

  /// Copies the `dwords` ring dwords from the read pointer on into the ring scratch buffer.
  private func fetchRing(_ queue: Queue, dwords: Int, _ state: inout State) -> Bool {
    state.ringScratch.removeAll(keepingCapacity: true)
    let first = min(dwords, queue.ringDwords - Int(queue.readPointer))
    let start = queue.ringAddress + queue.readPointer * 4
    let head: Void? = memory.withBytes(at: start, count: first * 4, writing: false) { bytes in
      state.ringScratch.append(contentsOf: bytes.bindMemory(to: UInt32.self))
    }
    guard head != nil else { return false }
    guard dwords > first else { return true }
    let tail: Void? = memory.withBytes(at: queue.ringAddress, count: (dwords - first) * 4, writing: false) { bytes in
      state.ringScratch.append(contentsOf: bytes.bindMemory(to: UInt32.self))
    }
    return tail != nil
  }

  private func reportReadPointer(_ index: Int, _ state: inout State) {
    let queue = state.queues[index]
    let value = state.faults.readPointer ?? UInt32(truncatingIfNeeded: queue.readPointer)
    if !memory.write32(value, at: queue.readPointerAddress) {
      hang(index, "read pointer address of doorbell \(queue.doorbell) lies outside memory", &state)
    }
  }

  // MARK: Waits

  /// A blocked queue looks again after `interval` on the scheduler's time line, and then at
  /// doubling intervals up to `longestPoll` (not at all without a scheduler: then only another
  /// queue's writes wake it); one poll is pending per queue at a time. A poll that comes due after
  /// a reset, or for a queue no longer waiting, does nothing; one that comes while the VF is
  /// switched out is taken up when it is switched in.
  ///
  /// The model's choice: a real CP polls at the packet's interval for as long as it waits; the
  /// back-off keeps a queue that waits for seconds of virtual time from costing millions of
  /// events. What the CP itself writes wakes every waiting queue at once, so a wait on another
  /// queue's fence or value ends without a poll.
  private func schedulePoll(of queue: Queue, after interval: Duration, _ state: inout State) {
    guard let scheduler, let index = state.queues.firstIndex(where: { $0.slot == queue.slot && !$0.retired }),
      !state.queues[index].pollPending
    else { return }
    let delay = min(max(interval, (state.queues[index].lastPoll ?? .zero) * 2), Self.longestPoll)
    state.queues[index].pollPending = true
    state.queues[index].lastPoll = delay
    let (generation, slot) = (state.generation, queue.slot)
    scheduler.schedule(after: delay) { [weak self] in
      guard let self else { return }
      self.update { state in
        guard state.generation == generation,
          let index = state.queues.firstIndex(where: { $0.slot == slot && !$0.retired })
        else { return }
        state.queues[index].pollPending = false
        guard state.mayRun(index), state.queues[index].waitingFor != nil else { return }
        self.run(index, &state)
        self.runBlockedQueuesAfterWrites(&state)
      }
    }
  }

  /// The longest a waiting queue goes without looking again.
  static let longestPoll: Duration = .milliseconds(1)

  /// PACKET3(NOP, 0x3FFF): the one-dword pad that fills every ring to its alignment.
  static let nopPad: UInt32 = 0xFFFF_1000
}
