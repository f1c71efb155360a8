import Engine
import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// OpenTelemetry traces of a real `vra-engine apply`: exported over OTLP/HTTP to a test receiver,
/// checked as a tree (run → stage → vRA call) and against the `traceparent` headers the
/// simulator received.
@Suite(.serialized) struct TracingExportTests {
  static let canary = "canary-T9z-secret"

  static let plan = """
    name: traced
    defaults: {project: Development}
    stages:
      net: {template: network.yaml}
      db:
        template: machine.yaml
        inputs: {network: "${stages.net.outputs.networkId}", password: \(canary)}
    """

  static let files = [
    "plan.yaml": plan, "network.yaml": EngineTemplates.network, "machine.yaml": EngineTemplates.machine,
  ]

  static func otel(_ receiver: OTLPReceiver) -> [String: String] {
    ["OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"]
  }

  /// `traceparent: 00-<trace id>-<parent span id>-<flags>`.
  static func parse(_ traceparent: String) -> (traceId: String, parentId: String)? {
    guard let match = traceparent.wholeMatch(of: /00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}/) else { return nil }
    return (String(match.output.1), String(match.output.2))
  }

  @Test func applyExportsOneTraceOfRunStagesAndVRACalls() async throws {
    try await OTLPReceiver.with { receiver in
      try await SimulatorHarness.with { harness in
        let run = try await Deploy.run(
          ["plan.yaml", "--output", "json"], command: "apply", files: Self.files, simulator: harness,
          environment: Self.otel(receiver))
        defer { try? FileManager.default.removeItem(at: run.directory) }
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let report = try VRAJSON.makeDecoder().decode(RunReport.self, from: Data(run.stdout.utf8))

        // The command flushes before it exits; the deadline only covers a slow receiver.
        let exported = try await harness.http.poll(timeout: .seconds(10), every: .milliseconds(50)) {
          () -> [ExportedSpan]? in
          let spans = await receiver.spans()
          return spans.contains { $0.name == "vra-engine.run" } ? spans : nil
        }
        // The preflight (reads before the run exists) is a trace of its own; everything else is the run's.
        let preflight = try #require(exported.first { $0.name == "vra-engine.preflight" })
        #expect(preflight.parentSpanId == nil)
        let preflightCalls = exported.filter { $0.traceId == preflight.traceId && $0.kind == 3 }
        #expect(
          preflightCalls.allSatisfy { $0.name.hasPrefix("vRA GET ") || $0.name.contains("login") },
          "\(preflightCalls.map(\.name))")
        let spans = exported.filter { $0.traceId != preflight.traceId }
        #expect(await receiver.problems() == [])
        let runs = spans.filter { $0.name == "vra-engine.run" }
        let runSpan = try #require(runs.first)
        #expect(runs.count == 1)
        #expect(runSpan.parentSpanId == nil, "the run is the trace's root")
        #expect(runSpan.attributes["vra_engine.run.id"] == report.run.id)
        #expect(runSpan.attributes["vra_engine.plan.name"] == "traced")
        #expect(runSpan.attributes["vra_engine.run.status"] == "succeeded")
        #expect(runSpan.serviceName == "vra-engine")
        #expect(spans.allSatisfy { $0.traceId == runSpan.traceId }, "one trace: \(Set(spans.map(\.traceId)))")

        // One stage span per stage, children of the run, with what vRA named.
        let stages = spans.filter { $0.name == "vra-engine.stage" }
        #expect(stages.count == 2)
        #expect(Set(stages.compactMap { $0.attributes["vra_engine.stage.name"] }) == ["net", "db"])
        for stage in stages {
          let name = stage.attributes["vra_engine.stage.name"] ?? "?"
          #expect(stage.parentSpanId == runSpan.spanId, "stage \(name)")
          #expect(stage.attributes["vra_engine.stage.result"] == "succeeded")
          #expect(stage.attributes["vra.project"] == "Development")
          let recorded = report.stages.first { $0.name == name }
          #expect(stage.attributes["vra.deployment.id"] == recorded?.deploymentId, "stage \(name)")
          #expect(stage.attributes["vra.request.id"] == recorded?.requestId, "stage \(name)")
        }

        // vRA calls: client spans, each stage's own calls its children (the submit at least).
        let calls = spans.filter { $0.kind == 3 }
        #expect(calls.allSatisfy { $0.name.hasPrefix("vRA ") })
        for stage in stages {
          let children = calls.filter { $0.parentSpanId == stage.spanId }
          #expect(
            children.contains { $0.name == "vRA POST /blueprint/api/blueprint-requests" },
            "stage \(stage.attributes["vra_engine.stage.name"] ?? "?"): \(children.map(\.name))")
        }
        // Every span hangs off the run (the tracker's polls off the run itself, not off one stage).
        let ids = Set(spans.map(\.spanId))
        #expect(spans.allSatisfy { $0.parentSpanId == nil || ids.contains($0.parentSpanId!) })
        let polls = calls.filter { $0.name == "vRA GET /deployment/api/deployments" }
        #expect(!polls.isEmpty && polls.allSatisfy { $0.parentSpanId == runSpan.spanId })

        // What the simulator received: every request carried the exported trace and one of its call spans.
        let received = await harness.server.recentCalls()
        #expect(!received.isEmpty)
        var parents: Set<String> = []
        for call in received {
          let header = try #require(call.traceparent, "\(call.method) \(call.path) came without traceparent")
          let context = try #require(Self.parse(header), "not a W3C traceparent: \(header)")
          if context.traceId == preflight.traceId { continue }
          #expect(context.traceId == runSpan.traceId)
          parents.insert(context.parentId)
        }
        #expect(parents == Set(calls.map(\.spanId)), "each exported vRA call span is the parent of what vRA received")

        // Ids and names only: the secret input is in no export.
        #expect(await receiver.bodies().allSatisfy { !$0.contains(Self.canary) })
      }
    }
  }

  /// A profile's `telemetry.otlpEndpoint` turns traces on with no OTEL_* endpoint variable.
  @Test func theConfigFileCanNameTheCollector() async throws {
    try await OTLPReceiver.with { receiver in
      try await SimulatorHarness.with { harness in
        let run = try await Deploy.run(
          ["--template", "web.yaml", "--project", "Development", "--name", "traced-by-profile", "--profile", "ops"],
          files: [
            "web.yaml": EngineTemplates.web,
            "vra-engine.toml": "[profiles.ops.telemetry]\notlpEndpoint = \"\(receiver.endpoint)\"\n",
          ],
          simulator: harness, environment: ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json"])
        defer { try? FileManager.default.removeItem(at: run.directory) }
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let spans = await receiver.spans()
        let problems = await receiver.problems()
        #expect(spans.contains { $0.name == "vra-engine.run" }, "\(problems)")
        #expect(spans.contains { $0.name == "vra-engine.stage" })
      }
    }
  }

  /// `deploy` is a one-stage run; the traces-only variables are honoured (the endpoint a full URL, used as it is).
  @Test func deployExportsAOneStageRunToTheTracesEndpoint() async throws {
    try await OTLPReceiver.with { receiver in
      try await SimulatorHarness.with { harness in
        let run = try await Deploy.run(
          ["--template", "web.yaml", "--project", "Development", "--name", "traced-web"],
          files: ["web.yaml": EngineTemplates.web], simulator: harness,
          environment: [
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": receiver.endpoint + "/v1/traces",
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json",
          ])
        defer { try? FileManager.default.removeItem(at: run.directory) }
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let spans = await receiver.spans()
        let runSpan = try #require(spans.first { $0.name == "vra-engine.run" }, "exported before the exit")
        #expect(runSpan.attributes["vra_engine.plan.name"] == "deploy")
        let stages = spans.filter { $0.name == "vra-engine.stage" }
        #expect(stages.count == 1 && stages.first?.parentSpanId == runSpan.spanId)
        let stage = try #require(stages.first)
        #expect(spans.contains { $0.parentSpanId == stage.spanId && $0.name.hasPrefix("vRA POST /blueprint/api/") })
      }
    }
  }

  @Test func aFailedStageIsExportedAsAnErrorBeforeTheCommandExits() async throws {
    try await OTLPReceiver.with { receiver in
      try await SimulatorHarness.with({
        $0.faults.enabled = true
        $0.faults.failResources = ["vm"]
      }) { harness in
        let run = try await Deploy.run(
          ["plan.yaml"], command: "apply", files: Self.files, simulator: harness, environment: Self.otel(receiver))
        defer { try? FileManager.default.removeItem(at: run.directory) }
        #expect(run.status == 1, "stderr: \(run.stderr)")
        let spans = try await harness.http.poll(timeout: .seconds(10), every: .milliseconds(50)) {
          () -> [ExportedSpan]? in
          let spans = await receiver.spans()
          return spans.contains { $0.name == "vra-engine.run" } ? spans : nil
        }
        let runSpan = try #require(spans.first { $0.name == "vra-engine.run" })
        #expect(runSpan.attributes["vra_engine.run.status"] == "failed")
        #expect(runSpan.statusCode == 2)
        let db = try #require(spans.first { $0.attributes["vra_engine.stage.name"] == "db" })
        #expect(db.parentSpanId == runSpan.spanId)
        #expect(db.attributes["vra_engine.stage.result"] == "failed")
        #expect(db.statusCode == 2 && db.attributes["error.type"] == "deployment")
        #expect(db.eventNames.contains("exception"), "the error is recorded on the stage span")
        let net = try #require(spans.first { $0.attributes["vra_engine.stage.name"] == "net" })
        #expect(net.attributes["vra_engine.stage.result"] == "succeeded" && net.statusCode != 2)
      }
    }
  }

  @Test func ctrlCStillExportsTheCancelledRun() async throws {
    try await OTLPReceiver.with { receiver in
      try await SimulatorHarness.with({ $0.timeScale = 0.2 }) { harness in
        let apply = try Deploy.start(
          ["plan.yaml"], command: "apply", files: Self.files, simulator: harness, environment: Self.otel(receiver))
        defer { try? FileManager.default.removeItem(at: apply.directory) }
        // Interrupt once the second stage is in vRA's hands.
        _ = try await harness.http.poll(timeout: .seconds(30), every: .milliseconds(50)) { () -> Bool? in
          apply.stderrText().contains("db [project Development]: running") ? true : nil
        }
        kill(apply.process.processIdentifier, SIGINT)
        let result = try await apply.finish(timeout: .seconds(60))
        #expect(result.status == 130, "stderr: \(result.stderr)")
        let spans = await receiver.spans()
        let runSpan = try #require(spans.first { $0.name == "vra-engine.run" }, "exported before the exit")
        #expect(runSpan.attributes["vra_engine.run.status"] == "cancelled")
        let db = try #require(spans.first { $0.attributes["vra_engine.stage.name"] == "db" })
        #expect(db.attributes["vra_engine.stage.result"] == "cancelled")
        #expect(
          spans.contains {
            $0.parentSpanId == db.spanId && $0.name == "vRA POST /blueprint/api/blueprint-requests/{id}/actions/cancel"
          }, "the cancel sent to vRA is the stage's: \(spans.filter { $0.parentSpanId == db.spanId }.map(\.name))")
      }
    }
  }

  /// With no variable asking for traces (or one turning them off), no exporter runs and the
  /// tracer stays the no-op one: vRA receives no `traceparent` at all.
  @Test(arguments: [
    [:],
    ["OTEL_SDK_DISABLED": "true"],
    ["OTEL_TRACES_EXPORTER": "none"],
  ])
  func nothingIsExportedUnlessAsked(_ variables: [String: String]) async throws {
    try await OTLPReceiver.with { receiver in
      try await SimulatorHarness.with { harness in
        var environment = variables
        if !variables.isEmpty { environment.merge(Self.otel(receiver)) { old, _ in old } }
        let run = try await Deploy.run(
          ["plan.yaml"], command: "apply", files: Self.files, simulator: harness, environment: environment)
        defer { try? FileManager.default.removeItem(at: run.directory) }
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(await harness.server.stats().totalRequests > 0)
        #expect(await harness.server.stats().traceparentHeaders == 0)
        #expect(await receiver.requestCount() == 0)
      }
    }
  }

  /// A value that cannot work is said before anything is sent, and exits 2.
  @Test(arguments: [
    ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
    ("OTEL_TRACES_SAMPLER", "sometimes"),
    ("OTEL_PROPAGATORS", "tracecontext,baggage"),
    ("OTEL_EXPORTER_OTLP_TIMEOUT", "soon"),
    ("OTEL_TRACES_EXPORTER", "zipkin"),
  ])
  func aBadVariableIsAUsageError(_ name: String, _ value: String) async throws {
    try await OTLPReceiver.with { receiver in
      try await SimulatorHarness.with { harness in
        var environment = Self.otel(receiver)
        environment[name] = value
        let run = try await Deploy.run(
          ["plan.yaml"], command: "apply", files: Self.files, simulator: harness, environment: environment)
        defer { try? FileManager.default.removeItem(at: run.directory) }
        #expect(run.status == 2, "stderr: \(run.stderr)")
        #expect(run.stderr.contains("error: traces: ") && run.stderr.contains(name), "stderr: \(run.stderr)")
        #expect(await harness.server.stats().totalRequests == 0, "nothing was sent to vRA")
      }
    }
  }
}
