import MxKIQ
import MxScenario
import MxSimulator
import MxVirtualFunction
import XCTest

/// What a VF holds is freed with it.
final class LifetimeTests: XCTestCase {
  /// A VF brought up, torn down and let go is freed — its guest, its simulated function and the
  /// function's GPU memory — though the function keeps the guest's interrupt line. (It was not:
  /// the line held the guest strongly, the guest the function's buses, and every scenario, test
  /// and reload kept its VFs to the end of the process.)
  func testAVFLetGoIsFreedWithItsFunctionAndMemory() async throws {
    weak var guest: SimulatedGuest?
    weak var function: SimulatedVirtualFunction?
    weak var memory: SimulatedGPUMemory?
    do {
      let vf = SimulatedFunction(chip: .tonga)
      (guest, function, memory) = (vf.guest, vf.hardware, vf.hardware.memory)
      try await vf.simulate {
        try await vf.guest.bringUp()
        await vf.guest.tearDown()
      }
    }
    XCTAssertNil(guest)
    XCTAssertNil(function)
    XCTAssertNil(memory)
  }

  /// The same for a VF let go in runtime, without its teardown — what every scenario that ends
  /// with its VFs up does. (It was not: its interrupt handler's service, parked on the line,
  /// kept the ring and with it the function and its memory; the reset sweep's tests grew to
  /// 5.6 GB.)
  func testAVFLetGoInRuntimeIsFreedToo() async throws {
    weak var function: SimulatedVirtualFunction?
    weak var memory: SimulatedGPUMemory?
    do {
      let vf = SimulatedFunction(chip: .fiji)
      (function, memory) = (vf.hardware, vf.hardware.memory)
      try await vf.simulate { try await vf.guest.bringUp() }
    }
    // The service's cancellation is handled on the executor, after this task's next suspension.
    for _ in 0..<100 where function != nil { try await Task.sleep(for: .milliseconds(2)) }
    XCTAssertNil(function)
    XCTAssertNil(memory)
  }
}
