import Engine
import Foundation
import RunState
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// `apply` killed with SIGKILL at random moments, then `apply --resume`: every run completes and
/// vRA holds each stage's deployment exactly once. The simulator is told to accept duplicate
/// names, so a blind re-submit would show up as a second deployment instead of a 409.
@Suite(.serialized) struct CrashResumeTests {
  static let plan = EngineTemplates.sixStagePlan

  /// Runs `vra-engine` with the arguments; returns the process (already started).
  /// - Parameter standardError: a file to write stderr to (a file, not a pipe: nobody reads while
  ///   the process runs, and a full pipe would block it); nil discards it.
  static func start(
    _ arguments: [String], simulator: String, in directory: URL, standardError: URL? = nil
  ) throws -> Process {
    let process = Process()
    process.executableURL = try VRAEngineBinary.url
    process.arguments = arguments
    process.currentDirectoryURL = directory
    process.environment = [
      "VRA_URL": simulator, "VRA_USERNAME": "admin", "VRA_PASSWORD": "VMware1!", "VRA_DOMAIN": "vsphere.local",
      "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin",
    ]
    process.standardOutput = FileHandle.nullDevice
    if let standardError {
      FileManager.default.createFile(atPath: standardError.path, contents: nil)
      process.standardError = try FileHandle(forWritingTo: standardError)
    } else {
      process.standardError = FileHandle.nullDevice
    }
    try process.run()
    return process
  }

  static func waitForExit(_ process: Process, timeout: Duration = .seconds(120)) async throws -> Int32 {
    let deadline = ContinuousClock.now + timeout
    while process.isRunning {
      guard ContinuousClock.now < deadline else {
        process.terminate()
        throw PollTimeout(timeout: timeout)
      }
      try await Task.sleep(for: .milliseconds(20))
    }
    return process.terminationStatus
  }

  @Test func killedRunsResumeToCompletionWithoutDuplicates() async throws {
    let trials = 20
    try await SimulatorHarness.with({
      $0.timeScale = 0.004
      $0.uniqueDeploymentNames = false
    }) { harness in
      let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crash-\(UUID().uuidString)")
      defer { try? FileManager.default.removeItem(at: directory) }
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      for (name, text) in [
        "plan.yaml": Self.plan, "network.yaml": EngineTemplates.network, "machine.yaml": EngineTemplates.machine,
        "app.yaml": EngineTemplates.app,
      ] {
        try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
      }
      var generator = SystemRandomNumberGenerator()
      var killedMidRun = 0
      let session = try await SimulatorSession.start(harness)
      func totalDeployments() async throws -> Int {
        try await session.get("/deployment/api/deployments?$top=1").decode(Page<Deployment>.self).totalElements ?? 0
      }
      for trial in 0..<trials {
        let state = "trial-\(trial).db"
        let before = try await totalDeployments()
        let first = try Self.start(
          ["apply", "plan.yaml", "--state", state], simulator: harness.server.baseURL, in: directory)
        try await Task.sleep(for: .milliseconds(Int.random(in: 50...1500, using: &generator)))
        if first.isRunning {
          kill(first.processIdentifier, SIGKILL)
          killedMidRun += 1
        }
        _ = try await Self.waitForExit(first)

        // The run id, from the state database the killed process left behind.
        let store = try await SQLStateStore.openSQLite(at: directory.appendingPathComponent(state).path)
        let runs = try await store.runs(limit: 5)
        try await store.close()
        guard let run = runs.first else {
          // Killed before the run was even recorded: then nothing may have reached vRA either.
          #expect(try await totalDeployments() == before, "trial \(trial): no run recorded, yet vRA changed")
          continue
        }
        if run.status != .succeeded {
          let resumed = try Self.start(
            ["apply", "plan.yaml", "--state", state, "--resume", run.id.rawValue], simulator: harness.server.baseURL,
            in: directory)
          #expect(try await Self.waitForExit(resumed) == 0, "trial \(trial): the resumed run succeeds")
        }
        let deployments = try await session.get("/deployment/api/deployments?search=\(run.id)&$top=100")
          .decode(Page<Deployment>.self).content
        let counts = Dictionary(grouping: deployments, by: \.name).mapValues(\.count)
        #expect(counts.count == 6, "trial \(trial): one deployment per stage, got \(counts.keys.sorted())")
        #expect(counts.values.allSatisfy { $0 == 1 }, "trial \(trial): duplicates \(counts.filter { $0.value > 1 })")
      }
      #expect(killedMidRun >= trials / 2, "most trials really were killed mid-run (\(killedMidRun)/\(trials))")
      #expect(await harness.server.stats().duplicateDeploymentNames == 0)
    }
  }

