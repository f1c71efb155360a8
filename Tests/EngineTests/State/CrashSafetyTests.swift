import Foundation
import RunState
import TestSupport
import Testing
import VRAModels

@testable import Engine
@testable import RunState

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

@Suite struct CrashSafetyTests {
  #if os(Linux)
    /// A child process (this test binary, running `CrashChild`) writes, then is SIGKILLed in the
    /// middle of a transaction, the connection never closed. The parent reopens the file.
    @Test func aKilledProcessLeavesItsCommittedWritesAndNoPartialOne() async throws {
      try await withStateFile { path in
        let (status, reason, output) = try await CrashChild.run(statePath: path)
        #expect(reason == .uncaughtSignal && status == SIGKILL, "child should die by SIGKILL: \(output)")

        let store = try await SQLStateStore.openSQLite(at: path)
        let run = try #require(try await store.runs(limit: 10).first)
        #expect(run.id == CrashChild.runID)
        let stage = try #require(try await store.stage(run: run.id, name: "net"))
        // The intent was committed; the `submitted` write that was in flight when the process died was not.
        #expect(stage.status == .submitting)
        #expect(stage.deploymentName == "net-\(run.id)")
        #expect(stage.blueprintRequestId == nil)
        #expect(try await store.stagesNeedingReconciliation(run: run.id).map(\.name) == ["net"])
        #expect(try await store.events(of: run.id).map(\.kind) == ["run.created", "run.status", "stage.status"])
        // And the file takes new writes.
        try await store.recordSubmitted(
          run: run.id, stage: "net", blueprintRequestId: "bpr-1", requestId: nil, deploymentId: "dep-1")
        try await store.close()
      }
    }
  #endif

  @Test func aWriteInterruptedBeforeCommitLeavesNoPartialStage() async throws {
    try await withStateFile { path in
      let store = try await SQLStateStore.openSQLite(at: path)
      let run = try await store.makeRun(stages: ["net"])
      try await store.recordIntent(run: run.id, stage: "net", deploymentName: "net-1", projectId: nil, attempt: 1)
      let before = try await store.stage(run: run.id, name: "net")
      let eventsBefore = try await store.events(of: run.id)

      // The stage row and its event were written inside the transaction; the fault hits before COMMIT.
      await store.injectFaultBeforeNextCommit(InjectedFault())
      await #expect(throws: StateStoreError.self) {
        try await store.recordSubmitted(
          run: run.id, stage: "net", blueprintRequestId: "bpr-1", requestId: "req-1", deploymentId: "dep-1")
      }
      #expect(try await store.stage(run: run.id, name: "net") == before)
      #expect(try await store.events(of: run.id) == eventsBefore)

      // Another connection (another process) sees no trace either.
      let other = try await SQLStateStore.openSQLite(at: path)
      #expect(try await other.stage(run: run.id, name: "net") == before)
      try await other.close()

      // The store is still usable and the same write now goes through.
      let submitted = try await store.recordSubmitted(
        run: run.id, stage: "net", blueprintRequestId: "bpr-1", requestId: "req-1", deploymentId: "dep-1")
      #expect(submitted.status == .submitted)
      try await store.close()
    }
  }

  @Test(arguments: StoreBackend.allCases) func aRunInterruptedBeforeCommitLeavesNoRowsAtAll(
    _ backend: StoreBackend
  ) async throws {
    let id = RunID.generate()
    try await withStore(backend) { store, _ in
      await store.injectFaultBeforeNextCommit(InjectedFault())
      await #expect(throws: StateStoreError.self) { try await store.makeRun(id, stages: ["a", "b"]) }
      #expect(try await store.run(id) == nil)
      #expect(try await store.stages(of: id).isEmpty)
      #expect(try await store.events(of: id).isEmpty)
      // The id is free: nothing half-written blocks a new attempt.
      try await store.makeRun(id, stages: ["a", "b"])
    }
  }

  @Test func aClosedStoreRefusesCalls() async throws {
    try await withStateFile { path in
      let store = try await SQLStateStore.openSQLite(at: path)
      try await store.close()
      await #expect(throws: StateStoreError.closed) { _ = try await store.runs(limit: 1) }
    }
  }
}

/// The child side of the crash test: runs only when the parent starts this binary with
/// `VRA_STATE_CRASH_CHILD=<state path>`; skipped in normal runs.
@Suite struct CrashChild {
  static let environmentKey = "VRA_STATE_CRASH_CHILD"
  static let runID = RunID(rawValue: "c0ffee01")

  @Test(.enabled(if: ProcessInfo.processInfo.environment[environmentKey] != nil))
  func writeThenDieMidTransaction() async throws {
    let path = try #require(ProcessInfo.processInfo.environment[Self.environmentKey])
    let store = try await SQLStateStore.openSQLite(at: path)
    try await store.makeRun(Self.runID, stages: ["net"])
    try await store.updateRunStatus(Self.runID, to: .running)
    try await store.recordIntent(
      run: Self.runID, stage: "net", deploymentName: "net-\(Self.runID)", projectId: nil, attempt: 1)
    // Die with the `submitted` write's statements executed but not committed.
    await store.runBeforeNextCommit { kill(getpid(), SIGKILL) }
    try await store.recordSubmitted(
      run: Self.runID, stage: "net", blueprintRequestId: "bpr-1", requestId: nil, deploymentId: "dep-1")
    Issue.record("the process should have been killed before the commit")
  }

  /// Starts this test binary running only `writeThenDieMidTransaction` and waits for it.
  static func run(statePath: String) async throws -> (Int32, Process.TerminationReason, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    process.arguments = ["--testing-library", "swift-testing", "--filter", "CrashChild"]
    var environment = ProcessInfo.processInfo.environment
    environment[environmentKey] = statePath
    process.environment = environment
    // A file, not a pipe: nobody reads while the child runs, and a full pipe would block it.
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("crash-child-\(UUID().uuidString).log")
    FileManager.default.createFile(atPath: log.path, contents: nil)
    let handle = try FileHandle(forWritingTo: log)
    defer {
      try? handle.close()
      try? FileManager.default.removeItem(at: log)
    }
    process.standardOutput = handle
    process.standardError = handle
    try await ChildProcess.run(process)
    let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    return (process.terminationStatus, process.terminationReason, String(output.suffix(2000)))
  }
}
