import MxMemory
import MxSimulator
import XCTest

final class GPUMemoryTests: XCTestCase {
  func testAllocationsAreAlignedZeroedAndApartPerDomain() throws {
    let memory = SimulatedGPUMemory()
    let mqd = try memory.allocate(bytes: 2064, domain: .vram)
    let ring = try memory.allocate(bytes: 1 << 20, domain: .gtt)
    let eop = try memory.allocate(bytes: 4096, alignment: 4096, domain: .gtt)
    XCTAssertEqual(mqd.gpuAddress % 4096, 0)
    XCTAssertEqual(ring.gpuAddress, SimulatedGPUMemory.gttBase)
    XCTAssertEqual(eop.gpuAddress, SimulatedGPUMemory.gttBase + (1 << 20))
    XCTAssertEqual(mqd.domain, .vram)
    XCTAssertTrue(mqd.cpu.allSatisfy { $0 == 0 })
    XCTAssertThrowsError(try memory.allocate(bytes: 16, alignment: 3, domain: .gtt)) {
      XCTAssertEqual($0 as? GPUMemoryError, .invalidRequest(bytes: 16, alignment: 3))
    }
    XCTAssertThrowsError(try memory.allocate(bytes: 512 << 20, domain: .vram)) {
      XCTAssertEqual($0 as? GPUMemoryError, .outOfMemory(domain: .vram, bytes: 512 << 20))
    }
  }

  func testGPUAccessesOutsideAnAllocationAreFaultsNotWrites() throws {
    let memory = SimulatedGPUMemory()
    let buffer = try memory.allocate(bytes: 64, domain: .gtt)
    XCTAssertTrue(memory.write32(0x1234, at: buffer.gpuAddress + 60))
    XCTAssertEqual(buffer.cpu.load(fromByteOffset: 60, as: UInt32.self), 0x1234)
    XCTAssertEqual(memory.read32(at: buffer.gpuAddress + 60), 0x1234)
    XCTAssertFalse(memory.write32(1, at: buffer.gpuAddress + 64))
    XCTAssertNil(memory.read32(at: buffer.gpuAddress - 4))
    XCTAssertNil(memory.read32(at: buffer.gpuAddress + 2))
    memory.free(buffer)
    XCTAssertNil(memory.read32(at: buffer.gpuAddress))
    let base = buffer.gpuAddress
    let expected: [SimulatedGPUMemory.Fault] = [
      .init(address: base + 64, bytes: 4, write: true), .init(address: base - 4, bytes: 4, write: false),
      .init(address: base + 2, bytes: 4, write: false), .init(address: base, bytes: 4, write: false),
    ]
    XCTAssertEqual(memory.faults, expected)
    // A freed address is not handed out again while the domain has room after it.
    XCTAssertNotEqual(try memory.allocate(bytes: 64, domain: .gtt).gpuAddress, buffer.gpuAddress)
  }

