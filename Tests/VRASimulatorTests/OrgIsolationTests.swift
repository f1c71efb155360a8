import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// Every record belongs to an org; a caller of another org cannot see or touch it.
@Suite struct OrgIsolationTests {
  @Test func anotherOrgSeesNothingAndGets404() async throws {
    try await SimulatorHarness.with({
      $0.orgs = [
        .default,
        OrgSeed(
          name: "tenant-b", users: [UserSeed(username: "bob", password: "B-pass-1", domain: "tenant-b.local")],
          projects: ["Other"]),
      ]
    }) { harness in
      let alice = try await SimulatorSession.start(harness)
      let bob = try await SimulatorSession.start(
        harness, username: "bob", password: "B-pass-1", domain: "tenant-b.local")
      #expect(alice.projectId != bob.projectId)
      let blueprintId = try await alice.createBlueprint(name: "web", content: SampleTemplates.single)
      let order = try await alice.requestDeployment(blueprintId: blueprintId, name: "mine")
      let deploymentId = try #require(order.deploymentId)

      #expect(try await bob.get("/deployment/api/deployments").decode(Page<Deployment>.self).content.isEmpty)
      #expect(try await bob.get("/blueprint/api/blueprints").decode(Page<Blueprint>.self).content.isEmpty)
      #expect(try await bob.get("/deployment/api/deployments/\(deploymentId)").status == 404)
      #expect(try await bob.get("/blueprint/api/blueprints/\(blueprintId)").status == 404)
      #expect(try await bob.delete("/deployment/api/deployments/\(deploymentId)").status == 404)
      #expect(try await bob.get("/deployment/api/deployments/\(deploymentId)/actions").status == 404)
      let foreignAction = try await bob.post(
        "/deployment/api/deployments/\(deploymentId)/requests", ["actionId": "Deployment.Delete"])
      #expect(foreignAction.status == 404)
      let foreignUpdate = try await bob.post(
        "/blueprint/api/blueprint-requests",
        ["content": .string(SampleTemplates.single), "deploymentId": .string(deploymentId), "inputs": [:]])
      #expect(foreignUpdate.status == 404)
      let whatIf = try await alice.post(
        "/blueprint/api/blueprint-requests",
        [
          "content": .string(SampleTemplates.single), "deploymentId": .string(deploymentId), "plan": true,
          "inputs": [:],
        ])
      let planId = try #require(whatIf.json["id"]?.stringValue)
      #expect(try await bob.get("/blueprint/api/blueprint-requests/\(planId)/resources-plan").status == 404)
      let useForeignProject = try await bob.post(
        "/blueprint/api/blueprint-requests",
        ["content": .string(SampleTemplates.single), "projectId": .string(alice.projectId), "deploymentName": "x"])
      #expect(useForeignProject.status == 404)
      // The same deployment name is free in another org.
      let bobs = try await bob.createBlueprint(name: "web", content: SampleTemplates.single)
      _ = try await bob.requestDeployment(blueprintId: bobs, name: "mine")
    }
  }
}
