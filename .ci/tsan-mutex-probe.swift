// ThreadSanitizer cannot see Synchronization.Mutex with Swift 6.3.1 on Linux: two threads that
// take the same Mutex are reported as a "Swift access race". Run: swiftc -sanitize=thread
// -swift-version 6 .ci/tsan-mutex-probe.swift -o /tmp/probe && /tmp/probe (docs/MemorySafety.md).
import Foundation
import Synchronization

final class Box: Sendable {
  let state = Mutex<[Int]>([])
}
let box = Box()
let done = Atomic<Bool>(false)
let thread = Thread {
  for i in 0..<20000 { box.state.withLock { $0.append(i) } }
  done.store(true, ordering: .sequentiallyConsistent)
}
thread.start()
for i in 0..<20000 { box.state.withLock { $0.append(-i) } }
while !done.load(ordering: .sequentiallyConsistent) {}
print(box.state.withLock { $0.count })
