import MxKIQ
import MxScenario
import MxSimulator
import XCTest

/// A VF that scribbles on its mailbox, CP, HQD and IH registers, its doorbells and its rings
/// harms nobody else: the host resets it as GIM would, and every other VF does exactly what it
/// does without it.
final class HostileGuestTests: XCTestCase {
  func testAHostileVFLeavesTheHostAndTheOtherVFsAsTheyWouldBe() async {
    for (chip, seed) in [(VIChip.tonga, UInt64(1)), (.fiji, 0x5EED_2026)] {
      let outcome = await HostileGuest(chip: chip, functions: 4, hostile: 1, seed: seed).run()
      let label = "\(chip), seed \(seed)"
      XCTAssertEqual(outcome.differences, [], label)
      XCTAssertEqual(outcome.honest.keys.sorted(), [0, 2, 3], label)
      for (vf, trace) in outcome.honest {
        XCTAssertEqual(trace.problems, [], "\(label): vf\(vf)")
        XCTAssertEqual(trace.events.last, .tornDown, "\(label): vf\(vf)")
      }
      XCTAssertGreaterThan(outcome.acts, 1_000, label)
      XCTAssertGreaterThan(outcome.hostileHangs, 0, "\(label): its garbage hung its own CP")
      XCTAssertFalse(outcome.hostileResets.isEmpty, "\(label): the host reset the hostile VF")
      XCTAssertFalse(outcome.hostileLeftRunning, "\(label): nothing it started is left owning or hung on the GPU")
    }
  }

  func testTheComparisonSeesAnHonestVFThatDidOtherwise() async {
    // The judge itself: a baseline with one write more is a difference, named.
    var quick = HostileGuest(chip: .tonga, functions: 2, hostile: 1, seed: 7)
    quick.duration = .milliseconds(200)
    quick.reads = 2
    var outcome = await quick.run()
    XCTAssertEqual(outcome.differences, [])
    var changed = outcome.baseline[0]!
    changed.writes.append(.write(offset: 0x14C8, value: 1))
    outcome.baseline[0] = changed
    let difference = HostileGuest.firstDifference(outcome.honest[0]!, changed)
    XCTAssertEqual(difference?.hasPrefix("BAR 5 write \(changed.writes.count - 1): nothing"), true, difference ?? "")
  }
}
