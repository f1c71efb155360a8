import EngineRuntime
import EngineServer
import Foundation
import TestSupport
import Testing
import VRAModels

@testable import VRAEngineCLI

/// `apply`, `runs`, `runs show`, `cancel` and `destroy` with `--server`, in-process (`CLIHarness`)
/// against `FakeEngineServer`: what they send, what they print, and the exit codes, which are the
/// local commands' for the same outcome. Pointing `--server` at a real `serve` instead needs no
/// change to the commands.
@Suite struct RemoteCommandTests {
  static let token = "t0k3n-not-for-printing"
  static let environment = ["VRA_ENGINE_TOKEN": token]

  static func workspace() throws -> URL {
    try Scratch.files(
      [
        "plan.yaml": """
        name: web
        defaults: {project: Development}
        stages:
          net: {template: network.yaml}
          db: {template: machine.yaml, inputs: {network: "${stages.net.outputs.networkId}"}}
        """,
        "network.yaml": EngineTemplates.network, "machine.yaml": EngineTemplates.machine,
      ], in: Scratch.directory())
  }

  static func scriptRun(_ server: FakeEngineServer, _ id: String, final: String) async {
    let stages = ["net", "db"]
    await server.on(
      "GET", "/api/v1/runs/\(id)/events",
      .events(SSE.run(id, stages: stages, final: final).map(SSE.event) + [SSE.end(final)]))
    await server.on("GET", "/api/v1/runs/\(id)", .json(status: 200, body: SSE.report(id, stages: stages, final: final)))
  }

  // MARK: apply

  /// The first POST is answered 503: the submission is sent again with the same Idempotency-Key
  /// (a random UUID), and the run is shown as a local apply shows it.
  @Test func applyRetriesTheSubmitWithTheSameIdempotencyKey() async throws {
    try await FakeEngineServer.with { server in
      await server.on(
        "POST", "/api/v1/runs", .problem(.unavailable, detail: "restarting"),
        .encoded(SSE.resource("r1"), status: 202, headers: ["Location": "/api/v1/runs/r1"]))
      await Self.scriptRun(server, "r1", final: "succeeded")
      let directory = try Self.workspace()
      let outcome = try await CLIHarness.run(
        ["apply", directory.appendingPathComponent("plan.yaml").path, "--server", server.url],
        environment: Self.environment)
      #expect(outcome.status == 0, "\(outcome.stderr)")
      let posts = await server.requests("POST", "/api/v1/runs")
      #expect(posts.count == 2)
      let keys = posts.compactMap { $0.header("Idempotency-Key") }
      #expect(keys.count == 2 && keys[0] == keys[1])
      #expect(UUID(uuidString: keys[0]) != nil)
      #expect(posts.allSatisfy { $0.header("Authorization") == "Bearer \(Self.token)" })

      let submitted = try VRAJSON.makeDecoder().decode(RunSubmission.self, from: Data(posts[0].body.utf8))
      #expect(submitted.planPath == "plan.yaml")
      #expect(submitted.files?.keys.sorted() == ["machine.yaml", "network.yaml"])
      #expect(submitted.dryRun == nil)

      #expect(outcome.stderr.contains("run r1 started: net, db"), "\(outcome.stderr)")
      #expect(outcome.stderr.contains("db [project Development]: 1/2 tasks"))
      #expect(outcome.stderr.contains("run r1: succeeded  (details: vra-engine runs show --server \(server.url) r1)"))
      #expect(outcome.stdout == "outputs:\n  net.address = 10.0.0.1\n  db.address = 10.0.0.2\n")

      let again = try await CLIHarness.run(
        ["apply", directory.appendingPathComponent("plan.yaml").path, "--server", server.url],
        environment: Self.environment)
      #expect(again.status == 0)
      let third = await server.requests("POST", "/api/v1/runs").last?.header("Idempotency-Key")
      #expect(third != nil && third != keys[0], "each apply is a new key")
    }
  }

