import Foundation
import TestSupport
import Testing
import VRAClient
import VRAModels
import VRASimulator

@Suite("Typed endpoints against the simulator")
struct EndpointTests {
  @Test("blueprint → version → release → catalog → deploy → track → events → delete")
  func deploymentLifecycle() async throws {
    try await SimulatorHarness.with { harness in
      let client = try await ClientFixture.client(harness)
      let projectId = try await ClientFixture.developmentProjectId(client)
      #expect(try await client.project(id: projectId).id == projectId)

      let blueprint = try await client.createBlueprint(
        Blueprint(name: "endpoint-bp", content: ClientFixture.template, projectId: projectId))
      let blueprintId = try #require(blueprint.id)
      #expect(try await client.blueprint(id: blueprintId).name == "endpoint-bp")
      #expect(try await client.blueprints(name: "endpoint-bp").collect().count == 1)
      let schema = try await client.blueprintInputsSchema(blueprintId: blueprintId)
      #expect(schema != .null)
      let validation = try await client.validateBlueprint(
        BlueprintValidationRequest(content: ClientFixture.template, projectId: projectId))
      #expect(validation.valid == true)

      _ = try await client.createBlueprintVersion(blueprintId: blueprintId, BlueprintVersionRequest(version: "1"))
      let released = try await client.releaseBlueprintVersion(blueprintId: blueprintId, version: "1")
      #expect(released.status == .released)
      #expect(try await client.blueprintVersions(blueprintId: blueprintId).collect().count == 1)
      #expect(try await client.catalogItems().collect().contains { $0.id == blueprintId })

      let request = try await client.createBlueprintRequest(
        BlueprintRequest(
          blueprintId: blueprintId, blueprintVersion: "1", deploymentName: "endpoint-dep", projectId: projectId))
      let requestId = try #require(request.id)
      let deploymentId = try #require(request.deploymentId)
      #expect(try await client.blueprintRequest(id: requestId).deploymentId == deploymentId)

      // Track to a terminal state by polling (the simulator runs 100× faster).
      let finished = try await harness.http.poll(timeout: .seconds(30), every: .milliseconds(50)) {
        let deployment = try await client.deployment(id: deploymentId, expand: [.lastRequest, .resources])
        return deployment.status?.isInProgress == false ? deployment : nil
      }
      #expect(finished.status == .createSuccessful)
      #expect(finished.resources?.isEmpty == false)
      let deploymentRequests = try await client.deploymentRequests(deploymentId: deploymentId).collect()
      let lastRequestId = try #require(deploymentRequests.first?.id)
      #expect(try await client.request(id: lastRequestId).status == .successful)
      #expect(try await !client.requestEvents(requestId: lastRequestId).collect().isEmpty)
      #expect(try await !client.deploymentResources(deploymentId: deploymentId).collect().isEmpty)

      let filtered = try await client.deployments(
        DeploymentFilter(projects: [projectId], statuses: [.createSuccessful], name: "endpoint-dep")
      ).collect()
      #expect(filtered.map(\.id) == [deploymentId])
      #expect(client.lastServerTime != nil)

      let deletion = try await client.deleteDeployment(id: deploymentId)
      #expect(deletion.deploymentId == deploymentId)
    }
  }

  @Test("createProject makes a project that both project APIs list; a taken name is a conflict")
  func createProject() async throws {
    try await SimulatorHarness.with { harness in
      let client = try await ClientFixture.client(harness)
      let before = try await client.projects().collect()
      let created = try await client.createProject(
        ProjectSpecification(name: "Operations", description: "ops tier", operationTimeout: 600))
      #expect(!created.id.isEmpty)
      #expect(created.name == "Operations")
      #expect(created.description == "ops tier")
      #expect(created.operationTimeout == 600)
      #expect(created.links?["self"]?.href == "/iaas/api/projects/\(created.id)")
      #expect(try await client.project(id: created.id).name == "Operations")
      #expect(try await client.iaasProjects().content.contains { $0.id == created.id })
      #expect(try await client.projects().collect().count == before.count + 1)

      let error = await vraError { _ = try await client.createProject(ProjectSpecification(name: "Operations")) }
      #expect(error?.errorClass == .conflict)
      #expect(error?.status == 409)
      #expect(error?.attempts == 1)
      #expect(try await client.projects().collect().count == before.count + 1)
    }
  }

  @Test("a project create dropped after commit is found, not made twice")
  func createProjectDropped() async throws {
    try await ClientFixture.withFaultySimulator { harness in
      let client = try await ClientFixture.client(harness)
      try await harness.server.addFault(
        FaultRule(method: "POST", path: "/iaas/api/projects", dropAfterCommit: true, times: 1))
      let project = try await client.createProject(ProjectSpecification(name: "Dropped"))
      let named = try await client.projects().collect().filter { $0.name == "Dropped" }
      #expect(await harness.server.stats().connectionsDropped == 1)
      #expect(named.map(\.id) == [project.id])
      #expect(await harness.server.stats().count("POST /iaas/api/projects") == 1)
    }
  }

  @Test("pagination walks every page lazily")
  func pagination() async throws {
    try await SimulatorHarness.with { harness in
      let client = try await ClientFixture.client(harness)
      let projectId = try await ClientFixture.developmentProjectId(client)
      for index in 0..<7 {
        _ = try await client.createBlueprintRequest(
          BlueprintRequest(content: ClientFixture.template, deploymentName: "page-\(index)", projectId: projectId))
      }
      let before = await harness.server.stats().count("GET /deployment/api/deployments")
      let all = try await client.deployments(pageSize: 3).collect()
      let pages = await harness.server.stats().count("GET /deployment/api/deployments") - before
      #expect(Set(all.map(\.name)).isSuperset(of: (0..<7).map { "page-\($0)" }))
      #expect(pages == 3)
      var firstTwo: [Deployment] = []
      for try await deployment in client.deployments(pageSize: 3) {
        firstTwo.append(deployment)
        if firstTwo.count == 2 { break }
      }
      #expect(await harness.server.stats().count("GET /deployment/api/deployments") - before == 4)
    }
  }

  @Test("a missing deployment is notFound with vRA's error code")
  func notFound() async throws {
    try await SimulatorHarness.with { harness in
      let client = try await ClientFixture.client(harness)
      let error = await vraError { _ = try await client.deployment(id: "00000000-0000-0000-0000-000000000000") }
      #expect(error?.errorClass == .notFound)
      #expect(error?.errorCode == 10404)
      #expect(error?.path == "/deployment/api/deployments/00000000-0000-0000-0000-000000000000")
    }
  }
}
