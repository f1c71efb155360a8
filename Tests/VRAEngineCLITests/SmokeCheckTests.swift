import Engine
import Foundation
import RunState
import TestSupport
import Testing
import VRAModels
import VRASimulator

@testable import VRAEngineCLI

/// HTTP smoke checks of what a run deployed, end to end: the simulator's machines serve a health
/// URL (`healthUrl`), which the plan's template passes on as an output and a check stage reads.
/// A deployment named in `unhealthyApps` answers 500 there, so a failing check is real too.
@Suite(.serialized) struct SmokeCheckTests {
  static let app = """
    formatVersion: 1
    resources:
      app:
        type: Cloud.Machine
        properties: {image: ubuntu, flavor: small}
    outputs:
      url: {value: '${resource.app.healthUrl}'}
    """

  static func simulator(_ configuration: inout SimulatorConfiguration) {
    configuration.timeScale = 0.004
    configuration.faults.enabled = true
  }

  /// `app` deployed as `<name>-${run.id}`, then its health checked 3 times in a row, then `extra`.
  static func plan(name: String = "smoke", extra: String = "", defaults: String = "") -> String {
    """
    name: \(name)
    defaults: {project: Development\(defaults)}
    stages:
      app:
        template: app.yaml
        deploymentName: "\(name)-${run.id}"
      smoke:
        check:
          http: {url: "${stages.app.outputs.url}", expectBody: ok, times: 3, interval: 100ms, timeout: 5s}
    \(extra)
    """
  }

  static func apply(
    _ plan: String, _ arguments: [String] = [], harness: SimulatorHarness, directory: URL? = nil
  ) async throws -> (CLIHarness.Outcome, URL) {
    let directory = try directory ?? Scratch.directory()
    _ = try Scratch.files(["plan.yaml": plan, "app.yaml": Self.app], in: directory)
    let run = try await CLIHarness.run(
      ["apply", "plan.yaml"] + arguments + ["--state", directory.appendingPathComponent("state.db").path],
      in: directory, harness: harness)
    return (run, directory)
  }

  static func stage(_ name: String, of report: [String: Any]) throws -> [String: Any] {
    let stages = try #require(report["stages"] as? [[String: Any]])
    return try #require(stages.first { $0["name"] as? String == name })
  }

  static func deployments(_ harness: SimulatorHarness) async throws -> [Deployment] {
    let session = try await SimulatorSession.start(harness)
    return try await session.get("/deployment/api/deployments?expand=resources").decode(Page<Deployment>.self).content
  }

  @Test func aSmokeCheckPassesOnTheDeployedMachinesHealthURL() async throws {
    try await SimulatorHarness.with(Self.simulator) { harness in
      let (run, _) = try await Self.apply(Self.plan(), ["--output", "json"], harness: harness)
      #expect(run.status == 0, "\(run.stderr)")
      let report = try run.json()
      let url = try #require((try Self.stage("app", of: report)["outputs"] as? [String: Any])?["url"] as? String)
      #expect(url.hasPrefix(harness.server.baseURL + "/_sim/apps/"), "\(url)")
      let check = try #require(try Self.stage("smoke", of: report)["check"] as? [String: Any])
      #expect(check["passed"] as? Bool == true && check["status"] as? Int == 200, "\(check)")
      #expect(check["attempts"] as? Int == 3 && check["passesInRow"] as? Int == 3, "\(check)")
      #expect(check["target"] as? String == url)
    }
  }

  /// The machine answers 500: the check fails its stage, the plan's rollback deletes what the run
  /// created, and the report says what the check saw.
  @Test func aFailingSmokeCheckFailsTheRunAndItsRollbackDeletesTheSandbox() async throws {
    try await SimulatorHarness.with(Self.simulator) { harness in
      try await harness.server.setUnhealthyApps(["broken-*"])
      let (run, directory) = try await Self.apply(
        Self.plan(name: "broken", defaults: ", rollback: on-failure"),
        ["--output", "json", "--report", "junit=report.xml"], harness: harness)
      #expect(run.status == 1, "\(run.stderr)")
      let report = try run.json()
      let smoke = try Self.stage("smoke", of: report)
      #expect(smoke["status"] as? String == "failed")
      let check = try #require(smoke["check"] as? [String: Any])
      #expect(check["passed"] as? Bool == false && check["status"] as? Int == 500, "\(check)")
      #expect(check["last"] as? String == "HTTP 500, expected 200", "\(check)")
      #expect((check["output"] as? String)?.contains("unhealthy") == true, "the answer's body: \(check)")
      #expect((check["attempts"] as? Int ?? 0) > 3, "retried until its timeout: \(check)")
      #expect(try Self.stage("app", of: report)["status"] as? String == "rolled-back")
      #expect(try await Self.deployments(harness).isEmpty, "the rollback deleted the app")
      let junit = try String(contentsOf: directory.appendingPathComponent("report.xml"), encoding: .utf8)
      #expect(junit.contains(#"<testcase name="smoke" classname="vra-engine.broken.check""#), "\(junit)")
      #expect(junit.contains(#"<failure type="check""#) && junit.contains("HTTP 500, expected 200"), "\(junit)")
      #expect(try await JUnitSchema.validate(directory.appendingPathComponent("report.xml")).valid)
    }
  }