  /// `--output json` prints the report exactly as the server gives it (the local report's shape),
  /// and a failed run exits 1, as locally.
  @Test func applyOutputJSONIsTheReportAndAFailedRunExits1() async throws {
    try await FakeEngineServer.with { server in
      await server.on("POST", "/api/v1/runs", .encoded(SSE.resource("r2"), status: 202))
      await Self.scriptRun(server, "r2", final: "failed")
      let outcome = try await CLIHarness.run(
        [
          "apply", try Self.workspace().appendingPathComponent("plan.yaml").path, "--server", server.url, "--output",
          "json",
        ],
        environment: Self.environment)
      #expect(outcome.status == 1, "\(outcome.stderr)")
      let printed = try JSONDecoder().decode(JSONValue.self, from: Data(outcome.stdout.utf8))
      let served = try JSONDecoder().decode(
        JSONValue.self, from: Data(SSE.report("r2", stages: ["net", "db"], final: "failed").utf8))
      #expect(printed == served)
      #expect(outcome.stderr == "run r2 started\n", "only the run's start beside a JSON report")
    }
  }

  /// `--report` with `--server`: the reports come from the server's report of the run.
  @Test func applyWritesReportsFromTheServersReport() async throws {
    try await FakeEngineServer.with { server in
      await server.on("POST", "/api/v1/runs", .encoded(SSE.resource("r3"), status: 202))
      await Self.scriptRun(server, "r3", final: "failed")
      let directory = try Self.workspace()
      let outcome = try await CLIHarness.run(
        [
          "apply", directory.appendingPathComponent("plan.yaml").path, "--server", server.url, "--report",
          "junit=\(directory.appendingPathComponent("report.xml").path)", "--report",
          "markdown=\(directory.appendingPathComponent("report.md").path)",
        ], environment: Self.environment)
      #expect(outcome.status == 1, "\(outcome.stderr)")
      let file = directory.appendingPathComponent("report.xml")
      let junit = try String(contentsOf: file, encoding: .utf8)
      #expect(junit.contains(#"<testsuite name="web" tests="2""#), "\(junit)")
      #expect(try await JUnitSchema.validate(file).valid, "\(junit)")
      let markdown = try String(contentsOf: directory.appendingPathComponent("report.md"), encoding: .utf8)
      #expect(markdown.contains("run `r3` failed"), "\(markdown)")
    }
  }

  @Test func applyDryRunPrintsTheServersRequests() async throws {
    try await FakeEngineServer.with { server in
      await server.on("POST", "/api/v1/runs", .encoded(DryRunAnswer(requests: "layer 1: net\n  POST /blueprint")))
      let outcome = try await CLIHarness.run(
        ["apply", try Self.workspace().appendingPathComponent("plan.yaml").path, "--server", server.url, "--dry-run"],
        environment: Self.environment)
      #expect(outcome.status == 0)
      #expect(outcome.stdout == "layer 1: net\n  POST /blueprint\n")
      let post = try #require(await server.requests("POST", "/api/v1/runs").first)
      #expect(post.header("Idempotency-Key") == nil)
      #expect(try VRAJSON.makeDecoder().decode(RunSubmission.self, from: Data(post.body.utf8)).dryRun == true)
    }
  }

