import Foundation
import NIOHTTP1
import TestSupport
import Testing
import VRAModels

@testable import EngineServer

@Suite("serve: runs through the API")
struct ServeRunTests {
  @Test func aSubmittedPlanRunsToItsEndAndItsEventsStreamToTheEnd() async throws {
    try await ServeFixture.with { fixture in
      let tenant = ServeFixture.teamA
      let submitted = try await fixture.submit(
        tenant, plan: ServeFixture.plan(), files: ["templates/network.yaml": EngineTemplates.network])
      #expect(submitted.status == 202, "\(String(decoding: submitted.body, as: UTF8.self))")
      let id = try #require(submitted.json["id"]?.stringValue)
      #expect(submitted.header("Location") == "/api/v1/runs/\(id)")
      #expect(submitted.json["tenant"]?.stringValue == "team-a")

      let report = try await fixture.waitForStatus(tenant, run: id, in: ["succeeded", "failed", "cancelled"])
      #expect(report["run"]?["status"]?.stringValue == "succeeded")
      #expect(report["stages"]?.arrayValue?.first?["deploymentId"]?.stringValue != nil)

      let (status, stream) = try await fixture.eventStream(tenant, run: id)
      #expect(status == 200)
      #expect(stream.contains("event: run.created"))
      #expect(stream.hasSuffix("event: end\ndata: {\"status\":\"succeeded\"}\n\n"))

      let metrics = String(decoding: try await fixture.http.call(.GET, "/metrics").body, as: UTF8.self)
      #expect(metrics.contains(#"vra_engine_serve_runs_submitted_total{tenant="team-a"}"#), "\(metrics)")
      #expect(metrics.contains(#"vra_engine_serve_runs_finished_total{tenant="team-a",status="succeeded"}"#))
    }
  }
}