  /// The embedded simulator dies with the engine (one process): a resume must still find, in the
  /// simulator's saved state, every deployment whose id the engine recorded.
  @Test func killedRunsOnTheEmbeddedSimulatorResumeToCompletion() async throws {
    let trials = 4
    var generator = SystemRandomNumberGenerator()
    for trial in 0..<trials {
      let first = try Deploy.start(
        ["plan.yaml"], command: "apply",
        files: [
          "plan.yaml": Self.plan, "network.yaml": EngineTemplates.network, "machine.yaml": EngineTemplates.machine,
          "app.yaml": EngineTemplates.app,
        ], simulator: nil)
      defer { try? FileManager.default.removeItem(at: first.directory) }
      let state = first.directory.appendingPathComponent(".vra-engine/state.db").path
      // Kill it once some stage is in flight (so ids were recorded), plus a random moment more.
      let deadline = ContinuousClock.now + .seconds(60)
      while true {
        try #require(ContinuousClock.now < deadline, "trial \(trial): no stage was submitted within 60 s")
        if FileManager.default.fileExists(atPath: state) {
          let store = try await SQLStateStore.openSQLite(at: state)
          var submitted = false
          if let run = try await store.runs(limit: 1).first {
            submitted = try await store.stages(of: run.id).contains { $0.deploymentId != nil }
          }
          try await store.close()
          if submitted { break }
        }
        try await Task.sleep(for: .milliseconds(20))
      }
      // The random moment of the kill is the behaviour under test, not a wait for something.
      try await Task.sleep(for: .milliseconds(Int.random(in: 0...1500, using: &generator)))
      kill(first.process.processIdentifier, SIGKILL)
      _ = try await CrashResumeTests.waitForExit(first.process)

      let store = try await SQLStateStore.openSQLite(at: state)
      let run = try #require(try await store.runs(limit: 1).first)
      try await store.close()
      if run.status != .succeeded {
        let resumed = try await Deploy.run(
          ["plan.yaml", "--resume", run.id.rawValue], command: "apply", simulator: nil, in: first.directory)
        #expect(resumed.status == 0, "trial \(trial): \(resumed.stderr)")
      }
      // Every stage's deployment exists once in the embedded simulator's saved state.
      var configuration = SimulatorConfiguration()
      configuration.port = 0
      configuration.stateFile = first.directory.appendingPathComponent(".vra-engine/simulator.json").path
      let simulator = try await SimulatorServer.start(configuration: configuration)
      let client = try Deploy.client(simulator.baseURL)
      let names = try await client.deployments().collect().map(\.name).filter { $0.hasSuffix(run.id.rawValue) }
      await simulator.stop()
      #expect(names.count == 6 && Set(names).count == 6, "trial \(trial): \(names.sorted())")
    }
  }
}

/// The write-ahead log's hardest case, made deterministic: the process died after vRA accepted the
/// POST but before the ids were recorded. Resume must find the deployment by name, not submit again.
@Suite struct WriteAheadResumeTests {
  @Test func anIntentWithoutIdsIsReconciledByNameNotResubmitted() async throws {
    let harness = try await OrchestrationHarness.start { $0.uniqueDeploymentNames = false }
    defer { Task { await harness.stop() } }
    let plan = try harness.plan([
      "plan.yaml": """
      name: one
      defaults: {project: Development}
      stages:
        net: {template: network.yaml, deploymentName: "net-${run.id}"}
      """,
      "network.yaml": EngineTemplates.network,
    ])
    let orchestrator = harness.orchestrator(plan)
    let runId = try await orchestrator.createRun(planDigest: "test")
    let projectId = try #require(try await harness.client.projects().collect().first { $0.name == "Development" }?.id)

    // What the crashed process did: the intent, then the POST, then nothing.
    try await harness.store.recordIntent(
      run: runId, stage: "net", deploymentName: "net-\(runId)", projectId: projectId, attempt: 1)
    let content = try String(contentsOf: harness.directory.appendingPathComponent("network.yaml"), encoding: .utf8)
    _ = try await harness.client.createBlueprintRequest(
      BlueprintRequest(content: content, deploymentName: "net-\(runId)", projectId: projectId))
    try await harness.store.updateRunStatus(runId, to: .running)

    let run = try await orchestrator.run(runId)
    #expect(run.status == .succeeded)
    #expect(try await harness.deploymentNames() == ["net-\(runId)"], "one deployment, found by name")
    let posts = await harness.simulator.server.stats().count("POST /blueprint/api/blueprint-requests")
    #expect(posts == 1, "resume sent no second POST")
    #expect(harness.events.all.contains { if case .stage("net", .submitted, _) = $0 { true } else { false } })
  }

  @Test func aSubmittedStageIsReattachedWithoutAnyPost() async throws {
    let harness = try await OrchestrationHarness.start { $0.uniqueDeploymentNames = false }
    defer { Task { await harness.stop() } }
    let plan = try harness.plan([
      "plan.yaml": """
      name: one
      defaults: {project: Development}
      stages:
        net: {template: network.yaml, deploymentName: "net-${run.id}"}
      """,
      "network.yaml": EngineTemplates.network,
    ])
    let orchestrator = harness.orchestrator(plan)
    let runId = try await orchestrator.createRun(planDigest: "test")
    let projectId = try #require(try await harness.client.projects().collect().first { $0.name == "Development" }?.id)
    try await harness.store.recordIntent(
      run: runId, stage: "net", deploymentName: "net-\(runId)", projectId: projectId, attempt: 1)
    let content = try String(contentsOf: harness.directory.appendingPathComponent("network.yaml"), encoding: .utf8)
    let request = try await harness.client.createBlueprintRequest(
      BlueprintRequest(content: content, deploymentName: "net-\(runId)", projectId: projectId))
    try await harness.store.recordSubmitted(
      run: runId, stage: "net", blueprintRequestId: request.id, requestId: nil, deploymentId: request.deploymentId)
    try await harness.store.updateRunStatus(runId, to: .running)

    let run = try await orchestrator.run(runId)
    #expect(run.status == .succeeded)
    #expect(try await harness.deploymentNames() == ["net-\(runId)"])
    #expect(await harness.simulator.server.stats().count("POST /blueprint/api/blueprint-requests") == 1)
  }
}
