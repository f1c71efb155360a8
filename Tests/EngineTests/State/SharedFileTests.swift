import Foundation
import RunState
import Testing

@testable import Engine
@testable import RunState

/// Two stores on one database: two connections, as `apply` and `vra-engine cancel` in two processes
/// (or two `serve` replicas on one PostgreSQL).
@Suite struct SharedFileTests {
  @Test(arguments: StoreBackend.allCases) func twoStoresSeeEachOthersWrites(_ backend: StoreBackend) async throws {
    try await backend.withFreshDatabase { path in
      let apply = try await SQLStateStore.open(path)
      let cancel = try await SQLStateStore.open(path)

      let run = try await apply.makeRun(stages: ["net"])
      try await apply.updateRunStatus(run.id, to: .running)
      #expect(try await cancel.run(run.id)?.status == .running)

      try await cancel.updateRunStatus(run.id, to: .cancelling)
      #expect(try await apply.run(run.id)?.status == .cancelling)

      try await apply.recordIntent(run: run.id, stage: "net", deploymentName: "net-1", projectId: nil, attempt: 1)
      #expect(try await cancel.stagesNeedingReconciliation(run: run.id).map(\.name) == ["net"])

      // A transition validated against the other connection's write, not a stale copy.
      await #expect(throws: StateStoreError.illegalRunTransition(run: run.id, from: .cancelling, to: .submitted)) {
        try await apply.updateRunStatus(run.id, to: .submitted)
      }
      // A lease taken through one connection fences the other's writes.
      let lease = try await apply.acquireLease(run: run.id, duration: .seconds(30), mode: .ifFree)
      await #expect(throws: StateStoreError.runOwned(run: run.id, owner: apply.owner, until: lease.expiresAt)) {
        try await cancel.updateRunStatus(run.id, to: .cancelled)
      }
      try await cancel.requestCancel(run: run.id)
      #expect(try await apply.renewLease(lease, duration: .seconds(30)).cancelRequested)
      try await apply.releaseLease(lease)
      try await cancel.updateRunStatus(run.id, to: .cancelled)
      try await apply.close()
      try await cancel.close()
    }
  }

  @Test(arguments: StoreBackend.allCases) func concurrentWritersOnTwoConnectionsLoseNothing(
    _ backend: StoreBackend
  ) async throws {
    try await backend.withFreshDatabase { path in
      let first = try await SQLStateStore.open(path)
      let second = try await SQLStateStore.open(path)
      let names = (0..<40).map { "stage-\($0)" }
      let run = try await first.makeRun(stages: names)

      try await withThrowingTaskGroup(of: Void.self) { group in
        for (index, name) in names.enumerated() {
          let store = index.isMultiple(of: 2) ? first : second
          group.addTask {
            try await store.recordIntent(run: run.id, stage: name, deploymentName: name, projectId: nil, attempt: 1)
            try await store.recordSubmitted(
              run: run.id, stage: name, blueprintRequestId: "bpr-\(name)", requestId: nil, deploymentId: "d-\(name)")
            try await store.appendEvent(run: run.id, stage: name, kind: "test.progress", message: name, data: nil)
          }
        }
        try await group.waitForAll()
      }

      for store in [first, second] {
        let stages = try await store.stages(of: run.id)
        #expect(stages.allSatisfy { $0.status == .submitted && $0.deploymentId == "d-\($0.name)" })
        let progress = try await store.events(of: run.id).filter { $0.kind == "test.progress" }
        #expect(Set(progress.compactMap(\.stage)) == Set(names))
      }
      try await first.close()
      try await second.close()
    }
  }
}
