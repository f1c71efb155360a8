import Foundation
import TestSupport
import Testing
import VRAClient
import VRAModels
import VRASimulator

@Suite("Creating calls are never duplicated")
struct IdempotencyTests {
  @Test("connection dropped after the simulator committed a blueprint request: exactly one deployment")
  func droppedAfterCommit() async throws {
    // Unique names off: a careless retry would visibly create a second deployment.
    try await ClientFixture.withFaultySimulator({ $0.uniqueDeploymentNames = false }) { harness in
      let client = try await ClientFixture.client(harness)
      let projectId = try await ClientFixture.developmentProjectId(client)
      try await harness.server.addFault(
        FaultRule(method: "POST", path: "/blueprint/api/blueprint-requests", dropAfterCommit: true, times: 1))
      let request = try await client.createBlueprintRequest(
        BlueprintRequest(content: ClientFixture.template, deploymentName: "dropped-once", projectId: projectId))
      let stats = await harness.server.stats()
      let named = try await client.deployments(DeploymentFilter(name: "dropped-once")).collect()
      #expect(stats.connectionsDropped == 1)
      #expect(stats.deploymentsCreated == 1)
      #expect(stats.duplicateDeploymentNames == 0)
      #expect(named.count == 1)
      #expect(request.deploymentId == named.first?.id)
      #expect(stats.count("POST /blueprint/api/blueprint-requests") == 1)
    }
  }

  @Test("no deployment name given, connection dropped after commit: exactly one deployment, generated name")
  func droppedAfterCommitWithoutName() async throws {
    try await ClientFixture.withFaultySimulator({ $0.uniqueDeploymentNames = false }) { harness in
      let client = try await ClientFixture.client(harness)
      let projectId = try await ClientFixture.developmentProjectId(client)
      try await harness.server.addFault(
        FaultRule(method: "POST", path: "/blueprint/api/blueprint-requests", dropAfterCommit: true, times: 1))
      let request = try await client.createBlueprintRequest(
        BlueprintRequest(content: ClientFixture.template, deploymentName: nil, projectId: projectId))
      let stats = await harness.server.stats()
      let all = try await client.deployments().collect()
      #expect(stats.connectionsDropped == 1)
      #expect(stats.deploymentsCreated == 1)
      #expect(stats.count("POST /blueprint/api/blueprint-requests") == 1)
      #expect(all.count == 1)
      let name = try #require(all.first).name
      #expect(name.hasPrefix(VRAClient.generatedDeploymentNamePrefix))
      #expect(request.deploymentName == name)
      #expect(request.deploymentId == all.first?.id)
    }
  }

