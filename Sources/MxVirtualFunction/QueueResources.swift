import MxKIQ
import MxMMIO
import MxMemory
import MxStructures

/// What the driver allocates once for the KIQ and the kernel compute queues (`gfx_v8_0_sw_init`,
/// facts 3.4) and keeps across resets: the KIQ's MQD (VRAM) and EOP buffer (GTT), each compute
/// queue's ring and MQD (GTT), their EOP buffers (VRAM), and a CPU backup of every MQD once it
/// is initialised. The KIQ's ring itself belongs to the `KIQRegisterAccess` that uses it.
final class QueueResources {
  let kiqMQD: GPUAllocation
  let kiqEOP: GPUAllocation
  let kiq: QueueDescription
  var kiqBackup: MQDBackup?
  let computeEOP: GPUAllocation
  let computeRings: [Ring]
  let computeMQDs: [GPUAllocation]
  let compute: [QueueDescription]
  var computeBackups: [MQDBackup?]

  /// Allocates everything but the KIQ's ring, which is described by `kiqRing`'s addresses
  /// (it moves into its access actor).
  init(
    kiqRing: KIQRingAddresses, computeQueueCount: Int, memory: some GPUMemory, doorbells: any RegisterBus,
    writeback: inout WritebackSlots
  ) throws(VirtualFunctionError) {
    do {
      kiqMQD = try memory.allocate(bytes: vi_mqd_allocation.byteCount, domain: .vram)
      kiqEOP = try memory.allocate(bytes: MQDProgramming.eopBytes, domain: .gtt)
      computeEOP = try memory.allocate(bytes: computeQueueCount * MQDProgramming.eopBytes, domain: .vram)
    } catch {
      throw .memory(error)
    }
    guard let kiqPlacement = ComputeTopology.kiqQueue(avoiding: ComputeTopology.computeQueues(count: computeQueueCount))
    else { preconditionFailure("gfx_v8 always has a queue for the KIQ") }
    kiq = QueueDescription(
      kind: .kiq, placement: kiqPlacement, mqdAddress: kiqMQD.gpuAddress, eopAddress: kiqEOP.gpuAddress,
      ringAddress: kiqRing.ring, ringSizeInBytes: kiqRing.sizeInBytes, readPointerAddress: kiqRing.readPointer,
      writePointerAddress: kiqRing.writePointer, doorbellIndex: kiqRing.doorbell)
    var rings: [Ring] = []
    var mqds: [GPUAllocation] = []
    var queues: [QueueDescription] = []
    for (index, placement) in ComputeTopology.computeQueues(count: computeQueueCount).enumerated() {
      let ring: Ring
      let mqd: GPUAllocation
      do {
        ring = try Ring(
          name: "comp_\(placement)", sizeInBytes: Ring.sizeInBytes(submissionDepth: 2),
          doorbellIndex: VIDoorbell.mecRing0 + UInt32(index), doorbells: doorbells, memory: memory,
          writeback: &writeback)
      } catch {
        throw .ring(error)
      }
      do {
        mqd = try memory.allocate(bytes: vi_mqd_allocation.byteCount, domain: .gtt)
      } catch {
        throw .memory(error)
      }
      rings.append(ring)
      mqds.append(mqd)
      queues.append(
        QueueDescription(
          kind: .compute(highPriority: index == 0 && computeQueueCount > 1), placement: placement, ring: ring,
          mqd: mqd, eop: computeEOP, eopOffset: index * MQDProgramming.eopBytes))
    }
    computeRings = rings
    computeMQDs = mqds
    compute = queues
    computeBackups = Array(repeating: nil, count: computeQueueCount)
  }

  /// Where the KIQ's ring and its pointers are.
  struct KIQRingAddresses {
    var ring: UInt64
    var sizeInBytes: Int
    var readPointer: UInt64
    var writePointer: UInt64
    var doorbell: UInt32

    init(_ ring: Ring) {
      (self.ring, sizeInBytes, doorbell) = (ring.buffer.gpuAddress, ring.buffer.size, ring.doorbellIndex)
      (readPointer, writePointer) = (ring.readPointerSlot.gpuAddress, ring.writePointerSlot.gpuAddress)
    }
  }

  /// The queue mask SET_RESOURCES carries.
  var queueMask: UInt64 { ComputeTopology.queueMask(compute.map(\.placement)) }

  /// Every buffer the GPU reads from VRAM that is not rebuilt from a backup: the compute EOP
  /// buffers, cleared as after allocation.
  func clearVRAMState() {
    computeEOP.cpu.initializeMemory(as: UInt8.self, repeating: 0)
  }

  /// The compute queues' MQDs (`gfx_v8_0_kcq_init_queue`): initialised with a backup taken the
  /// first time, put back from it (rings started over) after that.
  func prepareComputeQueues(registers: some RegisterBus) throws(VirtualFunctionError) {
    for index in compute.indices {
      let view: vi_mqd_allocation
      do {
        view = try vi_mqd_allocation(in: computeMQDs[index].cpu)
      } catch {
        preconditionFailure("an MQD allocation holds a vi_mqd_allocation")
      }
      if let backup = computeBackups[index] {
        KIQBringUp.restoreComputeQueue(view, from: backup, ring: computeRings[index])
      } else {
        do {
          try KIQBringUp.initializeComputeQueue(view, queue: compute[index], registers: registers)
        } catch {
          throw .queueSetup(error)
        }
        computeBackups[index] = MQDBackup(of: view)
      }
    }
  }
}
