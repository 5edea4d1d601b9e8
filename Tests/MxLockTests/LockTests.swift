import Foundation
import MxLock
import XCTest

/// `Lock` serialises its users, and ThreadSanitizer sees that it does: CI runs these under TSan
/// with `halt_on_error=1`, where the same test over `Synchronization.Mutex` reports a race
/// (`.ci/tsan-lock-probe.sh` runs both and requires exactly that).
final class LockTests: XCTestCase {
  func testThreadsThatShareAValueUnderTheLockLoseNoUpdate() {
    let counter = Lock(0)
    let log = Lock<[Int]>([])
    let threads = 4
    let rounds = 10_000
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
      for round in 0..<rounds {
        counter.withLock { $0 += 1 }
        if round.isMultiple(of: 1_000) { log.withLock { $0.append(thread) } }
      }
    }
    XCTAssertEqual(counter.withLock { $0 }, threads * rounds)
    XCTAssertEqual(log.withLock { $0.count }, threads * rounds / 1_000)
  }

  func testAThrownErrorReleasesTheLock() {
    struct Refused: Error {}
    let lock = Lock("before")
    XCTAssertThrowsError(
      try lock.withLock { (value: inout String) throws(Refused) in
        value = "changed"
        throw Refused()
      })
    // Taken again at once: the throw released it (a held mutex would deadlock here).
    XCTAssertEqual(lock.withLock { $0 }, "changed")
  }

  func testTheResultIsWhatTheBodyReturns() {
    let lock = Lock([3, 1, 2])
    let smallest = lock.withLock { values -> Int in
      values.sort()
      return values[0]
    }
    XCTAssertEqual(smallest, 1)
    XCTAssertEqual(lock.withLock { $0 }, [1, 2, 3])
  }
}
