import MxGFX80
import MxLock
import MxMMIO
import MxMemory
import MxOSS30
import MxPM4
import MxSimulator

/// A CP alone on a virtual clock with queues committed by MMIO, each a ring in GPU memory with
/// its read and write pointers: packets go straight into the ring, a doorbell runs them.
struct TestCP {
  let memory = SimulatedGPUMemory()
  let clock = VirtualClock()
  let cp: CommandProcessorSimulation
  let interrupts = Lock<[SimulatedInterrupt]>([])

  init() {
    cp = CommandProcessorSimulation(memory: memory, scheduler: clock)
    let interrupts = interrupts
    cp.connectInterrupts { interrupt in interrupts.withLock { $0.append(interrupt) } }
  }

  /// A queue on ME 1, `pipe`, `queue`, with a ring of 256 dwords and doorbell `doorbell`.
  struct Queue {
    let ring: GPUAllocation
    let pointers: GPUAllocation
    let doorbell: UInt32
    var writePointer: UInt64 = 0
  }

  func queue(pipe: UInt32 = 0, queue: UInt32 = 0, doorbell: UInt32) throws -> Queue {
    let ring = try memory.allocate(bytes: 1024, domain: .gtt)
    let pointers = try memory.allocate(bytes: 16, domain: .gtt)
    let registers = cp.registers
    registers.write(SRBM_GFX_CNTL.self) {
      $0[SRBM_GFX_CNTL.MEID] = 1
      $0[SRBM_GFX_CNTL.PIPEID] = UInt8(pipe)
      $0[SRBM_GFX_CNTL.QUEUEID] = UInt8(queue)
    }
    registers.write32(UInt32(truncatingIfNeeded: ring.gpuAddress >> 8), at: CP_HQD_PQ_BASE.info.offset)
    registers.write32(UInt32(ring.gpuAddress >> 40), at: CP_HQD_PQ_BASE_HI.info.offset)
    registers.write(CP_HQD_PQ_CONTROL.self) { $0[CP_HQD_PQ_CONTROL.QUEUE_SIZE] = 7 }  // 2^8 dwords
    registers.write32(UInt32(truncatingIfNeeded: pointers.gpuAddress), at: CP_HQD_PQ_RPTR_REPORT_ADDR.info.offset)
    registers.write32(UInt32(pointers.gpuAddress >> 32), at: CP_HQD_PQ_RPTR_REPORT_ADDR_HI.info.offset)
    registers.write(CP_HQD_PQ_DOORBELL_CONTROL.self) { $0[CP_HQD_PQ_DOORBELL_CONTROL.DOORBELL_OFFSET] = doorbell }
    registers.write32(1, at: CP_HQD_ACTIVE.info.offset)
    return Queue(ring: ring, pointers: pointers, doorbell: doorbell)
  }

  /// Writes packets at the queue's write pointer and rings its doorbell.
  func submit(_ queue: inout Queue, _ build: (inout PM4Ring) throws -> Void) rethrows {
    var sink = PM4Ring(
      base: queue.ring.cpu.baseAddress!.assumingMemoryBound(to: UInt32.self), mask: 255,
      writePointer: queue.writePointer, allowance: 256)
    try build(&sink)
    queue.writePointer = sink.writePointer & 255
    cp.doorbells.write32(UInt32(queue.writePointer), at: queue.doorbell)
  }

  /// The read pointer the CP reported.
  func readPointer(_ queue: Queue) -> UInt32 { queue.pointers.volatileLoad(dwordAt: 0) }
}
