import Foundation
import RunState
import Testing
import VRAModels

@testable import Engine
@testable import RunState

@Suite struct StageLifecycleTests {
  @Test(arguments: StoreBackend.allCases) func intentThenSubmittedThenResult(_ backend: StoreBackend) async throws {
    let clock = ManualClock()
    try await withStore(backend, clock: clock) { store, _ in
      let run = try await store.makeRun()
      try await store.updateRunStatus(run.id, to: .running)

      clock.advance(seconds: 1)
      let intent = try await store.recordIntent(
        run: run.id, stage: "network", deploymentName: "net-\(run.id)", projectId: "proj-1", attempt: 1)
      #expect(intent.status == .submitting)
      #expect(intent.deploymentName == "net-\(run.id)")
      #expect(intent.projectId == "proj-1")
      #expect(intent.attempt == 1)
      #expect(intent.needsReconciliation)
      #expect(intent.updatedAt == clock.now)
      #expect(try await store.stage(run: run.id, name: "network") == intent)

      clock.advance(seconds: 1)
      let submitted = try await store.recordSubmitted(
        run: run.id, stage: "network", blueprintRequestId: "bpr-1", requestId: "req-1", deploymentId: "dep-1")
      #expect(submitted.status == .submitted)
      #expect(submitted.blueprintRequestId == "bpr-1")
      #expect(submitted.requestId == "req-1")
      #expect(submitted.deploymentId == "dep-1")
      #expect(submitted.deploymentName == "net-\(run.id)")
      #expect(!submitted.needsReconciliation)

      let running = try await store.recordStageStatus(run: run.id, stage: "network", to: .running)
      #expect(running.status == .running)
      #expect(running.requestId == "req-1", "nil ids never erase stored ones")

      let outputs: JSONValue = ["cidr": "10.0.0.0/24", "gateway": "10.0.0.1"]
      let resources: JSONValue = ["net": ["id": "net-7", "name": "net", "count": 1]]
      let result = try await store.recordStageResult(
        run: run.id, stage: "network", outputs: outputs, resources: resources)
      #expect(result.status == .succeeded)
      #expect(result.outputs == outputs)
      #expect(result.resources == resources)
      #expect(try await store.stage(run: run.id, name: "network") == result)

      let kinds = try await store.events(of: run.id).map(\.kind)
      #expect(kinds == ["run.created", "run.status", "stage.status", "stage.status", "stage.status", "stage.status"])
      let last = try #require(try await store.events(of: run.id).last)
      #expect(last.stage == "network")
      #expect(last.data?["from"] == "running")
      #expect(last.data?["to"] == "succeeded")
      #expect(last.data?["deploymentId"] == "dep-1")

      let finished = try await store.updateRunStatus(run.id, to: .succeeded)
      #expect(finished.finishedAt == clock.now)
      #expect(try await store.run(run.id) == finished)
    }
  }

  @Test(arguments: StoreBackend.allCases) func failureThenRetryClearsTheOldAttempt(_ backend: StoreBackend) async throws
  {
    try await withStore(backend) { store, _ in
      let run = try await store.makeRun(stages: ["db"])
      try await store.recordIntent(run: run.id, stage: "db", deploymentName: "db-1", projectId: nil, attempt: 1)
      try await store.recordSubmitted(
        run: run.id, stage: "db", blueprintRequestId: "bpr-1", requestId: nil, deploymentId: "dep-1")
      let error = RecordedError(errorClass: .deployment, message: "quota exceeded", hint: "ask for more")
      let failed = try await store.recordStageFailure(run: run.id, stage: "db", error: error)
      #expect(failed.status == .failed)
      #expect(failed.error == error)
      #expect(failed.deploymentId == "dep-1", "a failed stage keeps its ids for rollback")

      await #expect(throws: StateStoreError.self) {
        try await store.recordIntent(run: run.id, stage: "db", deploymentName: "db-1", projectId: nil, attempt: 0)
      }
      let retry = try await store.recordIntent(
        run: run.id, stage: "db", deploymentName: "db-1-r2", projectId: nil, attempt: 2)
      #expect(retry.status == .submitting)
      #expect(retry.attempt == 2)
      #expect(retry.deploymentId == nil && retry.blueprintRequestId == nil && retry.error == nil)
      let event = try #require(try await store.events(of: run.id).last)
      #expect(event.data?["previousDeploymentId"] == "dep-1", "the old attempt's ids stay in the event log")
    }
  }

  @Test(arguments: StoreBackend.allCases) func submittedNeedsAnId(_ backend: StoreBackend) async throws {
    try await withStore(backend) { store, _ in
      let run = try await store.makeRun(stages: ["db"])
      try await store.recordIntent(run: run.id, stage: "db", deploymentName: "db-1", projectId: nil, attempt: 1)
      await #expect(throws: StateStoreError.self) {
        try await store.recordSubmitted(
          run: run.id, stage: "db", blueprintRequestId: nil, requestId: nil, deploymentId: nil)
      }
      await #expect(throws: StateStoreError.self) {
        try await store.recordSubmitted(
          run: run.id, stage: "db", blueprintRequestId: "", requestId: nil, deploymentId: nil)
      }
      #expect(try await store.stage(run: run.id, name: "db")?.status == .submitting)
    }
  }

  @Test(arguments: StoreBackend.allCases) func deleteRequestsAreRecordedAndFinished(
    _ backend: StoreBackend
  ) async throws {
    try await withStore(backend) { store, _ in
      let run = try await store.makeRun(stages: ["db"])
      try await store.recordIntent(run: run.id, stage: "db", deploymentName: "db-1", projectId: nil, attempt: 1)
      try await store.recordSubmitted(
        run: run.id, stage: "db", blueprintRequestId: "bpr-1", requestId: nil, deploymentId: "dep-1")
      try await store.recordStageResult(run: run.id, stage: "db", outputs: [:], resources: [:])
      try await store.recordStageStatus(run: run.id, stage: "db", to: .rollingBack)
      let sent = try await store.recordDeleteRequest(
        run: run.id, stage: "db", purpose: .rollback, deleteRequestId: "del-1", deploymentId: "dep-1")
      #expect(sent.status == .requested)
      let again = try await store.recordDeleteRequest(
        run: run.id, stage: "db", purpose: .rollback, deleteRequestId: "del-1", deploymentId: "dep-1")
      #expect(again == sent, "recording the same delete request twice is a no-op")
      let done = try await store.updateDeleteRequest(
        run: run.id, stage: "db", deleteRequestId: "del-1", status: .succeeded, error: nil)
      #expect(done.status == .succeeded)
      #expect(try await store.deleteRequests(of: run.id) == [done])
      await #expect(throws: StateStoreError.self) {
        try await store.updateDeleteRequest(
          run: run.id, stage: "db", deleteRequestId: "del-1", status: .failed, error: nil)
      }
      await #expect(throws: StateStoreError.unknownDeleteRequest(run: run.id, stage: "db", deleteRequestId: "nope")) {
        try await store.updateDeleteRequest(
          run: run.id, stage: "db", deleteRequestId: "nope", status: .failed, error: nil)
      }
      try await store.recordStageStatus(run: run.id, stage: "db", to: .rolledBack)
    }
  }
}
