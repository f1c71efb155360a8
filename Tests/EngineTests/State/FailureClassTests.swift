import Foundation
import Testing
import VRAClient

@testable import Engine
@testable import RunState

@Suite("Failure classes as the store keeps them")
struct FailureClassTests {
  @Test("a failed vRA call is stored under the name the client logs it with")
  func clientClassesKeepTheirNames() {
    let classes: [VRAErrorClass] = [
      .transport, .timeout, .unauthorized, .forbidden, .notFound, .conflict, .validation(messages: ["x"]),
      .rateLimited(retryAfter: .seconds(3)), .server, .decoding, .cancelled,
    ]
    for vra in classes { #expect(FailureClass(vra).rawValue == vra.name) }
    #expect(
      FailureClass(of: VRAError(.unauthorized, method: "POST", path: "/iaas/api/login", message: "no")) == .unauthorized
    )
  }

  @Test("an engine error is classed by what failed, not by its type's name")
  func engineErrors() {
    #expect(FailureClass(of: StageFailure(message: "quota")) == .deployment)
    #expect(FailureClass(of: StageFailure(message: "late", errorClass: .stageTimeout)) == .stageTimeout)
    let unresolved = PlanResolutionError(
      code: .missingOutput, stage: "app", field: "inputs.db", reference: "${stages.db.outputs.host}", reason: "none")
    #expect(FailureClass(of: unresolved) == .plan)
    #expect(FailureClass(of: TrackerError.stopped(deploymentId: "d")) == .tracking)
    #expect(FailureClass(of: StateStoreError.closed) == .state)
    #expect(FailureClass(of: InjectedFault()) == .engine)
    #expect(FailureClass(.rollback) == .rollback && FailureClass(.destroy) == .destroy)
  }

  @Test("only reaching or logging in to vRA counts as connectivity")
  func connectivity() {
    let connectivity = FailureClass.allCases.filter(\.isConnectivity)
    #expect(connectivity == [.transport, .timeout, .unauthorized, .forbidden])
  }

  @Test("errors stored before the enum read back as they were written")
  func storedNamesRead() throws {
    for name in ["transport", "not_found", "rate_limited", "deployment", "stage_timeout", "rollback", "destroy"] {
      let error = try StoredValues.decode(
        RecordedError.self, from: #"{"class":"\#(name)","message":"m"}"#, table: StateTable.stages)
      #expect(error.errorClass.rawValue == name)
    }
    #expect(throws: StateStoreError.self) {
      try StoredValues.decode(
        RecordedError.self, from: #"{"class":"PlanResolutionError","message":"m"}"#, table: StateTable.stages)
    }
  }

  @Test("migration 3 turns the type names older builds stored into the class they mean, and keeps the rest")
  func migrationThree() async throws {
    try await withStateFile { path in
      let old = try await SQLStateStore.openSQLite(at: path, migrations: [.initialSchema, .ownershipAndTarget])
      let run = try await old.makeRun(stages: ["network", "db", "app", "web"])
      for stage in ["network", "db", "app"] {
        try await old.recordIntent(run: run.id, stage: stage, deploymentName: stage, projectId: nil, attempt: 1)
        try await old.recordStageFailure(
          run: run.id, stage: stage, error: RecordedError(errorClass: .deployment, message: "m", hint: "h"))
      }
      try await old.recordIntent(run: run.id, stage: "web", deploymentName: "web", projectId: nil, attempt: 1)
      try await old.recordSubmitted(
        run: run.id, stage: "web", blueprintRequestId: "bpr", requestId: nil, deploymentId: "dep")
      try await old.recordStageResult(run: run.id, stage: "web", outputs: [:], resources: [:])
      try await old.recordStageStatus(run: run.id, stage: "web", to: .rollingBack)
      try await old.recordDeleteRequest(
        run: run.id, stage: "web", purpose: .rollback, deleteRequestId: "del", deploymentId: "dep")
      try await old.updateDeleteRequest(
        run: run.id, stage: "web", deleteRequestId: "del", status: .failed,
        error: RecordedError(errorClass: .rollback, message: "m"))
      // What a build before migration 3 wrote for errors it had no class for.
      let legacy = [
        (StateTable.stages, "db", #"{"class":"PlanResolutionError","hint":"h","message":"m"}"#),
        (StateTable.stages, "app", #"{"class":"DecodingError","hint":"h","message":"m"}"#),
        (StateTable.deleteRequests, "web", #"{"class":"TrackerError","message":"m"}"#),
      ]
      for (table, stage, text) in legacy {
        try await old.write("writing a legacy error") { db, _ in
          try await db.update(table).set("error", to: text)
            .where(table == StateTable.stages ? "name" : "stage_name", .equal, stage).run()
        }
      }
      try await old.close()

      let store = try await SQLStateStore.openSQLite(at: path)
      let stages = Dictionary(uniqueKeysWithValues: try await store.stages(of: run.id).map { ($0.name, $0) })
      #expect(stages["network"]?.error == RecordedError(errorClass: .deployment, message: "m", hint: "h"))
      #expect(stages["db"]?.error == RecordedError(errorClass: .plan, message: "m", hint: "h"))
      #expect(stages["app"]?.error == RecordedError(errorClass: .engine, message: "m", hint: "h"))
      #expect(
        try await store.deleteRequests(of: run.id).map(\.error) == [RecordedError(errorClass: .tracking, message: "m")])
      try await store.close()
    }
  }
}
