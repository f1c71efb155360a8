import RunState
import Testing

@testable import Engine
@testable import RunState

@Suite struct ReconciliationTests {
  @Test(arguments: StoreBackend.allCases) func onlySubmittingStagesWithoutIdsNeedReconciliation(
    _ backend: StoreBackend
  ) async throws {
    try await withStore(backend) { store, _ in
      let run = try await store.makeRun(stages: ["a", "b", "c", "d", "e"])
      // a: intent only (the process died between the intent and vRA's answer).
      try await store.recordIntent(run: run.id, stage: "a", deploymentName: "a-1", projectId: "p", attempt: 1)
      // b: intent and ids.
      try await store.recordIntent(run: run.id, stage: "b", deploymentName: "b-1", projectId: "p", attempt: 1)
      try await store.recordSubmitted(
        run: run.id, stage: "b", blueprintRequestId: "bpr-b", requestId: nil, deploymentId: nil)
      // c: never started. d: intent only, a retry.
      try await store.recordIntent(run: run.id, stage: "d", deploymentName: "d-1", projectId: nil, attempt: 1)
      try await store.recordIntent(run: run.id, stage: "d", deploymentName: "d-2", projectId: nil, attempt: 2)
      // e: failed before any POST.
      try await store.recordIntent(run: run.id, stage: "e", deploymentName: "e-1", projectId: nil, attempt: 1)
      try await store.recordStageFailure(
        run: run.id, stage: "e", error: RecordedError(errorClass: .validation, message: "bad input"))

      let other = try await store.makeRun(stages: ["a"])
      try await store.recordIntent(run: other.id, stage: "a", deploymentName: "x", projectId: nil, attempt: 1)

      let pending = try await store.stagesNeedingReconciliation(run: run.id)
      #expect(pending.map(\.name) == ["a", "d"])
      #expect(pending.map(\.deploymentName) == ["a-1", "d-2"])

      // Reconciliation found the deployment by name: its ids are recorded, nothing left to reconcile.
      try await store.recordSubmitted(
        run: run.id, stage: "a", blueprintRequestId: nil, requestId: "req-a", deploymentId: "dep-a")
      // Or found nothing: a fresh intent, same attempt, before submitting again.
      try await store.recordIntent(run: run.id, stage: "d", deploymentName: "d-2", projectId: nil, attempt: 2)
      try await store.recordSubmitted(
        run: run.id, stage: "d", blueprintRequestId: "bpr-d", requestId: nil, deploymentId: nil)
      #expect(try await store.stagesNeedingReconciliation(run: run.id).isEmpty)
    }
  }
}
