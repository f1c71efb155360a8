import RunState
import Testing

@testable import Engine
@testable import RunState

@Suite struct TransitionTests {
  @Test(arguments: StoreBackend.allCases) func succeededStageRefusesANewIntentAndIsLeftUnchanged(
    _ backend: StoreBackend
  ) async throws {
    try await withStore(backend) { store, _ in
      let run = try await store.makeRun(stages: ["app"])
      try await store.recordIntent(run: run.id, stage: "app", deploymentName: "app-1", projectId: nil, attempt: 1)
      try await store.recordSubmitted(
        run: run.id, stage: "app", blueprintRequestId: "bpr-1", requestId: "req-1", deploymentId: "dep-1")
      let done = try await store.recordStageResult(run: run.id, stage: "app", outputs: ["a": 1], resources: [:])
      let eventsBefore = try await store.events(of: run.id)

      let error = await #expect(throws: StateStoreError.self) {
        try await store.recordIntent(run: run.id, stage: "app", deploymentName: "app-2", projectId: nil, attempt: 2)
      }
      #expect(error == .illegalStageTransition(run: run.id, stage: "app", from: .succeeded, to: .submitting))
      #expect(try await store.stage(run: run.id, name: "app") == done)
      #expect(try await store.events(of: run.id) == eventsBefore, "a refused transition writes no event")
    }
  }

  @Test(arguments: StoreBackend.allCases) func refusedStageTransitions(_ backend: StoreBackend) async throws {
    try await withStore(backend) { store, _ in
      let run = try await store.makeRun(stages: ["s"])
      // pending → submitted (skipping the intent) is the write-ahead rule broken.
      await #expect(
        throws: StateStoreError.illegalStageTransition(run: run.id, stage: "s", from: .pending, to: .submitted)
      ) {
        try await store.recordSubmitted(
          run: run.id, stage: "s", blueprintRequestId: "b", requestId: nil, deploymentId: nil)
      }
      await #expect(
        throws: StateStoreError.illegalStageTransition(run: run.id, stage: "s", from: .pending, to: .succeeded)
      ) {
        try await store.recordStageResult(run: run.id, stage: "s", outputs: [:], resources: [:])
      }
      // Rolled back only after rolling back: nothing was deleted.
      await #expect(
        throws: StateStoreError.illegalStageTransition(run: run.id, stage: "s", from: .pending, to: .rolledBack)
      ) {
        try await store.recordStageStatus(run: run.id, stage: "s", to: .rolledBack)
      }
      // Statuses with their own call are refused through the generic one.
      await #expect(throws: StateStoreError.self) {
        try await store.recordStageStatus(run: run.id, stage: "s", to: .succeeded)
      }
      try await store.recordStageStatus(run: run.id, stage: "s", to: .skipped)
      await #expect(
        throws: StateStoreError.illegalStageTransition(run: run.id, stage: "s", from: .skipped, to: .running)
      ) {
        try await store.recordStageStatus(run: run.id, stage: "s", to: .running)
      }
      #expect(try await store.stage(run: run.id, name: "s")?.status == .skipped)
    }
  }

  @Test(arguments: StoreBackend.allCases) func unknownRunsAndStagesAreNamed(_ backend: StoreBackend) async throws {
    try await withStore(backend) { store, _ in
      let run = try await store.makeRun(stages: ["s"])
      let ghost = RunID(rawValue: "deadbeef")
      await #expect(throws: StateStoreError.unknownRun(ghost)) {
        try await store.recordIntent(run: ghost, stage: "s", deploymentName: "d", projectId: nil, attempt: 1)
      }
      await #expect(throws: StateStoreError.unknownStage(run: run.id, stage: "nope")) {
        try await store.recordIntent(run: run.id, stage: "nope", deploymentName: "d", projectId: nil, attempt: 1)
      }
      await #expect(throws: StateStoreError.unknownRun(ghost)) {
        try await store.updateRunStatus(ghost, to: .running)
      }
      await #expect(throws: StateStoreError.unknownRun(ghost)) {
        try await store.appendEvent(run: ghost, kind: "x", message: "y")
      }
      #expect(try await store.run(ghost) == nil)
    }
  }

  @Test(arguments: StoreBackend.allCases) func runTransitions(_ backend: StoreBackend) async throws {
    try await withStore(backend) { store, _ in
      let run = try await store.makeRun()
      await #expect(throws: StateStoreError.runAlreadyExists(run.id)) { try await store.makeRun(run.id) }
      await #expect(throws: StateStoreError.illegalRunTransition(run: run.id, from: .pending, to: .succeeded)) {
        try await store.updateRunStatus(run.id, to: .succeeded)
      }
      try await store.updateRunStatus(run.id, to: .running)
      try await store.updateRunStatus(run.id, to: .cancelling)
      let cancelled = try await store.updateRunStatus(run.id, to: .cancelled)
      #expect(cancelled.finishedAt != nil)
      let resumed = try await store.updateRunStatus(run.id, to: .running)
      #expect(resumed.finishedAt == nil, "a resumed run is not finished")
      try await store.updateRunStatus(run.id, to: .succeeded)
      await #expect(throws: StateStoreError.illegalRunTransition(run: run.id, from: .succeeded, to: .running)) {
        try await store.updateRunStatus(run.id, to: .running)
      }
    }
  }

  @Test(arguments: StoreBackend.allCases) func duplicateStageNamesAreRefused(_ backend: StoreBackend) async throws {
    let id = RunID.generate()
    try await withStore(backend) { store, _ in
      await #expect(throws: StateStoreError.duplicateStage(run: id, stage: "a")) {
        try await store.makeRun(id, stages: ["a", "b", "a"])
      }
      let stored = try await store.run(id)
      #expect(stored == nil)
    }
  }

  /// The tables as data: every pair not listed is refused.
  @Test func stageTransitionTable() {
    let allowed: [StageStatus: Set<StageStatus>] = [
      // A pending or skipped stage may hold an earlier attempt's deployment (reset by a resume):
      // rollback and destroy delete it.
      // An unchanged environment stage succeeds from pending (recordStageUnchanged only). A check
      // stage runs from pending: it submits nothing (a deployed stage's intent is the engine's rule).
      .pending: [
        .submitting, .running, .succeeded, .failed, .skipped, .cancelled, .destroyed, .rollingBack, .destroying,
      ],
      .submitting: [.submitting, .submitted, .failed, .cancelled, .destroyed],
      .submitted: [.running, .succeeded, .failed, .cancelled],
      .running: [.running, .succeeded, .failed, .cancelled],
      .succeeded: [.rollingBack, .destroying],
      // Resume resets what did not succeed to pending; a resumed stage may fail again before its request.
      .failed: [.submitting, .failed, .pending, .rollingBack, .destroying, .destroyed],
      .cancelled: [.submitting, .failed, .pending, .rollingBack, .destroying, .destroyed],
      .skipped: [.pending, .destroyed, .rollingBack, .destroying],
      .rollingBack: [.rollingBack, .rolledBack, .failed, .pending],
      .rolledBack: [.pending, .destroyed],
      .destroying: [.destroying, .destroyed, .failed],
      .destroyed: [],
    ]
    for from in StageStatus.allCases {
      for to in StageStatus.allCases {
        #expect(from.canTransition(to: to) == allowed[from]!.contains(to), "\(from) → \(to)")
      }
    }
    #expect(StageStatus.rollingBack.rawValue == "rolling-back")
    #expect(StageStatus.rolledBack.rawValue == "rolled-back")
  }

  /// The run table as data: a destroyed run is final; a failed or cancelled one resumes or is destroyed.
  @Test func runTransitionTable() {
    let allowed: [RunStatus: Set<RunStatus>] = [
      .pending: [.running, .failed, .cancelling, .cancelled, .destroying],
      .running: [.running, .succeeded, .failed, .submitted, .cancelling, .cancelled],
      .submitted: [.running, .cancelling, .cancelled],
      .succeeded: [.destroying],
      .failed: [.running, .destroying],
      .cancelling: [.running, .succeeded, .failed, .cancelling, .cancelled],
      .cancelled: [.running, .destroying],
      .destroying: [.destroying, .destroyed, .destroyFailed],
      .destroyed: [],
      .destroyFailed: [.destroying],
    ]
    for from in RunStatus.allCases {
      for to in RunStatus.allCases {
        #expect(from.canTransition(to: to) == allowed[from]!.contains(to), "\(from) → \(to)")
      }
    }
    #expect(RunStatus.destroyFailed.rawValue == "destroy-failed")
  }
}
