import MxKIQ
import MxMMIO
import MxMemory
import MxStructures

/// What the driver allocates once for the KIQ and the kernel compute queues besides their rings
/// (`gfx_v8_0_sw_init`, facts 3.4) and keeps across resets: the KIQ's MQD (VRAM) and EOP buffer
/// (GTT), each compute queue's MQD (GTT), their EOP buffers (VRAM), and a CPU backup of every
/// MQD once it is initialised. The rings belong to the KIQ's register access and to the compute
/// rings that use them; the queue descriptions hold their addresses.
final class QueueResources {
  let kiqMQD: GPUAllocation
  let kiqEOP: GPUAllocation
  let kiq: QueueDescription
  var kiqBackup: MQDBackup?
  let computeEOP: GPUAllocation
  private(set) var computeMQDs: [GPUAllocation] = []
  private(set) var compute: [QueueDescription] = []
  var computeBackups: [MQDBackup?] = []

  /// Allocates the KIQ's MQD and EOP buffer and the compute EOP buffers (`computeQueueCount`
  /// of them); the KIQ's ring is described by its addresses.
  init(kiqRing: RingAddresses, computeQueueCount: Int, memory: some GPUMemory) throws(VirtualFunctionError) {
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
  }

  /// Where a ring and its pointers are.
  struct RingAddresses: Sendable {
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

  /// Compute queue `index` (in ring order) on `ring`: its MQD allocated in GTT, its EOP buffer
  /// the `index`th of the shared one (`gfx_v8_0_compute_ring_init`).
  func addComputeQueue(ring: RingAddresses, placement: QueuePlacement, highPriority: Bool, memory: some GPUMemory)
    throws(VirtualFunctionError)
  {
    let mqd: GPUAllocation
    do {
      mqd = try memory.allocate(bytes: vi_mqd_allocation.byteCount, domain: .gtt)
    } catch {
      throw .memory(error)
    }
    computeMQDs.append(mqd)
    compute.append(
      QueueDescription(
        kind: .compute(highPriority: highPriority), placement: placement, mqdAddress: mqd.gpuAddress,
        eopAddress: computeEOP.gpuAddress(atByte: compute.count * MQDProgramming.eopBytes), ringAddress: ring.ring,
        ringSizeInBytes: ring.sizeInBytes, readPointerAddress: ring.readPointer, writePointerAddress: ring.writePointer,
        doorbellIndex: ring.doorbell))
    computeBackups.append(nil)
  }

  /// The queue mask SET_RESOURCES carries.
  var queueMask: UInt64 { ComputeTopology.queueMask(compute.map(\.placement)) }

  /// Every buffer the GPU reads from VRAM that is not rebuilt from a backup: the compute EOP
  /// buffers, cleared as after allocation.
  func clearVRAMState() {
    computeEOP.cpu.initializeMemory(as: UInt8.self, repeating: 0)
  }

  /// Every allocation, for freeing.
  var allocations: [GPUAllocation] { computeMQDs + [kiqMQD, kiqEOP, computeEOP] }

  /// The MQD view of an allocation.
  static func mqdView(_ allocation: GPUAllocation) -> vi_mqd_allocation {
    do {
      return try vi_mqd_allocation(in: allocation.cpu)
    } catch {
      preconditionFailure("an MQD allocation holds a vi_mqd_allocation")
    }
  }
}
