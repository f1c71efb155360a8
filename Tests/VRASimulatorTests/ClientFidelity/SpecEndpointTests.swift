import Foundation
import NIOHTTP1
import TestSupport
import Testing
import VRAModels

@testable import VRASimulator

/// Item 4 of issue 13: the spec endpoints deployment-centric clients call, and a `ServiceErrorResponse`
/// (501 "not simulated") for every other operation of the specs, never an empty 404.
@Suite struct SpecEndpointTests {
  /// One finished deployment `web-1` of a released blueprint.
  static func seed(_ harness: SimulatorHarness) async throws -> (SimulatorSession, blueprintId: String, Deployment) {
    let session = try await SimulatorSession.start(harness)
    let blueprintId = try await session.createBlueprint(name: "web", content: SampleTemplates.single)
    _ = try await session.post("/blueprint/api/blueprints/\(blueprintId)/versions", ["version": "1", "release": true])
    let order = try await session.requestDeployment(blueprintId: blueprintId, name: "web-1")
    let deployment = try await session.waitForDeployment(try #require(order.deploymentId))
    return (session, blueprintId, deployment)
  }

  @Test func theNameCheckSaysWhetherANameIsTaken() async throws {
    try await SimulatorHarness.with { harness in
      let (session, _, _) = try await Self.seed(harness)
      let taken = try await session.get("/deployment/api/deployments/names/web-1")
      #expect(taken.status == 200)
      #expect(taken.body.isEmpty, "the spec documents no body")
      let free = try await session.get("/deployment/api/deployments/names/web-2")
      #expect(free.status == 404)
      #expect(try free.decode(ServiceErrorResponse.self).statusCode == 404)
      #expect(
        try await session.get("/deployment/api/deployments/names?\(URLEncoded.python([("name", "web-1")]))").status
          == 200)
      #expect(try await session.get("/deployment/api/deployments/names/web%2D1").status == 200, "the name is decoded")
    }
  }

  @Test func oneResourceOfADeployment() async throws {
    try await SimulatorHarness.with { harness in
      let (session, _, deployment) = try await Self.seed(harness)
      let id = try #require(deployment.id)
      let resource = try #require(deployment.resources?.first)
      let read = try await session.get("/deployment/api/deployments/\(id)/resources/\(try #require(resource.id))")
      #expect(read.status == 200, "\(read.json)")
      let decoded = try read.decode(DeploymentResource.self)
      #expect(decoded.name == resource.name)
      #expect(decoded.id == resource.id)
      let missing = try await session.get("/deployment/api/deployments/\(id)/resources/nope")
      #expect(missing.status == 404)
      #expect(try missing.decode(ServiceErrorResponse.self).message?.contains("nope") == true)
    }
  }

  @Test func patchRenamesAndRedescribesADeployment() async throws {
    try await SimulatorHarness.with { harness in
      let (session, blueprintId, deployment) = try await Self.seed(harness)
      let patched = try await session.http.call(
        .PATCH, "/deployment/api/deployments/\(try #require(deployment.id))", token: session.token,
        json: ["name": "web-renamed", "description": "the web tier"])
      #expect(patched.status == 200, "\(patched.json)")
      let updated = try patched.decode(Deployment.self)
      #expect(updated.name == "web-renamed")
      #expect(updated.description == "the web tier")
      #expect(try await session.get("/deployment/api/deployments/names/web-renamed").status == 200)
      #expect(try await session.get("/deployment/api/deployments/names/web-1").status == 404, "the old name is free")

      let second = try await session.requestDeployment(blueprintId: blueprintId, name: "web-2")
      let clash = try await session.http.call(
        .PATCH, "/deployment/api/deployments/\(try #require(second.deploymentId))", token: session.token,
        json: ["name": "web-renamed"])
      #expect(clash.status == 409)
      let missing = try await session.http.call(
        .PATCH, "/deployment/api/deployments/00000000-0000-0000-0000-000000000000", token: session.token,
        json: ["name": "x"])
      #expect(missing.status == 404)
    }
  }

  @Test func catalogItemVersionsAndDeploymentFilters() async throws {
    try await SimulatorHarness.with { harness in
      let (session, blueprintId, deployment) = try await Self.seed(harness)
      _ = try await session.post(
        "/blueprint/api/blueprints/\(blueprintId)/versions", ["version": "2", "release": true])
      let versions = try await session.get("/catalog/api/items/\(blueprintId)/versions?page=0&size=20")
        .decode(Page<CatalogItemVersion>.self)
      #expect(versions.content.map(\.id) == ["2", "1"], "newest first")
      #expect(versions.content.first?.schema != nil)
      #expect(try await session.get("/catalog/api/items/\(blueprintId)/versions/1").status == 200)
      #expect(try await session.get("/catalog/api/items/\(blueprintId)/versions/9").status == 404)

      let filters = try await session.get("/deployment/api/deployments/filters")
      #expect(filters.status == 200, "not taken for a deployment id")
      let ids = try filters.decode(FilterSchema.self).filters?.compactMap(\.id) ?? []
      #expect(ids.contains("projects"))
      let projects = try await session.get("/deployment/api/deployments/filters/projects")
        .decode(Page<FilterEntry>.self)
      #expect(projects.content == [FilterEntry(id: deployment.projectId, name: "Development", count: 1)])
      #expect(try await session.get("/deployment/api/deployments/filters/nonsense").status == 404)
    }
  }

  @Test func everyOtherSpecOperationAnswers501InVRAsErrorShape() async throws {
    try await SimulatorHarness.with { harness in
      let (session, _, deployment) = try await Self.seed(harness)
      for (method, path) in [
        (HTTPMethod.GET, "/deployment/api/deployments/\(try #require(deployment.id))/expense-history"),
        (.POST, "/deployment/api/resources/r/requests"),
        (.PATCH, "/iaas/api/projects/\(session.projectId)"),
        (.GET, "/blueprint/api/resource-types"),
        (.GET, "/policy/api/policies"),
      ] {
        let response = try await session.http.call(method, path, token: session.token, json: method == .GET ? nil : [:])
        #expect(response.status == 501, "\(method) \(path)")
        let error = try response.decode(ServiceErrorResponse.self)
        #expect(error.message?.contains("not simulated") == true, "\(method) \(path): \(error)")
      }
      let unknown = try await session.get("/no/such/api")
      #expect(unknown.status == 404)
      #expect(try unknown.decode(ServiceErrorResponse.self).statusCode == 404, "never an empty body")
    }
  }

  @Test func theEmbeddedOperationListIsTheSpecs() {
    #expect(SpecOperations.all.sorted() == SpecCatalog.shared.operationNames)
    #expect(SpecOperations.documents(method: "GET", path: "/deployment/api/deployments/abc/actions"))
    #expect(!SpecOperations.documents(method: "GET", path: "/deployment/api/deployments/abc/actions/x/y"))
  }
}
