import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

@Suite struct CatalogAndProjectTests {
  @Test func releasedVersionBecomesACatalogItemThatDeploys() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "web", content: SampleTemplates.webServer)
      #expect(try await session.get("/catalog/api/items").decode(Page<CatalogItem>.self).content.isEmpty)

      let version = try await session.post(
        "/blueprint/api/blueprints/\(blueprintId)/versions", ["version": "1.0", "release": true])
      #expect(version.status == 201)
      let items = try await session.get("/catalog/api/items").decode(Page<CatalogItem>.self).content
      let item = try #require(items.first)
      #expect(items.count == 1)
      #expect(item.name == "web")
      let detail = try await session.get("/catalog/api/items/\(try #require(item.id))")
      #expect(detail.json["schema"]?["properties"]?["size"]?["enum"] == ["small", "large"])

      let request = try await session.post(
        "/catalog/api/items/\(try #require(item.id))/request",
        [
          "deploymentName": "from-catalog", "projectId": .string(session.projectId), "version": "1.0",
          "inputs": ["size": "small"],
        ])
      #expect(request.status == 200)
      let deploymentId = try #require(request.json[0]?["deploymentId"]?.stringValue)
      let deployment = try await session.waitForDeployment(deploymentId)
      #expect(deployment.status == .createSuccessful)
      #expect(deployment.lastRequest?.catalogItemId == "\(try #require(item.id)):1.0", "the spec's UUID:version form")
    }
  }

  @Test func projectsCanBeCreatedAndReadInBothAPIFamilies() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let created = try await session.post("/iaas/api/projects", ["name": "Finance", "description": "money"])
      #expect(created.status == 201)
      let id = try #require(created.json["id"]?.stringValue)
      #expect(try await session.get("/iaas/api/projects/\(id)").json["name"] == "Finance")
      let other = try await session.get("/project-service/api/projects").decode(Page<Project>.self)
      #expect(Set(other.content.map(\.name)) == ["Development", "Finance"])
      let duplicate = try await session.post("/project-service/api/projects", ["name": "Finance"])
      #expect(duplicate.status == 409 || duplicate.status == 400)
    }
  }
}
