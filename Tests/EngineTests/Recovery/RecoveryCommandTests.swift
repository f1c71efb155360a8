import Engine
import Foundation
import RunState
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// The recovery paths of issue 12 as an operator meets them: real `vra-engine` processes sharing
/// one state file, against the simulator over HTTP.
@Suite(.serialized) struct RecoveryCommandTests {
  /// Starts `vra-engine` with the simulator's credentials and `extra` environment.
  static func start(
    _ arguments: [String], url: String?, in directory: URL, extra: [String: String] = [:], log: URL
  ) throws -> Process {
    let process = Process()
    process.executableURL = try VRAEngineBinary.url
    process.arguments = arguments
    process.currentDirectoryURL = directory
    var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]
    if let url {
      environment.merge([
        "VRA_URL": url, "VRA_USERNAME": "admin", "VRA_PASSWORD": "VMware1!", "VRA_DOMAIN": "vsphere.local",
      ]) { $1 }
    }
    process.environment = environment.merging(extra) { $1 }
    process.standardOutput = FileHandle.nullDevice
    FileManager.default.createFile(atPath: log.path, contents: nil)
    process.standardError = try FileHandle(forWritingTo: log)
    try process.run()
    return process
  }

  static func run(
    _ arguments: [String], url: String?, in directory: URL, extra: [String: String] = [:]
  ) async throws -> (Int32, String) {
    let log = directory.appendingPathComponent("stderr-\(UUID().uuidString).log")
    let process = try start(arguments, url: url, in: directory, extra: extra, log: log)
    let status = try await CrashResumeTests.waitForExit(process)
    return (status, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
  }

  static func store(_ directory: URL) async throws -> SQLStateStore {
    try await SQLStateStore.openSQLite(at: directory.appendingPathComponent(".vra-engine/state.db").path)
  }

  /// Problem 3: a run remembers its vRA. `destroy` with no endpoint set acts on the recorded one
  /// (not on an embedded simulator that answers 404 for everything); another endpoint is refused.
  @Test func destroyUsesTheRunsOwnEndpointAndRefusesAnother() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let directory = try RunCommandsTests.workspace()
      defer { try? FileManager.default.removeItem(at: directory) }
      let url = harness.server.baseURL
      let (applied, log) = try await Self.run(["apply", "plan.yaml"], url: url, in: directory)
      #expect(applied == 0, "\(log)")
      let store = try await Self.store(directory)
      let runId = try #require(try await store.runs(limit: 1).first?.id)
      #expect(try await store.run(runId)?.target?.endpoint.hasPrefix(url) == true)
      try await store.close()

      let other = "http://127.0.0.1:9"  // nothing listens there
      let (refused, message) = try await Self.run(
        ["destroy", runId.rawValue, "-y", "--endpoint", other], url: nil, in: directory)
      #expect(refused == 2, "\(message)")
      #expect(message.contains("ran against \(url)"), "\(message)")
      let session = try await SimulatorSession.start(harness)
      func live() async throws -> Int {
        try await session.get("/deployment/api/deployments?search=\(runId)").decode(Page<Deployment>.self).content.count
      }
      #expect(try await live() == 6, "a refused destroy deleted nothing")

      // Without a terminal, destroy wants -y; --dry-run lists and deletes nothing.
      let (unconfirmed, why) = try await Self.run(["destroy", runId.rawValue], url: url, in: directory)
      #expect(unconfirmed == 2, "\(why)")
      #expect(why.contains("--auto-approve"), "\(why)")
      let (listedOnly, list) = try await Self.run(["destroy", runId.rawValue, "--dry-run"], url: url, in: directory)
      #expect(listedOnly == 0, "\(list)")
      #expect(list.contains("edge: deployment edge-\(runId)"), "\(list)")
      #expect(try await live() == 6, "neither deleted anything")

      // No endpoint at all: the recorded one, with credentials from the environment.
      let (destroyed, output) = try await Self.run(
        ["destroy", runId.rawValue, "-y"], url: nil, in: directory,
        extra: ["VRA_USERNAME": "admin", "VRA_PASSWORD": "VMware1!", "VRA_DOMAIN": "vsphere.local"])
      #expect(destroyed == 0, "\(output)")
      #expect(!output.contains("embedded simulator"), "\(output)")
      #expect(try await live() == 0, "the deployments on the run's own vRA are gone")
      let after = try await Self.store(directory)
      #expect(try await after.run(runId)?.status == .destroyed)
      #expect(try await after.stages(of: runId).allSatisfy { $0.status == .destroyed })
      try await after.close()
      // A destroyed run cannot be resumed; runs lists it as destroyed.
      let (resumed, refusal) = try await Self.run(
        ["apply", "plan.yaml", "--resume", runId.rawValue], url: url, in: directory)
      #expect(resumed == 2, "\(refusal)")
      #expect(refusal.contains("destroyed"), "\(refusal)")
      let (_, listed) = try await Self.runOut(["runs"], url: url, in: directory)
      #expect(listed.contains("destroyed"), "\(listed)")
    }
  }

  /// Problem 5: a stage naming a project vRA does not have is found before anything is sent.
  @Test func anUnknownProjectIsFoundBeforeAnythingIsSent() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let directory = try RunCommandsTests.workspace()
      defer { try? FileManager.default.removeItem(at: directory) }
      let plan = CrashResumeTests.plan.replacingOccurrences(
        of: "edge: {template: network.yaml,", with: "edge: {template: network.yaml, project: Productoin,")
      try plan.write(to: directory.appendingPathComponent("plan.yaml"), atomically: true, encoding: .utf8)
      let url = harness.server.baseURL
      for arguments in [["apply", "plan.yaml"], ["apply", "plan.yaml", "--dry-run"]] {
        let (status, message) = try await Self.run(arguments, url: url, in: directory)
        #expect(status == 2, "\(arguments): \(message)")
        #expect(message.contains("stage 'edge': no project 'Productoin'"), "\(message)")
        #expect(message.contains("[/stages/edge/project]"), "\(message)")
      }
      #expect(await harness.server.stats().deploymentsCreated == 0, "nothing was submitted")
      let store = try await Self.store(directory)
      #expect(try await store.runs(limit: 5).isEmpty, "no run was recorded")
      try await store.close()
    }
  }

  /// Problem 2 with real processes: an `apply` that stalls past its lease (SIGSTOP) is taken over;
  /// woken up, it notices, sends nothing more and exits 4. A live owner's run is refused to `--resume`.
  @Test func aStalledOwnerIsTakenOverAndStopsOnWaking() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.1 }) { harness in
      let directory = try RunCommandsTests.workspace()
      defer { try? FileManager.default.removeItem(at: directory) }
      let url = harness.server.baseURL
      let lease = ["VRA_ENGINE_LEASE_DURATION": "1", "VRA_ENGINE_LEASE_CHECK": "0.1"]
      let log = directory.appendingPathComponent("owner.log")
      let owner = try Self.start(["apply", "plan.yaml"], url: url, in: directory, extra: lease, log: log)
      let store = try await Self.store(directory)
      let runId = try await harness.http.poll(timeout: .seconds(30)) { () -> RunID? in
        guard let run = try await store.runs(limit: 1).first, run.lease != nil else { return nil }
        return try await store.stages(of: run.id).contains { $0.status == .running } ? run.id : nil
      }
      // While it is alive, a resume is refused with its pid.
      let (refused, message) = try await Self.run(
        ["apply", "plan.yaml", "--resume", runId.rawValue], url: url, in: directory, extra: lease)
      #expect(refused == 2, "\(message)")
      #expect(message.contains("pid \(owner.processIdentifier)"), "\(message)")

      kill(owner.processIdentifier, SIGSTOP)
      let taken = try await RecoveryPathTests.takeOver(runId, from: store)
      let events = try await store.events(of: runId).count
      kill(owner.processIdentifier, SIGCONT)
      #expect(try await CrashResumeTests.waitForExit(owner) == 4)
      let said = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
      #expect(said.contains("no longer owns run \(runId)"), "\(said)")
      #expect(try await store.run(runId)?.epoch == taken.epoch)
      #expect(try await store.events(of: runId).count == events, "the stale owner wrote nothing after the takeover")
      let requests = try await SimulatorSession.start(harness).get("/blueprint/api/blueprint-requests")
        .decode(Page<BlueprintRequest>.self)
      #expect(requests.content.allSatisfy { $0.status != .cancelled }, "it cancelled nothing in vRA")
      try await store.releaseLease(taken)
      try await store.close()
      // The run resumes to its end from here.
      let (resumed, end) = try await Self.run(
        ["apply", "plan.yaml", "--resume", runId.rawValue], url: url, in: directory)
      #expect(resumed == 0, "\(end)")
    }
  }

  /// Problem 4: `cancel` from another terminal reaches an `apply` running on the embedded simulator
  /// (which lives inside that apply's process): the owner carries the request out.
  @Test func cancelFromAnotherTerminalReachesAnApplyOnTheEmbeddedSimulator() async throws {
    let directory = try RunCommandsTests.workspace()
    defer { try? FileManager.default.removeItem(at: directory) }
    var stages = "name: long\ndefaults: {project: Development}\nstages:\n  s0: {template: network.yaml}\n"
    for index in 1..<8 { stages += "  s\(index): {template: network.yaml, dependsOn: [s\(index - 1)]}\n" }
    try stages.write(to: directory.appendingPathComponent("plan.yaml"), atomically: true, encoding: .utf8)
    let log = directory.appendingPathComponent("apply.log")
    let apply = try Self.start(
      ["apply", "plan.yaml"], url: nil, in: directory, extra: ["VRA_ENGINE_LEASE_CHECK": "0.1"], log: log)
    let store = try await Self.store(directory)
    let runId = try await pollForValue(timeout: .seconds(60)) { () -> RunID? in
      guard let run = try await store.runs(limit: 1).first else { return nil }
      return try await store.stages(of: run.id).contains { $0.status == .running } ? run.id : nil
    }
    #expect(try await store.run(runId)?.target?.embedded == true)
    let (cancelled, report) = try await Self.run(["cancel", runId.rawValue], url: nil, in: directory)
    #expect(cancelled == 0, "\(report)")
    #expect(report.contains("carried out the cancel"), "\(report)")
    #expect(report.contains("cancelled in vRA"), "\(report)")
    #expect(try await CrashResumeTests.waitForExit(apply) == 130)
    #expect(try await store.run(runId)?.status == .cancelled)
    try await store.close()
  }

  /// Problem 6: `runs prune` removes runs that sent nothing to vRA, and keeps the others.
  @Test func pruneRemovesRunsThatSentNothing() async throws {
    let directory = try RunCommandsTests.workspace()
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try await Self.store(directory)
    let idle = try await store.createRun(
      id: .generate(), planName: "p", planPath: "plan.yaml", planDigest: "d", options: [:], stages: ["a"])
    try await store.updateRunStatus(idle.id, to: .failed)
    let sent = try await store.createRun(
      id: .generate(), planName: "p", planPath: "plan.yaml", planDigest: "d", options: [:], stages: ["a"])
    try await store.updateRunStatus(sent.id, to: .running)
    try await store.recordIntent(run: sent.id, stage: "a", deploymentName: "a-1", projectId: "p", attempt: 1)
    try await store.recordStageFailure(run: sent.id, stage: "a", error: RecordedError(errorClass: "x", message: "y"))
    try await store.updateRunStatus(sent.id, to: .failed)
    let (dry, listed) = try await Self.runOut(["runs", "prune", "--dry-run"], url: nil, in: directory)
    #expect(dry == 0)
    #expect(listed.contains("would remove \(idle.id)") && !listed.contains("\(sent.id)"), "\(listed)")
    #expect(try await store.run(idle.id) != nil, "a dry run removes nothing")
    let (pruned, _) = try await Self.runOut(["runs", "prune"], url: nil, in: directory)
    #expect(pruned == 0)
    #expect(try await store.run(idle.id) == nil)
    #expect(try await store.run(sent.id) != nil, "a run that reached vRA stays")
    try await store.close()
  }

  static func runOut(_ arguments: [String], url: String?, in directory: URL) async throws -> (Int32, String) {
    let process = Process()
    process.executableURL = try VRAEngineBinary.url
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let out = directory.appendingPathComponent("stdout-\(UUID().uuidString).log")
    FileManager.default.createFile(atPath: out.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = FileHandle.nullDevice
    process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]
    try process.run()
    let status = try await CrashResumeTests.waitForExit(process)
    return (status, (try? String(contentsOf: out, encoding: .utf8)) ?? "")
  }
}