  /// A 422 invalid-plan answer is printed as the local validator prints an invalid plan, at the
  /// local file's path; `--output json` adds the same document.
  @Test func anInvalidPlanIsReportedLikeALocalOne() async throws {
    try await FakeEngineServer.with { server in
      await server.on(
        "POST", "/api/v1/runs",
        .problem(
          .invalidPlan, detail: "2 problems",
          errors: [
            Problem.Item(
              file: "plan.yaml", line: 5, column: 5, field: "/stages/db/inputs/network", code: "unknownOutput",
              message: "stage 'db': stage 'net' has no output 'networkId'", hint: "did you mean 'networkID'?",
              stage: "db"),
            Problem.Item(file: "network.yaml", message: "cannot be read"),
          ]))
      let directory = try Self.workspace()
      let plan = directory.appendingPathComponent("plan.yaml").standardizedFileURL.path
      let outcome = try await CLIHarness.run(
        ["apply", plan, "--server", server.url, "--output", "json"], environment: Self.environment)
      #expect(outcome.status == 2)
      #expect(
        outcome.stderr.contains(
          "\(plan):5:5: error: stage 'db': stage 'net' has no output 'networkId' (did you mean 'networkID'?) "
            + "[/stages/db/inputs/network]"), "\(outcome.stderr)")
      let network = directory.appendingPathComponent("network.yaml").standardizedFileURL.path
      #expect(outcome.stderr.contains("error: \(network): cannot be read"))
      let json = try outcome.json()
      #expect(json["valid"] as? Bool == false)
      #expect((json["errors"] as? [[String: Any]])?.first?["file"] as? String == plan)
      #expect((json["errors"] as? [[String: Any]])?.first?["stage"] as? String == "db")
    }
  }

  // MARK: Problems and exit codes

  @Test func problemAnswersMapToTheDocumentedExitCodes() {
    let expected: [(ProblemType, EngineRuntime.ExitStatus)] = [
      (.unauthenticated, .authOrConnectivity), (.forbidden, .authOrConnectivity), (.notFound, .usageOrValidation),
      (.badRequest, .usageOrValidation), (.invalidBundle, .usageOrValidation), (.invalidPlan, .usageOrValidation),
      (.idempotencyKeyReused, .usageOrValidation), (.payloadTooLarge, .usageOrValidation),
      (.quotaExceeded, .authOrConnectivity), (.conflict, .usageOrValidation), (.unavailable, .authOrConnectivity),
      (.internalError, .authOrConnectivity),
    ]
    #expect(expected.count == ProblemType.all.count)
    for (type, status) in expected {
      let error = APIError.problem(Problem(type), retryAfterSeconds: nil)
      #expect(error.exitStatus == status, "\(type.slug)")
      #expect(error.runtimeError(server: "https://s", run: "r").status == status)
    }
    #expect(
      APIError.transport(detail: "refused", hint: nil, mayHaveReachedServer: false).exitStatus == .authOrConnectivity)
    #expect(APIError.unexpected(status: 502, body: "<html>").exitStatus == .authOrConnectivity)
    #expect(APIError.unexpected(status: 404, body: "").exitStatus == .usageOrValidation)
    #expect(APIError.problem(Problem(.unavailable), retryAfterSeconds: nil).isRetryable)
    #expect(!APIError.problem(Problem(.conflict), retryAfterSeconds: nil).isRetryable)
    #expect(!APIError.problem(Problem(.quotaExceeded), retryAfterSeconds: 3).isRetryable)
  }

  @Test func errorAnswersThroughTheCommands() async throws {
    try await FakeEngineServer.with { server in
      await server.on("GET", "/api/v1/runs/nope", .problem(.notFound, detail: "no run nope"))
      let missing = try await CLIHarness.run(
        ["runs", "show", "nope", "--server", server.url], environment: Self.environment)
      #expect(missing.status == 2)
      #expect(missing.stderr.contains("error: no run nope on \(server.url)"), "\(missing.stderr)")

      // The server echoes the token it refused: it is printed redacted all the same.
      await server.on("GET", "/api/v1/runs", .problem(.unauthenticated, detail: "token \(Self.token) is not known"))
      let refused = try await CLIHarness.run(["runs", "--server", server.url], environment: Self.environment)
      #expect(refused.status == 3)
      #expect(refused.stderr.contains("refused the token"))
      #expect(!refused.everything.contains(Self.token))

      await server.on("POST", "/api/v1/runs", .problem(.quotaExceeded, detail: "5 runs at once", retryAfter: 30))
      let quota = try await CLIHarness.run(
        ["apply", try Self.workspace().appendingPathComponent("plan.yaml").path, "--server", server.url],
        environment: Self.environment)
      #expect(quota.status == 3)
      #expect(quota.stderr.contains("try again in 30 seconds"), "\(quota.stderr)")
      #expect(await server.requests("POST", "/api/v1/runs").count == 1, "a 429 is not retried")

      await server.on(
        "GET", "/api/v1/runs/r9", .json(status: 200, body: SSE.report("r9", stages: ["net"], final: "succeeded")))
      await server.on("GET", "/api/v1/runs/r9/events", .events([SSE.end("succeeded")]))
      await server.on("POST", "/api/v1/runs/r9/destroy", .problem(.conflict, detail: "run r9 is running"))
      let destroy = try await CLIHarness.run(
        ["destroy", "r9", "-y", "--server", server.url], environment: Self.environment)
      #expect(destroy.status == 2)
      #expect(destroy.stderr.contains("cannot be destroyed now: run r9 is running"), "\(destroy.stderr)")
    }
  }

  @Test func anUnreachableServerExits3() async throws {
    // A port nothing listens on: the fake server's, once it stopped.
    let url = try await FakeEngineServer.with { $0.url }
    let outcome = try await CLIHarness.run(["runs", "show", "r1", "--server", url], environment: Self.environment)
    #expect(outcome.status == 3)
    #expect(outcome.stderr.contains("cannot reach the vra-engine server at \(url)"), "\(outcome.stderr)")
  }

  // MARK: Usage

  @Test func localFlagsAndAMissingTokenAreUsageErrors() async throws {
    let plan = try Self.workspace().appendingPathComponent("plan.yaml").path
    let server = "http://127.0.0.1:9"
    let cases: [([String], [String: String], String)] = [
      (
        ["apply", plan, "--server", server, "--state", "/tmp/x.db"], Self.environment,
        "--state does not go with --server"
      ),
      (
        ["apply", plan, "--resume", "r1"], Self.environment.merging(["VRA_ENGINE_SERVER": server]) { $1 },
        "--resume does not go with VRA_ENGINE_SERVER (unset VRA_ENGINE_SERVER to work locally): the server resumes"
      ),
      (["cancel", "r1", "--server", server, "--takeover"], Self.environment, "--takeover does not go with --server"),
      (["runs", "--server", server, "--state", "/tmp/x.db"], Self.environment, "--state does not go with --server"),
      (["destroy", "r1", "--server-ca", "/tmp/ca.pem"], Self.environment, "--server-ca goes with --server URL"),
      (["runs", "show", "r1", "--server", server], [:], "VRA_ENGINE_TOKEN is not set"),
      (["runs", "--server", "ftp://example.com"], Self.environment, "is not an http(s) URL"),
    ]
    for (arguments, environment, message) in cases {
      let outcome = try await CLIHarness.run(arguments, environment: environment)
      #expect(outcome.status == 2, "\(arguments)")
      #expect(outcome.stderr.contains(message), "\(arguments): \(outcome.stderr)")
    }
  }

  // MARK: runs, cancel, destroy

  @Test func runsListsEveryPageUpToTheLimit() async throws {
    try await FakeEngineServer.with { server in
      var queued = SSE.resource("r3", status: "pending")
      queued.queuePosition = 1
      await server.on(
        "GET", "/api/v1/runs",
        .encoded(RunList(runs: [SSE.resource("r1", status: "succeeded"), SSE.resource("r2")], next: "c2")),
        .encoded(RunList(runs: [queued, SSE.resource("r4")], next: "c3")))
      let outcome = try await CLIHarness.run(
        ["runs", "--limit", "3", "--server", server.url], environment: Self.environment)
      #expect(outcome.status == 0, "\(outcome.stderr)")
      let lines = outcome.stdout.split(separator: "\n")
      #expect(lines.count == 4)
      #expect(lines[1].hasPrefix("r1        succeeded       2026-11-18T"))
      #expect(lines[3].hasSuffix("web [project Development] [queued, position 1]"))
      let pages = await server.requests("GET", "/api/v1/runs").map(\.uri)
      #expect(pages == ["/api/v1/runs?limit=3", "/api/v1/runs?cursor=c2&limit=1"])
    }
  }

  @Test func cancelReportsWhatVRAAnsweredPerStage() async throws {
    try await FakeEngineServer.with { server in
      await server.on("POST", "/api/v1/runs/r1/cancel", .encoded(SSE.resource("r1", status: "cancelling"), status: 202))
      let at = Date(timeIntervalSince1970: 1_795_000_000)
      let events = [
        RunEventMessage(sequence: 1, at: at, kind: "run.created", stage: nil, message: "created", data: nil),
        RunEventMessage(sequence: 2, at: at, kind: "run.cancel-requested", stage: nil, message: "cancel", data: nil),
        RunEventMessage(
          sequence: 3, at: at, kind: "stage.cancel", stage: "net", message: "net: cancelled in vRA",
          data: ["outcome": "cancelled"]),
        RunEventMessage(
          sequence: 4, at: at, kind: "stage.cancel", stage: "db", message: "db: refused",
          data: ["outcome": "refused", "message": "too late"]),
      ]
      await server.on("GET", "/api/v1/runs/r1/events", .events(events.map(SSE.event) + [SSE.end("cancelled")]))
      let outcome = try await CLIHarness.run(["cancel", "r1", "--server", server.url], environment: Self.environment)
      #expect(outcome.status == 1, "a refused cancel exits 1, as locally")
      #expect(
        outcome.stderr.contains("  net: cancelled in vRA\n  db: vRA refused the cancel: too late\nrun r1: cancelled\n"))

      await server.on("POST", "/api/v1/runs/r2/cancel", .problem(.conflict, detail: "run r2 already ended"))
      await server.on(
        "GET", "/api/v1/runs/r2", .json(status: 200, body: SSE.report("r2", stages: ["net"], final: "succeeded")))
      let finished = try await CLIHarness.run(["cancel", "r2", "--server", server.url], environment: Self.environment)
      #expect(finished.status == 0)
      #expect(finished.stderr == "run r2 already ended succeeded; nothing to cancel\n")
    }
  }

  /// Destroy lists what it deletes, asks (so without a terminal it needs -y, and sends nothing),
  /// then shows only the destroy's own events, after the run's earlier ones.
  @Test func destroyAsksThenFollowsTheDeletion() async throws {
    try await FakeEngineServer.with { server in
      await server.on(
        "GET", "/api/v1/runs/r1", .json(status: 200, body: SSE.report("r1", stages: ["net", "db"], final: "succeeded")))
      let unconfirmed = try await CLIHarness.run(
        ["destroy", "r1", "--server", server.url], environment: Self.environment)
      #expect(unconfirmed.status == 2)
      #expect(unconfirmed.stderr.contains("  net: deployment net-r1 (dep-net)"))
      #expect(unconfirmed.stderr.contains("destroy needs --auto-approve (-y) when not run from a terminal"))
      #expect(await server.requests("POST", "/api/v1/runs/r1/destroy").isEmpty)

      let history = SSE.run("r1", stages: ["net", "db"], final: "succeeded")
      let last = history.last?.sequence ?? 0
      let at = Date(timeIntervalSince1970: 1_795_000_100)
      let destroying = [
        RunEventMessage(
          sequence: last + 1, at: at, kind: "run.status", stage: nil, message: "",
          data: ["from": "succeeded", "to": "destroying"]),
        RunEventMessage(
          sequence: last + 2, at: at, kind: "stage.status", stage: "db", message: "",
          data: ["from": "succeeded", "to": "destroying", "deploymentName": "db-r1"]),
        RunEventMessage(
          sequence: last + 3, at: at, kind: "stage.status", stage: "db", message: "",
          data: ["from": "destroying", "to": "destroyed", "deploymentName": "db-r1"]),
        RunEventMessage(
          sequence: last + 4, at: at, kind: "run.status", stage: nil, message: "",
          data: ["from": "destroying", "to": "destroyed"]),
      ]
      await server.on(
        "GET", "/api/v1/runs/r1/events", .events(history.map(SSE.event) + [SSE.end("succeeded")]),
        .events(destroying.map(SSE.event) + [SSE.end("destroyed")]))
      await server.on(
        "POST", "/api/v1/runs/r1/destroy", .encoded(SSE.resource("r1", status: "destroying"), status: 202))
      await server.on(
        "GET", "/api/v1/runs/r1",
        .json(status: 200, body: SSE.report("r1", stages: ["net", "db"], final: "succeeded")),
        .json(status: 200, body: SSE.report("r1", stages: ["net", "db"], final: "destroyed")))
      let destroyed = try await CLIHarness.run(
        ["destroy", "r1", "-y", "--server", server.url], environment: Self.environment)
      #expect(destroyed.status == 0, "\(destroyed.stderr)")
      #expect(
        destroyed.stderr.contains(
          "db: destroying — db-r1\ndb: destroyed — db-r1\nrun r1 destroyed\nrun r1: destroyed\n"))
      #expect(!destroyed.stderr.contains("net: succeeded"), "the apply's events are not shown again")
      let streams = await server.requests("GET", "/api/v1/runs/r1/events")
      #expect(streams.map { $0.header("Last-Event-ID") } == [nil, String(last)])
    }
  }
}
