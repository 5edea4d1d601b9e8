/// A handler one model connects to another (where interrupts go, a VF's interrupt line), held in
/// a struct: a bare closure kept in a `Lock` would be re-thunked on every access through the
/// lock's generic `inout`, each wrapping the last, until a call went through thousands of them.
struct Connection<Argument>: Sendable {
  let call: @Sendable (Argument) -> Void
}
