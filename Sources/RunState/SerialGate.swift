/// A first-in, first-out async lock for code already isolated to one actor.
///
/// An actor alone does not serialize a transaction: every `await` on the database is a
/// suspension point where another call to the same actor may run and issue statements on the
/// same connection, inside the first call's transaction. The gate keeps one logical operation
/// on the connection at a time, in arrival order. Waiting is not cancellable on purpose: a write
/// already queued is carried out even when its task is cancelled (see `StateStore`).
struct SerialGate {
  private var held = false
  private var waiters: [CheckedContinuation<Void, Never>] = []

  /// True when the caller got the gate at once; otherwise `enqueue` must be awaited.
  mutating func tryAcquire() -> Bool {
    if held { return false }
    held = true
    return true
  }

  mutating func enqueue(_ waiter: CheckedContinuation<Void, Never>) {
    waiters.append(waiter)
  }

  /// Hands the gate to the next waiter (it stays held), or frees it.
  mutating func release() {
    if waiters.isEmpty {
      held = false
    } else {
      waiters.removeFirst().resume()
    }
  }
}
