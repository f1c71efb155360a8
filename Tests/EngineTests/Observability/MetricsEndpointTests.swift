import AsyncHTTPClient
import Foundation
import TestSupport
import Testing
import VRASimulator

/// `--metrics-port`: a Prometheus scrape of a running `apply`, checked against what the simulator saw.
@Suite(.serialized) struct MetricsEndpointTests {
  static let plan = """
    name: observed
    defaults: {project: Development}
    stages:
      net: {template: network.yaml}
      db:
        template: machine.yaml
        inputs: {network: "${stages.net.outputs.networkId}"}
    """

  /// `name{labels} value` lines of a Prometheus text exposition, comments left out.
  struct Sample {
    var name: String
    var labels: [String: String]
    var value: Double
  }

  static func parse(_ text: String) -> [Sample] {
    text.split(separator: "\n").compactMap { line -> Sample? in
      guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[space...].dropFirst())
      else { return nil }
      let series = line[..<space]
      guard let brace = series.firstIndex(of: "{") else {
        return Sample(name: String(series), labels: [:], value: value)
      }
      var labels: [String: String] = [:]
      for pair in series[series.index(after: brace)..<series.index(before: series.endIndex)].split(separator: ",") {
        let parts = pair.split(separator: "=", maxSplits: 1)
        if parts.count == 2 { labels[String(parts[0])] = String(parts[1].dropFirst().dropLast()) }
      }
      return Sample(name: String(series[..<brace]), labels: labels, value: value)
    }
  }

  static func total(_ samples: [Sample], _ name: String, where match: [String: String] = [:]) -> Double {
    samples.filter { sample in sample.name == name && match.allSatisfy { sample.labels[$0.key] == $0.value } }
      .map(\.value).reduce(0, +)
  }

  @Test func aScrapeDuringAnApplyMatchesWhatVRASaw() async throws {
    try await SimulatorHarness.with({
      $0.timeScale = 0.05  // net ≈ 1 s, the db machine ≈ 4.5 s
      $0.faults.enabled = true
    }) { harness in
      // One 503 on the project lookup: a retry the metrics must count.
      try await harness.server.addFault(
        FaultRule(method: "GET", path: "/project-service/api/projects", status: 503, times: 1))
      let apply = try Deploy.start(
        ["plan.yaml", "--metrics-port", "0"], command: "apply",
        files: [
          "plan.yaml": Self.plan, "network.yaml": EngineTemplates.network, "machine.yaml": EngineTemplates.machine,
        ],
        simulator: harness)
      defer { try? FileManager.default.removeItem(at: apply.directory) }
      let port = try await harness.http.poll(timeout: .seconds(30)) { () -> Int? in
        apply.stderrText().firstMatch(of: /metrics: http:\/\/127\.0\.0\.1:(\d+)\/metrics/).flatMap { Int($0.output.1) }
      }
      // Scrape once the second stage is in flight (the first one has ended).
      let samples = try await harness.http.poll(timeout: .seconds(30), every: .milliseconds(100)) { () -> [Sample]? in
        let response = try await HTTPClient.shared.get(url: "http://127.0.0.1:\(port)/metrics").get()
        guard response.status == .ok, let body = response.body else { return nil }
        let samples = Self.parse(String(buffer: body))
        let finished = Self.total(samples, "engine_stage_results_total", where: ["result": "succeeded"])
        return finished == 1 && Self.total(samples, "engine_deployments_in_flight") == 1 ? samples : nil
      }
      let stats = await harness.server.stats()
      #expect(
        Self.total(
          samples, "vra_http_requests_total", where: ["method": "POST", "route": "/blueprint/api/blueprint-requests"])
          == Double(stats.count("POST /blueprint/api/blueprint-requests")))
      #expect(stats.count("POST /blueprint/api/blueprint-requests") == 2)
      #expect(
        Self.total(samples, "vra_token_refreshes_total") == Double(stats.count("POST /csp/gateway/am/api/login")))
      #expect(Self.total(samples, "vra_http_retries_total") == 1, "the 503 was retried once")
      #expect(
        Self.total(samples, "vra_http_attempts_total", where: ["route": "/project-service/api/projects"])
          == Double(stats.count("GET /project-service/api/projects")))
      let listCalls = Self.total(samples, "engine_tracker_polls_total", where: ["kind": "list"])
      #expect(listCalls >= 1 && listCalls <= Double(stats.count("GET /deployment/api/deployments")))
      #expect(Self.total(samples, "engine_stage_duration_seconds_count", where: ["result": "succeeded"]) == 1)
      #expect(
        samples.contains {
          $0.name == "vra_http_request_duration_seconds_bucket" && $0.labels["status_class"] == "2xx"
            && $0.labels["route"] == "/deployment/api/deployments"
        }, "a latency histogram by method, route template and status class")
      // Route templates, never raw ids, as label values.
      let uuid = /[0-9a-f]{8}-[0-9a-f]{4}-/
      #expect(!samples.contains { $0.labels.values.contains { $0.contains(uuid) } })

      let result = try await apply.finish()
      #expect(result.status == 0, "stderr: \(result.stderr)")
    }
  }
}
