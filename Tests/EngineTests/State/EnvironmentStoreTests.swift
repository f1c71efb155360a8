import Foundation
import RunState
import Testing
import VRAModels

@testable import Engine
@testable import RunState

/// Environments in the state store: one run applies an environment at a time, what a run applies
/// keeps the state before it (for its rollback), and only the applying run, holding its lease, writes.
@Suite struct EnvironmentStoreTests {
  private func run(_ store: SQLStateStore, stages: [String] = ["net"]) async throws -> RunID {
    let id = RunID.generate()
    _ = try await store.createRun(
      id: id, planName: "p", planPath: "plan.yaml", planDigest: "d", options: [:], stages: stages, target: nil)
    return id
  }

  private func applied(_ stage: String, run: RunID, input: String) -> AppliedStage {
    AppliedStage(
      stage: stage, deploymentId: "dep-\(stage)", deploymentName: "staging-\(stage)", projectId: "p1",
      source: AppliedSource(kind: .template, name: "t.yaml", templateDigest: "sha256:1", templateContent: "x"),
      inputs: ["size": .string(input)], secretInputs: [], outputs: ["id": .string("o")], resources: ["vm": ""],
      requestId: "r-\(run)", runId: run, appliedAt: Date(timeIntervalSince1970: 1_700_000_000))
  }

  @Test(arguments: StoreBackend.allCases) func oneRunAppliesAnEnvironmentAtATime(_ backend: StoreBackend) async throws {
    try await withStore(backend) { store, database in
      let other = try await SQLStateStore.openForTest(database, clock: ManualClock())
      let first = try await run(store)
      try await store.claimEnvironment("staging", planName: "p", run: first)
      let second = try await run(other)
      await #expect(throws: StateStoreError.environmentBusy(environment: "staging", run: first, status: .pending)) {
        try await other.claimEnvironment("staging", planName: "p", run: second)
      }
      // Another environment is free; the same run may claim again (a resume).
      try await other.claimEnvironment("production", planName: "p", run: second)
      try await store.claimEnvironment("staging", planName: "p", run: first)
      // Once the first run ended, the environment is free for the next.
      try await store.updateRunStatus(first, to: .running)
      try await store.updateRunStatus(first, to: .failed)
      let claimed = try await other.claimEnvironment("staging", planName: "p", run: second)
      #expect(claimed.activeRunId == second)
      #expect(try await store.environments().map(\.name) == ["production", "staging"])
      try await other.close()
    }
  }

  @Test(arguments: StoreBackend.allCases) func anAppliedStageKeepsTheStateBeforeItsRun(
    _ backend: StoreBackend
  ) async throws {
    try await withStore(backend) { store, _ in
      let first = try await run(store)
      try await store.claimEnvironment("staging", planName: "p", run: first)
      _ = try await store.acquireLease(run: first, duration: .seconds(30), mode: .ifFree)
      try await store.recordApplied(environment: "staging", applied("net", run: first, input: "small"))
      try await store.updateRunStatus(first, to: .running)
      try await store.updateRunStatus(first, to: .succeeded)

      let second = try await run(store)
      try await store.claimEnvironment("staging", planName: "p", run: second)
      _ = try await store.acquireLease(run: second, duration: .seconds(30), mode: .ifFree)
      try await store.recordApplied(environment: "staging", applied("net", run: second, input: "large"))
      // Written twice by the same run: the state before the run is still the first run's.
      try await store.recordApplied(environment: "staging", applied("net", run: second, input: "medium"))
      let state = try #require(try await store.environmentStages("staging").first)
      #expect(state.applied.inputs["size"] == .string("medium"))
      #expect(state.previous?.inputs["size"] == .string("small"))
      #expect(state.before(second)?.runId == first)
      #expect(state.before(first)?.runId == second, "for another run, what is applied now is what came before")

      // The run that no longer applies the environment cannot write to it.
      await #expect(throws: StateStoreError.self) {
        try await store.recordApplied(environment: "staging", applied("net", run: first, input: "x"))
      }
      try await store.removeApplied(environment: "staging", stage: "net", run: second)
      #expect(try await store.environmentStages("staging").isEmpty)
    }
  }

  @Test(arguments: StoreBackend.allCases) func aWriteWithoutTheRunsLeaseIsRefused(_ backend: StoreBackend) async throws
  {
    try await withStore(backend) { store, database in
      let id = try await run(store)
      try await store.claimEnvironment("staging", planName: "p", run: id)
      _ = try await store.acquireLease(run: id, duration: .seconds(30), mode: .ifFree)
      let other = try await SQLStateStore.openForTest(database, clock: ManualClock())
      await #expect(throws: StateStoreError.self) {
        try await other.recordApplied(environment: "staging", applied("net", run: id, input: "x"))
      }
      #expect(try await store.environmentStages("staging").isEmpty)
      try await other.close()
    }
  }

  @Test(arguments: StoreBackend.allCases) func anUnchangedStageSucceedsFromPendingWithItsDeployment(
    _ backend: StoreBackend
  ) async throws {
    try await withStore(backend) { store, _ in
      let id = try await run(store)
      try await store.recordStageOperation(run: id, stage: "net", operation: .unchanged, baselineRequestId: nil)
      let stage = try await store.recordStageUnchanged(
        run: id, stage: "net", deploymentName: "staging-net", deploymentId: "d1", projectId: "p1",
        outputs: ["a": 1], resources: [:])
      #expect(stage.status == .succeeded)
      #expect(stage.deploymentId == "d1")
      #expect(try await store.stage(run: id, name: "net")?.operation == .unchanged)
    }
  }
}