  @Test("generated deployment names are unique per create; a given name is kept")
  func generatedNamesAreUnique() async throws {
    try await SimulatorHarness.with { harness in
      let client = try await ClientFixture.client(harness)
      let projectId = try await ClientFixture.developmentProjectId(client)
      var names: Set<String> = []
      for _ in 0..<3 {
        let request = try await client.createBlueprintRequest(
          BlueprintRequest(content: ClientFixture.template, deploymentName: "", projectId: projectId))
        names.insert(try #require(request.deploymentName))
      }
      #expect(names.count == 3)
      #expect(names.allSatisfy { $0.hasPrefix(VRAClient.generatedDeploymentNamePrefix) })
      let named = try await client.createBlueprintRequest(
        BlueprintRequest(content: ClientFixture.template, deploymentName: "chosen-name", projectId: projectId))
      #expect(named.deploymentName == "chosen-name")
    }
  }

  @Test("503 before anything happened: the create is retried and makes one deployment")
  func unavailableCreateIsRetried() async throws {
    try await ClientFixture.withFaultySimulator({ $0.uniqueDeploymentNames = false }) { harness in
      let client = try await ClientFixture.client(harness)
      let projectId = try await ClientFixture.developmentProjectId(client)
      try await harness.server.addFault(
        FaultRule(method: "POST", path: "/blueprint/api/blueprint-requests", status: 503, times: 2))
      let request = try await client.createBlueprintRequest(
        BlueprintRequest(content: ClientFixture.template, deploymentName: "after-503", projectId: projectId))
      #expect(request.deploymentId != nil)
      #expect(await harness.server.stats().deploymentsCreated == 1)
      #expect(await harness.server.stats().count("POST /blueprint/api/blueprint-requests") == 3)
    }
  }

  @Test("a 502 on a create is not blindly re-sent: looked up, absent, then sent again once")
  func ambiguousGatewayErrorLooksUpFirst() async throws {
    try await ClientFixture.withFaultySimulator({ $0.uniqueDeploymentNames = false }) { harness in
      let client = try await ClientFixture.client(harness)
      let projectId = try await ClientFixture.developmentProjectId(client)
      try await harness.server.addFault(
        FaultRule(method: "POST", path: "/blueprint/api/blueprint-requests", status: 502, times: 1))
      let before = await harness.server.stats().count("GET /deployment/api/deployments")
      let request = try await client.createBlueprintRequest(
        BlueprintRequest(content: ClientFixture.template, deploymentName: "after-502", projectId: projectId))
      let stats = await harness.server.stats()
      #expect(request.deploymentId != nil)
      #expect(stats.deploymentsCreated == 1)
      #expect(stats.count("GET /deployment/api/deployments") - before >= 1)
    }
  }

  @Test("a catalog request dropped after commit is found, not repeated")
  func catalogRequestDropped() async throws {
    try await ClientFixture.withFaultySimulator({ $0.uniqueDeploymentNames = false }) { harness in
      let client = try await ClientFixture.client(harness)
      let projectId = try await ClientFixture.developmentProjectId(client)
      let blueprintId = try await Self.releasedBlueprint("catalog-bp", client: client, projectId: projectId)
      let items = try await client.catalogItems().collect().filter { $0.id == blueprintId }
      let item = try #require(items.first)
      try await harness.server.addFault(
        FaultRule(method: "POST", path: "/catalog/api/items/", dropAfterCommit: true, times: 1))
      let answer = try await client.requestCatalogItem(
        id: item.id, CatalogItemRequest(deploymentName: "from-catalog", projectId: projectId))
      #expect(answer.first?.deploymentName == "from-catalog")
      #expect(await harness.server.stats().deploymentsCreated == 1)
      #expect(try await client.deployments(DeploymentFilter(name: "from-catalog")).collect().count == 1)
    }
  }

  @Test("a catalog request without a deployment name, dropped after commit: exactly one deployment")
  func catalogRequestWithoutNameDropped() async throws {
    try await ClientFixture.withFaultySimulator({ $0.uniqueDeploymentNames = false }) { harness in
      let client = try await ClientFixture.client(harness)
      let projectId = try await ClientFixture.developmentProjectId(client)
      let blueprintId = try await Self.releasedBlueprint("catalog-unnamed-bp", client: client, projectId: projectId)
      try await harness.server.addFault(
        FaultRule(method: "POST", path: "/catalog/api/items/", dropAfterCommit: true, times: 1))
      let answer = try await client.requestCatalogItem(
        id: blueprintId, CatalogItemRequest(deploymentName: nil, projectId: projectId))
      let all = try await client.deployments().collect()
      #expect(await harness.server.stats().connectionsDropped == 1)
      #expect(await harness.server.stats().deploymentsCreated == 1)
      #expect(all.count == 1)
      #expect(answer.first?.deploymentId == all.first?.id)
      #expect(all.first?.name.hasPrefix(VRAClient.generatedDeploymentNamePrefix) == true)
    }
  }

  /// A blueprint with a released version 1: what makes it a catalog item. Returns its id.
  static func releasedBlueprint(_ name: String, client: VRAClient, projectId: String) async throws -> String {
    let blueprint = try await client.createBlueprint(
      Blueprint(name: name, content: ClientFixture.template, projectId: projectId))
    let blueprintId = try #require(blueprint.id)
    _ = try await client.createBlueprintVersion(
      blueprintId: blueprintId, BlueprintVersionRequest(version: "1", release: true))
    return blueprintId
  }
}
