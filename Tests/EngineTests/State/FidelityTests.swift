import Foundation
import RunState
import Testing
import VRAModels

@testable import Engine
@testable import RunState

/// The store writes exactly what it is given: redaction is the caller's job (the orchestrator tests it),
/// so the store must neither rewrite nor drop anything.
@Suite struct FidelityTests {
  static let awkward: JSONValue = [
    "text": "line one\nline \"two\" ☃ 日本語 ${input.x} %s '; DROP TABLE runs; --",
    "redactedByCaller": "[REDACTED]",
    "looksSecretButIsNot": "password=hunter2",
    "numbers": [0, -1, 9_007_199_254_740_991, 2.5, -0.125],
    "flags": [true, false, nil],
    "nested": ["deeper": ["deepest": [:], "empty": []]],
  ]

  @Test(arguments: StoreBackend.allCases) func valuesComeBackExactly(_ backend: StoreBackend) async throws {
    try await withStore(backend) { store, path in
      let run = try await store.createRun(
        id: RunID.generate(), planName: "pläne ☃", planPath: "/tmp/a b/plan.yaml", planDigest: "sha256:00",
        options: Self.awkward, stages: ["s p a c e", "ünï"])
      #expect(try await store.run(run.id)?.options == Self.awkward)

      try await store.recordIntent(run: run.id, stage: "ünï", deploymentName: "dép-1", projectId: "p", attempt: 1)
      try await store.recordSubmitted(
        run: run.id, stage: "ünï", blueprintRequestId: "b", requestId: nil, deploymentId: nil)
      let error = RecordedError(errorClass: .engine, message: Self.awkward["text"]!.stringValue!, hint: "h")
      try await store.recordStageFailure(run: run.id, stage: "ünï", error: error)
      let event = try await store.appendEvent(
        run: run.id, stage: "s p a c e", kind: "custom", message: "m", data: Self.awkward)

      // Read back through a second connection, so nothing comes from memory.
      let reader = try await SQLStateStore.open(path)
      let stage = try #require(try await reader.stage(run: run.id, name: "ünï"))
      #expect(stage.error == error)
      #expect(stage.deploymentName == "dép-1")
      #expect(try await reader.events(of: run.id).last == event)
      #expect(try await reader.run(run.id) == run)
      try await reader.close()
    }
  }

  @Test func errorJSONUsesTheDocumentedKeys() throws {
    let text = try StoredValues.encode(RecordedError(errorClass: .unauthorized, message: "expired", hint: "log in"))
    #expect(text == #"{"class":"unauthorized","hint":"log in","message":"expired"}"#)
  }

  @Test(arguments: StoreBackend.allCases) func runsAreListedNewestFirst(_ backend: StoreBackend) async throws {
    let clock = ManualClock()
    try await withStore(backend, clock: clock) { store, _ in
      var created: [RunID] = []
      for _ in 0..<5 {
        created.append(try await store.makeRun().id)
        clock.advance(seconds: 60)
      }
      #expect(try await store.runs(limit: 3).map(\.id) == Array(created.reversed().prefix(3)))
      #expect(try await store.runs(limit: 100).count == 5)
    }
  }
}
