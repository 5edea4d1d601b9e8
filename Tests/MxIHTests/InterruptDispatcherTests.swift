import MxIH
import MxLock
import XCTest

final class InterruptDispatcherTests: XCTestCase {
  /// The CP's end of pipe is one source for every ring: the GFX ring's handler (ring 0) takes
  /// its own, the source's handler every other ring's; a handler registered again replaces the
  /// one before it.
  func testARingsOwnHandlerComesBeforeTheSourcesHandler() {
    let dispatcher = InterruptDispatcher()
    let seen = Lock<[String]>([])
    dispatcher.register(sourceID: 181) { vector in seen.withLock { $0.append("any \(vector.ringID)") } }
    dispatcher.register(sourceID: 181, ringID: 0) { _ in seen.withLock { $0.append("stale") } }
    dispatcher.register(sourceID: 181, ringID: 0) { vector in seen.withLock { $0.append("gfx \(vector.ringID)") } }
    XCTAssertTrue(dispatcher.dispatch(InterruptVector(sourceID: 181, ringID: 0)))
    XCTAssertTrue(dispatcher.dispatch(InterruptVector(sourceID: 181, ringID: 0x04)))
    XCTAssertFalse(dispatcher.dispatch(InterruptVector(sourceID: 182, ringID: 0)))
    XCTAssertEqual(seen.withLock { $0 }, ["gfx 0", "any 4"])
    XCTAssertEqual(dispatcher.deliveredCount(sourceID: 181), 2)
    XCTAssertEqual(dispatcher.unhandledCount, 1)
  }
}