  /// Issue 18's "an action after a check": the power-off waits for the smoke check and is sent only
  /// when it passed; after a failing check it is never sent.
  @Test func anActionRunsAfterAPassingCheckAndNeverAfterAFailingOne() async throws {
    try await SimulatorHarness.with(Self.simulator) { harness in
      let action = """
          off:
            action: {stage: app, id: Deployment.PowerOff}
            dependsOn: [smoke]
        """
      try await harness.server.setUnhealthyApps(["bad-*"])
      let (failed, _) = try await Self.apply(Self.plan(name: "bad", extra: action), harness: harness)
      #expect(failed.status == 1, "\(failed.stderr)")
      let actionsAfterFailure = await harness.server.recentCalls().filter {
        $0.method == "POST" && $0.path.hasPrefix("/deployment/api/deployments/") && $0.path.hasSuffix("/requests")
      }
      #expect(actionsAfterFailure.isEmpty, "no action after a failing check: \(actionsAfterFailure.map(\.path))")

      let (passed, directory) = try await Self.apply(Self.plan(name: "good", extra: action), harness: harness)
      #expect(passed.status == 0, "\(passed.stderr)")
      let store = try await SQLStateStore.open(
        try StateDatabase.parse(directory.appendingPathComponent("state.db").path))
      let runId = try #require(try await store.runs(limit: 1).first?.id)
      let events = try await store.events(of: runId)
      try await store.close()
      let checked = try #require(events.first { $0.kind == EventRecord.Kind.stageCheck && $0.stage == "smoke" })
      let submitting = try #require(
        events.first {
          $0.stage == "off" && $0.kind == EventRecord.Kind.stageStatus && $0.message.contains("submitting")
        },
        "\(events.map(\.message))")
      #expect(checked.sequence < submitting.sequence, "the action was sent after the check passed")
      let good = try #require(try await Self.deployments(harness).first { $0.name.hasPrefix("good-") })
      let powerState = good.resources?.first { $0.name == "app" }?.properties?["powerState"]?.stringValue
      #expect(powerState == "OFF", "the action ran: \(powerState ?? "nil")")
    }
  }

  /// A failed check, the application fixed, `--resume`: the check runs again and passes, and the
  /// deployed stage is not deployed a second time.
  @Test func aResumeAfterTheApplicationIsFixedRunsTheCheckAgainOnly() async throws {
    try await SimulatorHarness.with(Self.simulator) { harness in
      try await harness.server.setUnhealthyApps(["later-*"])
      let (failed, directory) = try await Self.apply(Self.plan(name: "later"), harness: harness)
      #expect(failed.status == 1, "\(failed.stderr)")
      let state = directory.appendingPathComponent("state.db").path
      let store = try await SQLStateStore.open(try StateDatabase.parse(state))
      let runId = try #require(try await store.runs(limit: 1).first?.id)
      try await store.close()
      let creates = await harness.server.stats().count("POST /blueprint/api/blueprint-requests")

      try await harness.server.setUnhealthyApps([])
      let resumed = try await CLIHarness.run(
        ["apply", "plan.yaml", "--resume", runId.rawValue, "--state", state, "--output", "json"], in: directory,
        harness: harness)
      #expect(resumed.status == 0, "\(resumed.stderr)")
      let report = try resumed.json()
      #expect(try Self.stage("smoke", of: report)["status"] as? String == "succeeded")
      #expect(await harness.server.stats().count("POST /blueprint/api/blueprint-requests") == creates)
      #expect(try await Self.deployments(harness).count == 1)
    }
  }

  /// In an environment a check runs on every apply and is never a pending change.
  @Test func anEnvironmentsCheckRunsOnEveryApplyAndIsNoChange() async throws {
    try await SimulatorHarness.with(Self.simulator) { harness in
      let plan = Self.plan(name: "env").replacingOccurrences(of: "    deploymentName: \"env-${run.id}\"\n", with: "")
      let directory = try Scratch.directory()
      for attempt in 1...2 {
        let (run, _) = try await Self.apply(plan, ["--env", "staging"], harness: harness, directory: directory)
        #expect(run.status == 0, "apply \(attempt): \(run.stderr)")
      }
      #expect(await harness.server.stats().count("POST /blueprint/api/blueprint-requests") == 1)
      let store = try await SQLStateStore.open(
        try StateDatabase.parse(directory.appendingPathComponent("state.db").path))
      var checks: [Int] = []
      for run in try await store.runs(limit: 10) {
        for event in try await store.events(of: run.id) where event.kind == EventRecord.Kind.stageCheck {
          checks.append(event.data?["attempts"]?.intValue ?? 0)
        }
      }
      try await store.close()
      #expect(checks == [3, 3], "the check ran (three passes) in each apply: \(checks)")
      let planned = try await CLIHarness.run(
        [
          "plan", "plan.yaml", "--env", "staging", "--detailed-exitcode", "--state",
          directory.appendingPathComponent("state.db").path,
        ], in: directory, harness: harness)
      #expect(planned.status == 0, "no changes pending: \(planned.stdout)\(planned.stderr)")
      #expect(planned.stdout.contains("? smoke: check"), "\(planned.stdout)")
    }
  }
}
