import MxGFX80
import MxKIQ
import MxMMIO
import MxMemory
import MxSimulator
import MxStructures

// KIQ register access and bring-up cost (docs/KIQ.md). Usage: kiq-access [N] [--echo]
//   N reads and N writes through KIQRegisterAccess against the simulated CP (default), or with
//   --echo against a stand-in CP that does the access and signals the fence in place without
//   allocating, so a heap count (valgrind) sees only the runtime's own path.

/// The KIQ's doorbell, answered at once: the ring holds COPY_DATA (read) or WRITE_DATA (write)
/// then the fence WRITE_DATA at the allocation's start; do what they say on plain memory.
final class EchoCP: RegisterBus {
  let ring: UnsafeMutablePointer<UInt32>
  let readPointer: WritebackSlot
  let memory: SimulatedGPUMemory
  var register: UInt32 = 0x1234
  init(ring: UnsafeMutablePointer<UInt32>, readPointer: WritebackSlot, memory: SimulatedGPUMemory) {
    self.ring = ring
    self.readPointer = readPointer
    self.memory = memory
  }
  func read32(at offset: UInt32) -> UInt32 { 0 }
  func write32(_ value: UInt32, at offset: UInt32) {
    let start = Int((value &- 256) & 0x3FFFF)
    let isRead = ring[start] == 0xC004_4000
    if isRead {
      memory.write32(register, at: UInt64(ring[start + 5]) << 32 | UInt64(ring[start + 4]))
    } else {
      register = ring[start + 4]
    }
    let fence = start + (isRead ? 6 : 5)
    memory.write32(ring[fence + 4], at: UInt64(ring[fence + 3]) << 32 | UInt64(ring[fence + 2]))
    readPointer.value = value  // everything consumed
  }
}

let arguments = CommandLine.arguments.dropFirst()
let count = arguments.first.flatMap { Int($0) } ?? 100_000
let echo = arguments.contains("--echo")

let memory = SimulatedGPUMemory()
let clock = VirtualClock()
let cp = CommandProcessorSimulation(memory: memory, scheduler: clock)
var writeback = try WritebackSlots(gpuMemory: memory)
let ringBytes = Ring.sizeInBytes(submissionDepth: 256)
/// The KIQ's doorbell, pointed at the CP once the ring exists.
final class LateDoorbell: RegisterBus {
  var target: (any RegisterBus)?
  func read32(at offset: UInt32) -> UInt32 { 0 }
  func write32(_ value: UInt32, at offset: UInt32) { target?.write32(value, at: offset) }
}
let doorbell = LateDoorbell()
let ring = try Ring(
  name: "kiq", sizeInBytes: ringBytes, doorbellIndex: 0, doorbells: doorbell, memory: memory, writeback: &writeback)
let mqd = try memory.allocate(bytes: vi_mqd_allocation.byteCount, domain: .vram)
let eop = try memory.allocate(bytes: 4096, domain: .gtt)
let bringUpStart = ContinuousClock.now
try KIQBringUp.initializeKIQ(
  try vi_mqd_allocation(in: mqd.cpu),
  queue: QueueDescription(kind: .kiq, placement: ComputeTopology.kiqQueue()!, ring: ring, mqd: mqd, eop: eop),
  chip: .fiji, registers: cp.registers)
let bringUp = ContinuousClock.now - bringUpStart
doorbell.target =
  echo
  ? EchoCP(
    ring: ring.buffer.cpu.baseAddress!.assumingMemoryBound(to: UInt32.self), readPointer: ring.readPointerSlot,
    memory: memory)
  : cp.doorbells
let access = KIQRegisterAccess(ring: ring, readSlot: writeback.allocate()!, clock: clock)

// Off the main actor, as a driver's worker would call it: every call hops only between the
// cooperative pool and the KIQ actor.
let start = ContinuousClock.now
let checksum = try await Task.detached {
  var checksum: UInt32 = 0
  for index in 0..<count {
    try await access.write(UInt32(truncatingIfNeeded: index), at: SCRATCH_REG1.info.offset)
    checksum &+= try await access.read(SCRATCH_REG1.info.offset)
  }
  return checksum
}.value
let elapsed = ContinuousClock.now - start
let perAccess = elapsed / (2 * count)
print("KIQ init (MQD init + commit, simulated CP): \(bringUp)")
print(
  "\(2 * count) accesses (\(echo ? "stand-in CP" : "simulated CP")): \(elapsed), \(perAccess) each; virtual time \(clock.now.offset); checksum \(checksum)"
)
