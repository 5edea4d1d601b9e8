import MxCSA
import MxMemory
import MxSimulator
import XCTest

/// The CSA's size, place and mapping (facts 4.1), and the VM sizes the driver picks.
final class ContextSaveAreaTests: XCTestCase {
  func testTheVMSizeTheDriverPicks() {
    func size(_ memoryGiB: Double, requested: Int? = nil) -> UInt64 {
      VMSize(systemMemoryBytes: UInt64(memoryGiB * Double(1 << 30)), requestedGigabytes: requested).gigabytes
    }
    XCTAssertEqual(size(8), 64, "3 × 8 GiB is raised to 64")
    XCTAssertEqual(size(32), 128, "96 rounded up to a power of two")
    XCTAssertEqual(size(21.5), 128, "memory is counted in whole GiB, rounded up: 3 × 22 = 66 → 128")
    XCTAssertEqual(size(100), 512)
    XCTAssertEqual(size(400), 1024, "capped at 40 bits")
    XCTAssertEqual(size(8, requested: 100), 100, "a requested size is taken as is")
    XCTAssertEqual(size(8, requested: 4096), 1024, "and capped")
    XCTAssertEqual(size(8, requested: 0), 64, "a size below 1 is ignored")
    XCTAssertNil(VMSize(gigabytes: 0))
    XCTAssertNil(VMSize(gigabytes: 2048))
  }

  func testTheCSAAddressForEachVMSize() {
    let expected: [UInt64: UInt64] = [
      64: 0xF_FFE0_0000, 128: 0x1F_FFE0_0000, 256: 0x3F_FFE0_0000, 512: 0x7F_FFE0_0000, 1024: 0xFF_FFE0_0000,
    ]
    for (gigabytes, address) in expected {
      let csa = ContextSaveArea(vmSize: VMSize(gigabytes: gigabytes)!)
      XCTAssertEqual(csa.virtualAddress, address, "\(gigabytes) GiB")
      XCTAssertEqual(csa.mappingAddress, address, "no sign extension below 2^47")
      XCTAssertEqual(csa.gdsBackupAddress, address + 4096)
    }
  }

  func testAnAddressInTheUpperHalfIsSignExtendedAndMappedWithoutIt() {
    let csa = ContextSaveArea(vmTop: 1 << 48)
    XCTAssertEqual(csa.virtualAddress, 0xFFFF_FFFF_FFE0_0000)
    XCTAssertEqual(csa.mappingAddress, 0x0000_FFFF_FFE0_0000)
    XCTAssertEqual(ContextSaveArea(vmTop: 1 << 47).virtualAddress, 0x0000_7FFF_FFE0_0000, "just below the hole")
  }

  func testTheCSAIsMappedIntoEveryVMAtTheSameAddress() throws {
    let memory = SimulatedGPUMemory()
    let allocation = try ContextSaveArea.allocate(in: memory)
    XCTAssertEqual(allocation.size, 128 << 10)
    XCTAssertEqual(allocation.domain, .vram)
    XCTAssertEqual(allocation.gpuAddress % 4096, 0)
    XCTAssertTrue(allocation.cpu.allSatisfy { $0 == 0 }, "zeroed")

    let size = VMSize(gigabytes: 256)!
    let csa = ContextSaveArea(vmSize: size)
    var vms = (0..<3).map { _ in VirtualAddressSpace(size: size) }
    for index in vms.indices { try csa.map(allocation, into: &vms[index]) }
    for vm in vms {
      XCTAssertEqual(vm.userRange.upperBound, csa.virtualAddress, "userspace never reaches the CSA")
      let gds = try XCTUnwrap(vm.translate(csa.gdsBackupAddress, access: [.read, .write]))
      XCTAssertEqual(gds.0.gpuAddress, allocation.gpuAddress)
      XCTAssertEqual(gds.1, 4096)
      XCTAssertNotNil(vm.translate(csa.virtualAddress + (128 << 10) - 4), "the last dword")
      XCTAssertNil(vm.translate(csa.virtualAddress + (128 << 10)), "past the end")
    }
    XCTAssertThrowsError(try csa.map(allocation, into: &vms[0])) {
      XCTAssertEqual($0 as? VirtualAddressError, .overlaps(csa.mappingAddress, existing: csa.mappingAddress))
    }
    XCTAssertTrue(vms[0].unmap(at: csa.mappingAddress))
    XCTAssertNil(vms[0].translate(csa.virtualAddress))
    XCTAssertEqual(memory.faults, [])
  }

  func testMappingsOutsideTheVMOrMisalignedAreRefused() throws {
    let memory = SimulatedGPUMemory()
    let allocation = try ContextSaveArea.allocate(in: memory)
    var vm = VirtualAddressSpace(size: VMSize(gigabytes: 64)!)
    XCTAssertThrowsError(try vm.map(allocation, at: 64 << 30, access: .read)) {
      XCTAssertEqual($0 as? VirtualAddressError, .outsideVM(64 << 30, bytes: 128 << 10, vmBytes: 64 << 30))
    }
    XCTAssertThrowsError(try vm.map(allocation, at: 0x1004, access: .read)) {
      XCTAssertEqual($0 as? VirtualAddressError, .misaligned(0x1004))
    }
    try vm.map(allocation, at: 0x10_0000, access: .read)
    XCTAssertNil(vm.translate(0x10_0000, access: .write), "a read-only mapping is not writeable")
  }
}
