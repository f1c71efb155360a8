import Foundation
import RunState
import Synchronization
import TestSupport
import Testing
import VRAModels

@testable import RunState

/// SQLite's group commit (`WriteQueue`): the writes that queue while one commits are committed
/// together, each durable when its call returns and each failing alone.
@Suite struct GroupCommitTests {
  /// Holds the write it is given to before its COMMIT until released, so a test can queue writes
  /// behind it; tells when the write got there.
  final class HeldCommit: Sendable {
    private let reached = AsyncStream<Void>.makeStream()
    private let released = AsyncStream<Void>.makeStream()

    var hook: @Sendable () async throws -> Void {
      { [reached, released] in
        reached.continuation.yield()
        for await _ in released.stream { return }
      }
    }

    func waitUntilReached() async {
      for await _ in reached.stream { return }
    }

    func release() { released.continuation.yield() }
  }

  /// Starts `held` on a write of `run`'s first stage, then the writes `queued` makes, and waits
  /// until they all wait behind it.
  private func queueBehindAHeldCommit(
    _ store: SQLStateStore, run: RunID, stage: String, queued: Int,
    _ writes: (inout ThrowingTaskGroup<Void, any Error>) -> Void
  ) async throws {
    let held = HeldCommit()
    await store.runBeforeNextCommit(held.hook)
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { try await store.recordStageStatus(run: run, stage: stage, to: .running) }
      await held.waitUntilReached()
      writes(&group)
      _ = try await pollForValue { await store.writesWaiting == queued ? true : nil }
      held.release()
      try await group.waitForAll()
    }
  }

  /// Holds a write of stage `s0` before its COMMIT and queues a write of `s1` behind it.
  private func holdOneAndQueueOne(
    _ store: SQLStateStore, run: RunID
  ) async throws -> (held: HeldCommit, first: Task<StageRecord, any Error>, queued: Task<StageRecord, any Error>) {
    let held = HeldCommit()
    await store.runBeforeNextCommit(held.hook)
    let first = Task { try await store.recordStageStatus(run: run, stage: "s0", to: .running) }
    await held.waitUntilReached()
    let queued = Task { try await store.recordStageStatus(run: run, stage: "s1", to: .running) }
    _ = try await pollForValue { await store.writesWaiting == 1 ? true : nil }
    return (held, first, queued)
  }

  @Test func writesQueuedBehindACommitAreCommittedTogetherAndEachIsDurable() async throws {
    try await withStore(.sqlite) { store, database in
      let names = (0...100).map { "s\($0)" }
      let run = try await store.makeRun(stages: names)
      let before = await store.transactionsMade

      try await queueBehindAHeldCommit(store, run: run.id, stage: "s0", queued: 100) { group in
        for name in names.dropFirst() {
          group.addTask { try await store.recordStageStatus(run: run.id, stage: name, to: .running) }
        }
      }

      // The held write alone, then the hundred queued behind it in one transaction.
      #expect(await store.transactionsMade - before == 2)
      let other = try await SQLStateStore.open(database)
      let stages = try await other.stages(of: run.id)
      #expect(stages.filter { $0.status == .running }.count == 101)
      let events = try await other.events(of: run.id)
      #expect(Set(events.filter { $0.kind == "stage.status" }.compactMap(\.stage)) == Set(names))
      #expect(events.map(\.sequence) == events.map(\.sequence).sorted())
      try await other.close()
    }
  }

  @Test func aWriteThatFailsInAGroupIsUndoneAndFailsAlone() async throws {
    try await withStore(.sqlite) { store, _ in
      let run = try await store.makeRun(stages: ["s0", "s1", "s2", "s3"])
      let outcomes = Outcomes()

      try await queueBehindAHeldCommit(store, run: run.id, stage: "s0", queued: 4) { group in
        group.addTask {
          let result = await outcome { try await store.recordStageStatus(run: run.id, stage: "s1", to: .running) }
          outcomes.note("s1", result)
        }
        // Writes an event, then fails: the event must go with it.
        group.addTask {
          let result = await outcome {
            try await store.write("a doomed write", run: run.id) { db, now in
              _ = try await StateQueries.insertEvent(
                db, run: run.id, stage: "s2", at: now, kind: "test.doomed", message: "never", data: nil)
              throw InjectedFault()
            }
          }
          outcomes.note("doomed", result)
        }
        group.addTask {
          let result = await outcome { try await store.recordStageStatus(run: run.id, stage: "s2", to: .running) }
          outcomes.note("s2", result)
        }
        // Refused by the store's own rules (a result needs a request).
        group.addTask {
          let result = await outcome {
            try await store.recordStageResult(run: run.id, stage: "s3", outputs: [:], resources: [:])
          }
          outcomes.note("illegal", result)
        }
      }

      let noted = outcomes.all
      #expect(noted["s1"] == "ok")
      #expect(noted["s2"] == "ok")
      #expect(noted["doomed"]?.contains("InjectedFault") == true, "\(noted)")
      #expect(noted["illegal"]?.contains("cannot go from pending to succeeded") == true, "\(noted)")
      let stages = Dictionary(uniqueKeysWithValues: try await store.stages(of: run.id).map { ($0.name, $0.status) })
      #expect(stages == ["s0": .running, "s1": .running, "s2": .running, "s3": .pending])
      let events = try await store.events(of: run.id)
      #expect(!events.contains { $0.kind == "test.doomed" })
      #expect(events.filter { $0.kind == "stage.status" }.count == 3)
    }
  }

  @Test func aQueuedWriteWhoseCallerIsCancelledIsStillMade() async throws {
    try await withStore(.sqlite) { store, _ in
      let run = try await store.makeRun(stages: ["s0", "s1"])
      let (held, first, queued) = try await holdOneAndQueueOne(store, run: run.id)
      queued.cancel()
      held.release()
      _ = try await first.value
      #expect(try await queued.value.status == .running)
      #expect(try await store.stage(run: run.id, name: "s1")?.status == .running)
    }
  }

  @Test func closeWaitsForTheWritesQueuedBeforeItAndRefusesLaterOnes() async throws {
    try await withStateFile { path in
      let store = try await SQLStateStore.openSQLite(at: path)
      let run = try await store.makeRun(stages: ["s0", "s1", "s2"])
      let (held, first, queued) = try await holdOneAndQueueOne(store, run: run.id)
      let closing = Task { try await store.close() }
      // Called after `close`: refused, as a write queued behind the close always was.
      _ = try await pollForValue { await store.isClosing ? true : nil }
      do {
        try await store.recordStageStatus(run: run.id, stage: "s2", to: .running)
        Issue.record("a write called after close went through")
      } catch StateStoreError.closed {}
      held.release()
      _ = try await first.value
      _ = try await queued.value
      try await closing.value

      let reopened = try await SQLStateStore.openSQLite(at: path)
      let stages = Dictionary(uniqueKeysWithValues: try await reopened.stages(of: run.id).map { ($0.name, $0.status) })
      #expect(stages == ["s0": .running, "s1": .running, "s2": .pending])
      try await reopened.close()
    }
  }
}

/// What each write of a test ended with, by name.
private final class Outcomes: Sendable {
  private let noted = Mutex<[String: String]>([:])

  func note(_ name: String, _ outcome: String) { noted.withLock { $0[name] = outcome } }

  var all: [String: String] { noted.withLock { $0 } }
}

/// What a write ended with: "ok" or its error.
private func outcome(_ write: () async throws -> some Any) async -> String {
  do {
    _ = try await write()
    return "ok"
  } catch {
    return String(describing: error)
  }
}
