import RunState
import Synchronization
import Testing
import VRAModels

@testable import Engine
@testable import RunState

@Suite struct ConcurrencyTests {
  @Test(arguments: StoreBackend.allCases) func fiftyTasksUpdatingStagesLoseNoWrite(_ backend: StoreBackend) async throws
  {
    try await withStore(backend) { store, _ in
      let names = (0..<50).map { "stage-\($0)" }
      let run = try await store.makeRun(stages: names)

      try await withThrowingTaskGroup(of: Void.self) { group in
        for name in names {
          group.addTask {
            try await store.recordIntent(
              run: run.id, stage: name, deploymentName: "dep-\(name)", projectId: nil, attempt: 1)
            try await store.recordSubmitted(
              run: run.id, stage: name, blueprintRequestId: "bpr-\(name)", requestId: "req-\(name)",
              deploymentId: "id-\(name)")
            try await store.recordStageStatus(run: run.id, stage: name, to: .running)
            try await store.appendEvent(
              run: run.id, stage: name, kind: "stage.progress", message: "1/2", data: ["completedTasks": 1])
            try await store.recordStageResult(
              run: run.id, stage: name, outputs: ["name": .string(name)], resources: [:])
          }
        }
        try await group.waitForAll()
      }

      let stages = try await store.stages(of: run.id)
      #expect(stages.map(\.name) == names, "plan order kept")
      for stage in stages {
        #expect(stage.status == .succeeded)
        #expect(stage.deploymentName == "dep-\(stage.name)")
        #expect(stage.requestId == "req-\(stage.name)")
        #expect(stage.outputs == ["name": .string(stage.name)])
      }
      let events = try await store.events(of: run.id)
      #expect(events.count == 1 + 50 * 5)
      #expect(events.map(\.sequence) == events.map(\.sequence).sorted())
      #expect(Set(events.map(\.sequence)).count == events.count)
      let tail = try await store.events(of: run.id, after: events[100].sequence)
      #expect(tail == Array(events[101...]))
    }
  }

  @Test(arguments: StoreBackend.allCases) func concurrentTransitionsOfOneStageAreSerialized(
    _ backend: StoreBackend
  ) async throws {
    try await withStore(backend) { store, _ in
      let run = try await store.makeRun(stages: ["s"])
      // 50 tasks race to take the stage from pending to submitting; exactly one may win.
      let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
        for _ in 1...50 {
          group.addTask {
            do {
              try await store.recordStageStatus(run: run.id, stage: "s", to: .skipped)
              return true
            } catch StateStoreError.illegalStageTransition {
              return false
            }
          }
        }
        return try await group.reduce(into: [Bool]()) { $0.append($1) }
      }
      #expect(outcomes.filter { $0 }.count == 1)
      #expect(try await store.events(of: run.id).filter { $0.kind == "stage.status" }.count == 1)
    }
  }
}

/// A write the calling task stops waiting for still runs to its end.
@Suite struct CancelledWriteTests {
  @Test(arguments: StoreBackend.allCases)
  func aWriteWhoseCallerIsCancelledMidTransactionIsCommittedAndTheStoreStaysUsable(_ backend: StoreBackend) async throws
  {
    try await withStore(backend) { store, _ in
      let run = try await store.makeRun(stages: ["net", "db"])
      try await store.recordIntent(run: run.id, stage: "net", deploymentName: "net-1", projectId: "p", attempt: 1)
      // Cancel the caller while its transaction is open: after the statements, before COMMIT.
      let caller = Mutex<Task<StageRecord, any Error>?>(nil)
      await store.runBeforeNextCommit { caller.withLock { $0?.cancel() } }
      let (ready, go) = AsyncStream<Void>.makeStream()
      let task = Task {
        for await _ in ready { break }  // starts once `caller` is set
        return try await store.recordSubmitted(
          run: run.id, stage: "net", blueprintRequestId: "bpr-1", requestId: nil, deploymentId: "dep-1")
      }
      caller.withLock { $0 = task }
      go.yield()
      _ = try? await task.value
      #expect(task.isCancelled, "the hook really cancelled the caller")
      // What vRA accepted is recorded, and the next write finds no transaction left open.
      let net = try #require(try await store.stage(run: run.id, name: "net"))
      #expect(net.status == .submitted && net.deploymentId == "dep-1")
      try await store.recordIntent(run: run.id, stage: "db", deploymentName: "db-1", projectId: "p", attempt: 1)
      #expect(try await store.stage(run: run.id, name: "db")?.status == .submitting)
    }
  }
}
