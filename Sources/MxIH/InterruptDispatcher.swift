import MxLock

/// Where interrupts go once decoded (`amdgpu_irq_dispatch`): a handler per client and source ID,
/// registered by the block that owns the source (`amdgpu_irq_add_id`, in its software init) — or
/// per ring of a source, where blocks share one that names its ring (the CP's end of pipe, whose
/// `ring_id` is the queue: the kernel's one gfx block handles it for every ring; here the GFX
/// block takes ME 0's and the compute block the rest). A ring's own handler comes first.
/// Handlers run in interrupt context: they must be quick and must not wait — they note what
/// happened and wake whoever waits for it.
///
/// It counts what it delivered per source and what no handler took, so that a test can check
/// that every interrupt arrived exactly once.
public final class InterruptDispatcher: Sendable {
  public typealias Handler = @Sendable (InterruptVector) -> Void

  private struct Key: Hashable {
    var client: UInt32
    var source: UInt32
    /// nil: every ring's.
    var ring: UInt32? = nil
  }

  private struct State {
    var handlers: [Key: Handler] = [:]
    var delivered: [Key: Int] = [:]
    var unhandled: [InterruptVector] = []
    var unhandledCount = 0
  }

  /// How many unhandled interrupts `unhandled` keeps (the first ones).
  static let unhandledKept = 64

  private let state = Lock(State())

  public init() {}

  /// Makes `handler` the one for `sourceID` of `clientID` — for the interrupts of ring `ringID`
  /// alone when given — replacing any before it.
  public func register(
    sourceID: UInt32, client clientID: UInt32 = InterruptVector.legacyClient, ringID: UInt32? = nil,
    _ handler: @escaping Handler
  ) {
    state.withLock { $0.handlers[Key(client: clientID, source: sourceID, ring: ringID)] = handler }
  }

  /// Hands `vector` to its handler; false when there is none (`Unhandled interrupt src_id`).
  @discardableResult
  public func dispatch(_ vector: InterruptVector) -> Bool {
    let key = Key(client: vector.clientID, source: vector.sourceID)
    let handler = state.withLock { state -> Handler? in
      guard
        let handler = state.handlers[Key(client: key.client, source: key.source, ring: vector.ringID)]
          ?? state.handlers[key]
      else {
        if state.unhandled.count < Self.unhandledKept { state.unhandled.append(vector) }
        state.unhandledCount += 1
        return nil
      }
      state.delivered[key, default: 0] += 1
      return handler
    }
    handler?(vector)
    return handler != nil
  }

  /// How many interrupts of `sourceID` were handed to its handler.
  public func deliveredCount(sourceID: UInt32, client clientID: UInt32 = InterruptVector.legacyClient) -> Int {
    state.withLock { $0.delivered[Key(client: clientID, source: sourceID)] ?? 0 }
  }

  /// The first interrupts no handler took (up to 64), in order.
  public var unhandled: [InterruptVector] { state.withLock { $0.unhandled } }
  /// How many interrupts no handler took.
  public var unhandledCount: Int { state.withLock { $0.unhandledCount } }
}
