import Foundation
import TestSupport
import Testing
import VRASimulator

@testable import VRAEngineCLI

/// `--log-format json`: everything on stderr is one JSON object per line, with the run's ids.
@Suite struct JSONLogFormatTests {
  static let plan = """
    name: logged
    defaults: {project: Development}
    stages:
      net: {template: network.yaml}
    """

  @Test func everyStderrLineOfAnApplyIsAJSONObjectWithItsContext() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.004 }) { harness in
      let run = try await ApplyCommandTests.apply(
        ["--log-format", "json"], files: ["plan.yaml": Self.plan, "network.yaml": EngineTemplates.network],
        harness: harness, environment: ["VRA_ENGINE_LOG_LEVEL": "info"])
      #expect(run.status == 0, "\(run.stderr)")
      let lines = run.stderr.split(separator: "\n")
      var objects: [[String: Any]] = []
      for line in lines {
        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(object != nil, "not JSON: \(line)")
        if let object { objects.append(object) }
      }
      #expect(objects.allSatisfy { $0["ts"] is String && $0["level"] is String && $0["message"] is String })
      let calls = objects.filter { $0["message"] as? String == "vRA call" }
      let create = try #require(calls.first { $0["http.path"] as? String == "/blueprint/api/blueprint-requests" })
      #expect(create["level"] as? String == "info")
      #expect(create["stage"] as? String == "net" && (create["run.id"] as? String)?.isEmpty == false)
      #expect(create["http.status"] as? String == "202" && create["vra.request_id"] != nil)
      #expect(
        objects.contains {
          $0["label"] as? String == "vra-engine.progress"
            && ($0["message"] as? String)?.hasPrefix("net [project Development]: succeeded") == true
        })
      #expect(
        objects.contains { ($0["message"] as? String)?.contains(": succeeded  (details: vra-engine runs show") == true }
      )
    }
  }

  @Test func aBadFormatIsAUsageError() async throws {
    let run = try await ApplyCommandTests.apply(["--log-format", "xml"], harness: nil)
    #expect(run.status == 2)
    #expect(run.stderr.contains("--log-format must be text or json"))
  }
}
