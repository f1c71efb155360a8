import Credentials
import Engine
import Foundation
import RunState
import TestSupport
import Testing
import VRAClient
import VRAModels

/// `apply --dry-run` shows the request a run sends: both come from `StageRequest`, and this checks
/// the dry run's body against what the simulator received for the same stage.
@Suite struct DryRunTests {
  static let plan = """
    name: one
    defaults: {project: Development}
    stages:
      network:
        template: network.yaml
        deploymentName: net-${run.id}
        inputs: {cidr: 10.9.0.0/24}
    """

  @Test func theDryRunBodyIsTheBodyARunSends() async throws {
    let harness = try await OrchestrationHarness.start()
    defer { Task { await harness.stop() } }
    let plan = try harness.plan(["plan.yaml": Self.plan, "network.yaml": EngineTemplates.network])

    let text = DryRun.describe(plan, environment: [:], redactor: Redactor())
    let shown = try Self.body(in: text)
    #expect(text.contains("network: POST /blueprint/api/blueprint-requests"))

    let orchestrator = harness.orchestrator(plan)
    let runId = try await orchestrator.createRun(planDigest: "test")
    #expect(try await orchestrator.run(runId).status == .succeeded)
    let stage = try #require(try await harness.store.stage(run: runId, name: "network"))
    let sent = try await harness.client.blueprintRequest(id: try #require(stage.blueprintRequestId))

    // Only what a dry run cannot know differs: the run id and the project's id.
    func known(_ text: String?) -> String? { text?.replacingOccurrences(of: runId.rawValue, with: "<run-id>") }
    #expect(shown["deploymentName"]?.stringValue == known(sent.deploymentName))
    #expect(shown["reason"]?.stringValue == known(sent.reason))
    #expect(shown["inputs"] == .object(sent.inputs ?? [:]))
    #expect(shown["projectId"]?.stringValue == "<id of project Development>")
    #expect(
      Set(shown.objectValue?.keys.map { $0 } ?? []) == ["content", "deploymentName", "inputs", "projectId", "reason"])
  }

  /// The JSON body printed under the stage's request line.
  static func body(in text: String) throws -> JSONValue {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let start = try #require(lines.firstIndex { $0 == "    {" })
    let end = try #require(lines[start...].firstIndex { $0 == "    }" })
    let json = lines[start...end].joined(separator: "\n")
    return try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
  }
}
