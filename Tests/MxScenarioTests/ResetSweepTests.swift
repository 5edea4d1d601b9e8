import MxGFX80
import MxKIQ
import MxScenario
import MxSimulator
import XCTest

/// A host reset arriving at any moment of any handshake, on both chips: every microsecond within
/// 20 µs of each mailbox write either side makes, every 500 µs (or 1/200 of a long handshake)
/// over the rest, each a whole VF on a fresh simulated GPU. Every run must leave the VF healthy.
final class ResetSweepTests: XCTestCase {
  private func sweep(_ handshake: ResetSweep.Handshake, file: StaticString = #filePath, line: UInt = #line)
    async throws
  {
    for chip in VIChip.allCases {
      let sweep = ResetSweep(chip: chip, handshake: handshake)
      let reference = try await sweep.reference()
      XCTAssertGreaterThanOrEqual(reference.messages.count, 4, "\(chip): a request, its ack, an answer, a release")
      let (runs, unhealthy) = try await sweep.unhealthy()
      for outcome in unhealthy.prefix(3) {
        XCTFail("\(chip) \(handshake.rawValue): \(outcome)\n\(outcome.timeline)", file: file, line: line)
      }
      XCTAssertEqual(unhealthy.count, 0, "\(chip) \(handshake.rawValue): unhealthy of \(runs)", file: file, line: line)
    }
  }

  func testBringUp() async throws { try await sweep(.bringUp) }
  func testRetriedRequest() async throws { try await sweep(.retriedRequest) }
  func testHangRecovery() async throws { try await sweep(.hangRecovery) }
  func testHostResetRecovery() async throws { try await sweep(.hostResetRecovery) }
  func testSuspendAndResume() async throws { try await sweep(.suspend) }
  func testResume() async throws { try await sweep(.resume) }
  func testTeardown() async throws { try await sweep(.teardown) }

  /// Times off the grid, on nanoseconds, from a fixed seed: a second opinion on the grid's.
  func testRandomArrivalsInEveryHandshake() async throws {
    for chip in VIChip.allCases {
      for (index, handshake) in ResetSweep.Handshake.allCases.enumerated() {
        let sweep = ResetSweep(chip: chip, handshake: handshake)
        let reference = try await sweep.reference()
        for time in sweep.randomArrivals(reference, count: 16, seed: 0x5EED_0000 + UInt64(index)) {
          let outcome = await sweep.run(resetAt: time)
          XCTAssertTrue(outcome.isHealthy, "\(chip) \(handshake.rawValue): \(outcome)")
        }
      }
    }
  }

  /// The arrivals cover every microsecond around each message and the coarse grid around the
  /// whole handshake, once each.
  func testArrivalsCoverEachMessageAtMicrosecondSteps() {
    let sweep = ResetSweep(chip: .tonga, handshake: .bringUp)
    let reference = ResetSweep.Reference(
      start: .milliseconds(10), end: .milliseconds(20), messages: [.milliseconds(10), .microseconds(10_030)])
    let arrivals = sweep.arrivals(reference)
    XCTAssertEqual(arrivals, arrivals.sorted())
    XCTAssertEqual(Set(arrivals).count, arrivals.count)
    for offset in -20...50 { XCTAssertTrue(arrivals.contains(.microseconds(10_000 + offset)), "\(offset) µs") }
    XCTAssertFalse(arrivals.contains(.microseconds(10_051)))
    XCTAssertTrue(arrivals.contains(.milliseconds(8)), "margin before")
    XCTAssertTrue(arrivals.contains(.milliseconds(22)), "margin after")
    XCTAssertFalse(arrivals.contains { $0 > .milliseconds(22) })
    // 41 + 30 fine points, 29 coarse ones between 8 and 22 ms that do not coincide with them.
    XCTAssertEqual(arrivals.count, 71 + 29 - 1)
  }

  /// The judge finds what a reset can leave behind: a CP that no longer answers, VRAM the host
  /// loaded and the guest never rebuilt.
  func testTheJudgeSeesADeadCPAndUnrebuiltVRAM() async throws {
    let sweep = ResetSweep(chip: .fiji, handshake: .bringUp)
    let healthy = ResetSweep.Run(sweep: sweep)
    let (_, _, error) = await healthy.perform(resetAt: nil)
    XCTAssertNil(error)
    let problems = await healthy.problems()
    XCTAssertEqual(problems, [])

    let hung = ResetSweep.Run(sweep: sweep)
    _ = await hung.perform(resetAt: nil)
    var faults = CommandProcessorSimulation.Faults()
    faults.hangAfterPackets = 0
    hung.gpu.functions[0].cp.setFaults(faults)
    let hungProblems = await hung.problems()
    XCTAssertEqual(hungProblems.count, 1)
    XCTAssertTrue(hungProblems.first?.hasPrefix("KIQ read failed") == true, "\(hungProblems)")

    let stale = ResetSweep.Run(sweep: sweep)
    _ = await stale.perform(resetAt: nil)
    let vram = try XCTUnwrap(stale.gpu.functions[0].memory.allocations.first { $0.domain == .vram })
    vram.cpu.bindMemory(to: UInt32.self)[0] = SimulatedVirtualFunction.vbiosPattern
    let staleProblems = await stale.problems()
    XCTAssertEqual(staleProblems, ["VRAM at 0x\(String(vram.gpuAddress, radix: 16)) still holds the VBIOS image"])
  }
}
