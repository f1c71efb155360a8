import Engine
import Foundation
import RunState
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// Ctrl-C during `vra-engine action`: a signal to the real process cancels the action's own
/// request in vRA (`POST /deployment/api/requests/{id}?action=cancel`) and exits 130.
@Suite(.serialized) struct ActionInterruptTests {
  static let machine = """
    formatVersion: 1
    resources:
      vm:
        type: Cloud.vSphere.Machine
        properties: {image: ubuntu}
    """

  @Test func ctrlCCancelsTheActionsRequestAndExits130() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.01 }) { harness in
      let deployed = try await Deploy.run(
        ["--template", "vm.yaml", "--project", "Development", "--name", "web-1"], files: ["vm.yaml": Self.machine],
        simulator: harness)
      #expect(deployed.status == 0, "\(deployed.stderr)")
      defer { try? FileManager.default.removeItem(at: deployed.directory) }
      // The power-off waits for an approval nobody gives: it is in flight when Ctrl-C comes.
      try await harness.server.setApprovalPolicies([
        ApprovalPolicy(name: "power", projects: [], actions: ["Deployment.PowerOff"])
      ])
      let action = try Deploy.start(
        ["web-1", "Deployment.PowerOff"], command: "action", simulator: harness, in: deployed.directory)
      let approval = try await harness.http.poll(timeout: .seconds(30)) {
        try await harness.server.approvals(status: .pending).first
      }
      _ = try await harness.http.poll(timeout: .seconds(30)) { () -> Bool? in
        action.stderrText().contains("awaiting approval") ? true : nil
      }
      kill(action.process.processIdentifier, SIGINT)
      let result = try await action.finish(timeout: .seconds(60))
      #expect(result.status == 130, "stderr: \(result.stderr)")

      let session = try await SimulatorSession.start(harness)
      let request = try await session.get("/deployment/api/requests/\(approval.requestId)")
        .decode(DeploymentRequest.self)
      #expect(request.status == .aborted, "the action's request was cancelled through the API")
      let store = try await SQLStateStore.openSQLite(at: deployed.directory.appendingPathComponent("state.db").path)
      let run = try #require(try await store.runs(limit: 1).first)
      let stage = try #require(try await store.stages(of: run.id).first)
      try await store.close()
      #expect(run.status == .cancelled)
      #expect(stage.requestId == approval.requestId && stage.status == .cancelled)
    }
  }

  /// `apply` killed (SIGKILL) while its action stage awaits an approval, then `apply --resume`: the
  /// resumed stage follows the request it had sent, and the action reaches vRA exactly once.
  @Test func aKilledApplyResumesItsActionWithoutSendingItAgain() async throws {
    try await SimulatorHarness.with({ $0.timeScale = 0.01 }) { harness in
      let plan = """
        name: retire
        defaults: {project: Development}
        stages:
          off: {action: {deployment: web-1, id: Deployment.PowerOff}}
        """
      let deployed = try await Deploy.run(
        ["--template", "vm.yaml", "--project", "Development", "--name", "web-1"],
        files: ["vm.yaml": Self.machine, "plan.yaml": plan], simulator: harness)
      #expect(deployed.status == 0, "\(deployed.stderr)")
      defer { try? FileManager.default.removeItem(at: deployed.directory) }
      try await harness.server.setApprovalPolicies([
        ApprovalPolicy(name: "power", projects: [], actions: ["Deployment.PowerOff"])
      ])
      let apply = try Deploy.start(["plan.yaml"], command: "apply", simulator: harness, in: deployed.directory)
      let approval = try await harness.http.poll(timeout: .seconds(30)) {
        try await harness.server.approvals(status: .pending).first
      }
      _ = try await harness.http.poll(timeout: .seconds(30)) { () -> Bool? in
        apply.stderrText().contains("awaiting approval") ? true : nil
      }
      kill(apply.process.processIdentifier, SIGKILL)
      _ = try await apply.finish(timeout: .seconds(30))
      _ = try await harness.server.approve(approval.id, reason: nil)

      let store = try await SQLStateStore.openSQLite(at: deployed.directory.appendingPathComponent("state.db").path)
      let runId = try #require(try await store.runs(limit: 1).first?.id)
      try await store.close()
      let resumed = try await Deploy.run(
        ["plan.yaml", "--resume", runId.rawValue], command: "apply", simulator: harness, in: deployed.directory)
      #expect(resumed.status == 0, "\(resumed.stderr)")
      #expect(
        await harness.server.stats().count("POST /deployment/api/deployments/{deploymentId}/requests") == 1,
        "the action was sent once")
      let reopened = try await SQLStateStore.openSQLite(at: deployed.directory.appendingPathComponent("state.db").path)
      let stage = try #require(try await reopened.stages(of: runId).first)
      let run = try await reopened.run(runId)
      try await reopened.close()
      #expect(stage.status == .succeeded && stage.requestId == approval.requestId)
      #expect(run?.status == .succeeded)
    }
  }
}
