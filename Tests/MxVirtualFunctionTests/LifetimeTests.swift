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
}
