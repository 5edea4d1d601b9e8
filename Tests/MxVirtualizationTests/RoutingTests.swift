import MxBIF50
import MxGFX80
import MxKIQ
import MxLock
import MxMMIO
import MxMemory
import MxSimulator
import MxStructures
import MxVirtualization
import XCTest

/// `RREG32`/`WREG32` routed as the VI driver routes them (facts 0, 1.5), on the simulated CP.
final class RoutingTests: XCTestCase {
  private final class StateBox: Sendable {
    let state = Lock(AccessState.exclusive(.initialization))
  }

  func testRoutesPerAccessState() {
    typealias Routing = GuestRegisterRouting<CommandProcessorSimulation.Registers, VirtualClock>
    let scratch = SCRATCH_REG0.info.offset
    XCTAssertEqual(Routing.route(scratch, in: .exclusive(.initialization)), .direct)
    XCTAssertEqual(Routing.route(scratch, in: .exclusive(.reset)), .direct)
    XCTAssertEqual(Routing.route(scratch, in: .runtime), .kiq)
    XCTAssertEqual(Routing.route(MAILBOX_CONTROL.info.offset, in: .runtime), .direct)
    XCTAssertEqual(Routing.route(MM_DATA.info.offset, in: .runtime), .direct)
    XCTAssertEqual(Routing.route(0x1AD, in: .runtime), .direct, "SMC_IND_DATA_11")
    XCTAssertEqual(Routing.route(scratch, in: .idle), .refused)
    XCTAssertEqual(Routing.route(MAILBOX_CONTROL.info.offset, in: .resetting), .refused)
    XCTAssertEqual(NoKIQRegisters.offsets.count, 11)
  }

  func testTheSameTypedCodeRunsDirectThenThroughTheKIQ() async throws {
    let memory = SimulatedGPUMemory()
    let clock = VirtualClock()
    let cp = CommandProcessorSimulation(memory: memory, scheduler: clock)
    let registers = TracingBus(cp.registers)
    var writeback = try WritebackSlots(gpuMemory: memory)
    let ring = try Ring(
      name: "kiq", sizeInBytes: Ring.sizeInBytes(submissionDepth: 256), doorbellIndex: 0, doorbells: cp.doorbells,
      memory: memory, writeback: &writeback)
    let mqd = try memory.allocate(bytes: vi_mqd_allocation.byteCount, domain: .vram)
    let eop = try memory.allocate(bytes: 4096, domain: .gtt)
    let kiq = QueueDescription(kind: .kiq, placement: ComputeTopology.kiqQueue()!, ring: ring, mqd: mqd, eop: eop)
    try KIQBringUp.initializeKIQ(try vi_mqd_allocation(in: mqd.cpu), queue: kiq, chip: .tonga, registers: cp.registers)
    let box = StateBox()
    let routing = GuestRegisterRouting(
      direct: registers, kiq: KIQRegisterAccess(ring: ring, readSlot: writeback.allocate()!, clock: clock),
      accessState: { box.state.withLock { $0 } })

    /// Driver code generic over any async bus.
    func bump(_ bus: some AsyncRegisterBus) async throws {
      try await bus.modify(SCRATCH_REG2.self) { $0[SCRATCH_REG2.SCRATCH_REG2] += 1 }
    }

    registers.clearTrace()
    try await bump(routing)
    XCTAssertEqual(registers.trace.count, 2, "exclusive: one MMIO read, one MMIO write")
    box.state.withLock { $0 = .runtime }
    registers.clearTrace()
    try await bump(routing)
    XCTAssertEqual(registers.trace, [], "runtime: no MMIO, the CP did it")
    XCTAssertEqual(cp.registers.read32(at: SCRATCH_REG2.info.offset), 2)
    try await routing.write32(0x1, at: MAILBOX_CONTROL.info.offset)
    XCTAssertEqual(registers.trace, [.write(offset: MAILBOX_CONTROL.info.offset, value: 1)], "the mailbox stays MMIO")

    box.state.withLock { $0 = .resetting }
    do {
      _ = try await routing.read32(at: SCRATCH_REG2.info.offset)
      XCTFail("read during a host reset")
    } catch {
      XCTAssertEqual(error, .noAccess(.resetting))
    }
  }
}

/// A recording bus that may cross into the routing's async calls.
private final class TracingBus<Bus: RegisterBus & Sendable>: RegisterBus, Sendable {
  let bus: Bus
  private let accesses = Lock<[BusAccess]>([])
  init(_ bus: Bus) { self.bus = bus }

  var trace: [BusAccess] { accesses.withLock { $0 } }
  func clearTrace() { accesses.withLock { $0.removeAll() } }

  func read32(at offset: UInt32) -> UInt32 {
    let value = bus.read32(at: offset)
    accesses.withLock { $0.append(.read(offset: offset, value: value)) }
    return value
  }

  func write32(_ value: UInt32, at offset: UInt32) {
    accesses.withLock { $0.append(.write(offset: offset, value: value)) }
    bus.write32(value, at: offset)
  }
}
