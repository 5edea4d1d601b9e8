import Dispatch
import MxLock

extension Collection where Self: Sendable, Element: Sendable {
  /// `map`, with the elements transformed on every core. The result is in the collection's
  /// order, so output stays deterministic.
  public func concurrentMap<T: Sendable>(_ transform: @Sendable (Element) -> T) -> [T] {
    let elements = Array(self)
    let results = Lock<[T?]>(Array(repeating: nil, count: elements.count))
    DispatchQueue.concurrentPerform(iterations: elements.count) { index in
      let value = transform(elements[index])
      results.withLock { $0[index] = value }
    }
    return results.withLock { $0.map { $0! } }
  }
}
