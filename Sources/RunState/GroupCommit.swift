import Foundation
import SQLKit

/// One write to the state store, waiting to be made: what `SQLStateStore.write` was called with.
struct QueuedWrite: Sendable {
  var operation: String
  /// The run whose row is locked and whose lease is checked (see `SQLStateStore.write`).
  var run: RunID?
  var fenced: Bool
  var lockWait: Duration?
  /// A test hook run before the COMMIT; a write carrying one is committed alone.
  var beforeCommit: (@Sendable () async throws -> Void)?
  var body: @Sendable (any SQLDatabase, Date) async throws -> any Sendable
  /// The lease epoch its fence checks: this store's for `run`, read when its transaction starts.
  var epoch: Int64?
}

/// What a write waiting behind another gets: its outcome, when a group it joined was committed,
/// or the turn to lead the next group.
enum WriteTurn: Sendable {
  case lead
  case done(Result<any Sendable, any Error>)
}

/// The writes waiting for a single-connection store (SQLite), to be committed together.
///
/// On SQLite every COMMIT is an fsync (`synchronous = FULL`). When many callers write at once
/// (the results of thousands of tracked deployments, a busy `serve`), each used to wait for the
/// fsync of every write before it, so the wait grew with the queue. Now the writes that arrive
/// while one transaction is being made are made together in the next one, each inside a savepoint
/// of its own: one fsync for the group, every caller still returns only once its write is
/// durable, and a write that fails is undone alone and fails alone.
///
/// The caller at the head when the previous group is done *leads* the next group: it takes the
/// writes queued behind it (in arrival order), makes them, hands each its outcome, and passes the
/// lead to the next write queued meanwhile.
struct WriteQueue {
  struct Waiter {
    var write: QueuedWrite
    var turn: CheckedContinuation<WriteTurn, Never>
  }

  /// The most writes committed in one transaction: bounds how long the group's first caller waits
  /// for the others' statements.
  static let largestGroup = 256

  /// A group is being led (its leader is waiting for the connection or making it).
  private(set) var isLed = false
  private var waiting: [Waiter] = []
  private var head = 0
  /// Callers waiting for the queue to be empty and no group led (`close`).
  private var idleWaiters: [CheckedContinuation<Void, Never>] = []

  var count: Int { waiting.count - head }

  mutating func wait(_ write: QueuedWrite, _ turn: CheckedContinuation<WriteTurn, Never>) {
    waiting.append(Waiter(write: write, turn: turn))
  }

  /// The writes to commit with a leader's own, from the head of the queue: none when the leader's
  /// write is to be committed alone, and never one that is (a test hook).
  mutating func takeFollowers(of leader: QueuedWrite) -> [Waiter] {
    guard leader.beforeCommit == nil else { return [] }
    var taken: [Waiter] = []
    while head < waiting.count, taken.count < Self.largestGroup - 1, waiting[head].write.beforeCommit == nil {
      taken.append(waiting[head])
      head += 1
    }
    compact()
    return taken
  }

  /// A write arrived with no group led: its caller leads one.
  mutating func lead() { isLed = true }

  /// The write that leads the next group, if any is waiting; when none is, the queue is idle and
  /// the callers waiting for that are returned, to be resumed.
  mutating func nextLeader() -> (next: Waiter?, idle: [CheckedContinuation<Void, Never>]) {
    guard head < waiting.count else {
      isLed = false
      defer { idleWaiters = [] }
      return (nil, idleWaiters)
    }
    let next = waiting[head]
    head += 1
    compact()
    return (next, [])
  }

  /// Resumes `waiter` once the queue is idle (at once when it is).
  mutating func waitForIdle(_ waiter: CheckedContinuation<Void, Never>) {
    if isLed { idleWaiters.append(waiter) } else { waiter.resume() }
  }

  private mutating func compact() {
    if head == waiting.count {
      waiting.removeAll(keepingCapacity: true)
      head = 0
    } else if head > 64, head * 2 > waiting.count {
      waiting.removeFirst(head)
      head = 0
    }
  }
}
