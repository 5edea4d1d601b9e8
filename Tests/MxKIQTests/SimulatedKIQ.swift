import MxKIQ
import MxMMIO
import MxMemory
import MxSimulator
import MxStructures

/// A simulated device with its KIQ brought up: GPU memory, the CP, writeback, and the KIQ's ring,
/// MQD and EOP buffer at the driver's placement. Shared by the KIQ tests.
struct SimulatedKIQ {
  let memory = SimulatedGPUMemory()
  let clock = VirtualClock()
  let cp: CommandProcessorSimulation
  var writeback: WritebackSlots
  let ring: Ring
  let mqd: GPUAllocation
  let queue: QueueDescription

  /// - Parameter doorbells: what the ring's doorbell writes go through (the CP's by default).
  init(
    chip: VIChip = .fiji, faults: CommandProcessorSimulation.Faults = .init(),
    doorbells: ((CommandProcessorSimulation.Doorbells) -> any RegisterBus)? = nil
  ) throws {
    cp = CommandProcessorSimulation(memory: memory, scheduler: clock, faults: faults)
    writeback = try WritebackSlots(gpuMemory: memory)
    ring = try Ring(
      name: "kiq_2.1.0", sizeInBytes: Ring.sizeInBytes(submissionDepth: 256), doorbellIndex: 0,
      doorbells: doorbells?(cp.doorbells) ?? cp.doorbells, memory: memory, writeback: &writeback)
    mqd = try memory.allocate(bytes: vi_mqd_allocation.byteCount, domain: .vram)
    let eop = try memory.allocate(bytes: MQDProgramming.eopBytes, domain: .gtt)
    queue = QueueDescription(kind: .kiq, placement: ComputeTopology.kiqQueue()!, ring: ring, mqd: mqd, eop: eop)
    try KIQBringUp.initializeKIQ(try vi_mqd_allocation(in: mqd.cpu), queue: queue, chip: chip, registers: cp.registers)
  }
}