  func testFreedSpaceIsHandedOutAgainOnlyAfterTheAllocatorWrapsRound() throws {
    let memory = SimulatedGPUMemory(vramBytes: 64 << 10, gttBytes: 16 << 10)
    let first = try memory.allocate(bytes: 4096, domain: .gtt)
    let second = try memory.allocate(bytes: 4096, domain: .gtt)
    memory.free(first)
    let third = try memory.allocate(bytes: 4096, domain: .gtt)
    XCTAssertEqual(third.gpuAddress, second.gpuAddress + 4096, "next-fit: after the last one, not in the hole")
    let fourth = try memory.allocate(bytes: 4096, domain: .gtt)
    XCTAssertEqual(fourth.gpuAddress, third.gpuAddress + 4096)
    // The domain's end reached: the allocator wraps round into the freed page.
    XCTAssertEqual(try memory.allocate(bytes: 4096, domain: .gtt).gpuAddress, first.gpuAddress)
    XCTAssertThrowsError(try memory.allocate(bytes: 4, domain: .gtt)) {
      XCTAssertEqual($0 as? GPUMemoryError, .outOfMemory(domain: .gtt, bytes: 4))
    }
    // A hole too small or misaligned for a request is passed over.
    memory.free(second)
    memory.free(fourth)
    XCTAssertEqual(try memory.allocate(bytes: 4096, alignment: 4096, domain: .gtt).gpuAddress, second.gpuAddress)
    XCTAssertThrowsError(try memory.allocate(bytes: 8192, domain: .gtt))
    // Allocating and freeing forever never runs out, and no two live allocations overlap.
    var live: [GPUAllocation] = []
    for round in 0..<1000 {
      live.append(try memory.allocate(bytes: 64 + 64 * (round % 7), alignment: 256, domain: .vram))
      if live.count > 20 { memory.free(live.remove(at: round % live.count)) }
      let sorted = memory.allocations.sorted { $0.gpuAddress < $1.gpuAddress }
      for (a, b) in zip(sorted, sorted.dropFirst()) {
        XCTAssertLessThanOrEqual(a.gpuAddress + UInt64(a.size), b.gpuAddress)
      }
    }
    XCTAssertTrue(memory.allocations.allSatisfy { $0.gpuAddress % 256 == 0 || $0.domain == .gtt })
  }

  /// What is mapped into every VM is reached at its virtual address as well as its own, within
  /// its size, until it is freed.
  func testAnAllocationMappedIntoEveryVMIsReachedAtItsVirtualAddressUntilFreed() throws {
    let memory = SimulatedGPUMemory()
    let csa = try memory.allocate(bytes: 8192, domain: .vram)
    let virtualAddress: UInt64 = 0xF_FFE0_0000
    memory.mapIntoEveryVM(csa, at: virtualAddress)
    XCTAssertTrue(memory.write32(0xABCD, at: virtualAddress + 0x1000))
    XCTAssertEqual(memory.read32(at: csa.gpuAddress + 0x1000), 0xABCD)
    XCTAssertNil(memory.read32(at: virtualAddress + 8192), "past its end")
    XCTAssertNil(memory.read32(at: virtualAddress - 4), "before its start")
    memory.free(csa)
    XCTAssertFalse(memory.write32(1, at: virtualAddress))
    XCTAssertEqual(memory.faultCount, 3)
  }

  func testWritebackSlotsAreHandedOutFirstFreeAs32ByteSlots() throws {
    let memory = SimulatedGPUMemory()
    var writeback = try WritebackSlots(gpuMemory: memory)
    XCTAssertEqual(writeback.memory.size, 8192)
    let first = try XCTUnwrap(writeback.allocate())
    let second = try XCTUnwrap(writeback.allocate())
    XCTAssertEqual([first.index, second.index], [0, 1])
    XCTAssertEqual(second.offset, 8)
    XCTAssertEqual(second.gpuAddress, writeback.memory.gpuAddress + 32)
    writeback.free(first)
    XCTAssertEqual(writeback.allocate()?.index, 0)
    for _ in 2..<256 { XCTAssertNotNil(writeback.allocate()) }
    XCTAssertNil(writeback.allocate())
    XCTAssertEqual(writeback.usedCount, 256)
    writeback.free(second)
    XCTAssertEqual(writeback.allocate()?.index, 1)

    // The GPU writes a slot through its address; the CPU reads it through the slot.
    XCTAssertTrue(memory.write32(0xFEED, at: second.gpuAddress))
    XCTAssertEqual(second.value, 0xFEED)
    second.value = 7
    XCTAssertEqual(memory.read32(at: second.gpuAddress), 7)
  }

  func testClobberingVRAMLeavesGTTAlone() throws {
    let memory = SimulatedGPUMemory()
    let vram = try memory.allocate(bytes: 16, domain: .vram)
    let gtt = try memory.allocate(bytes: 16, domain: .gtt)
    memory.clobberVRAM(with: 0xA5A5_A5A5)
    XCTAssertEqual(memory.read32(at: vram.gpuAddress + 12), 0xA5A5_A5A5)
    XCTAssertEqual(memory.read32(at: gtt.gpuAddress), 0)
  }
}
