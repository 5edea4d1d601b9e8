#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A value that one thread at a time may use, behind a POSIX mutex.
///
/// It does what `Synchronization.Mutex` does, for one reason: ThreadSanitizer sees it. `Mutex`
/// locks with the futex system call, which ThreadSanitizer does not intercept on Linux (Swift
/// 6.3.1), so it takes two threads that use a value under the same `Mutex` for a data race;
/// `pthread_mutex_lock` and `pthread_mutex_unlock` it intercepts and orders
/// (`Tests/MxLockTests` checks both, docs/MemorySafety.md). Uncontended, both cost one atomic
/// operation to lock and one to unlock.
public final class Lock<Value>: @unchecked Sendable {
  // Allocated, not stored inline: a pthread_mutex_t must not move once initialised. The value
  // sits behind a pointer too: the mutex already makes its accesses exclusive, and a stored
  // property of a class would be checked again at run time on every access.
  @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>
  @usableFromInline let value: UnsafeMutablePointer<Value>

  public init(_ initialValue: consuming sending Value) {
    mutex = .allocate(capacity: 1)
    mutex.initialize(to: pthread_mutex_t())
    let status = pthread_mutex_init(mutex, nil)
    precondition(status == 0, "pthread_mutex_init failed: \(status)")
    value = .allocate(capacity: 1)
    value.initialize(to: initialValue)
  }

  deinit {
    value.deinitialize(count: 1)
    value.deallocate()
    pthread_mutex_destroy(mutex)
    mutex.deinitialize(count: 1)
    mutex.deallocate()
  }

  /// Runs `body` with the value while holding the lock. `body` must not take the same lock again
  /// (the mutex is not recursive; that would deadlock).
  @inlinable
  public func withLock<Result, E: Error>(
    _ body: (inout sending Value) throws(E) -> sending Result
  ) throws(E) -> sending Result {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return try body(&value.pointee)
  }
}
