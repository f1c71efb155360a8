import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// Item 3 of issue 13: a blueprint version's `id` is its label, so clients that read a version back,
/// release it or request it by `id` (Terraform's `vra_blueprint_version`, VMware's build tools) work.
@Suite struct BlueprintVersionIdTests {
  @Test func aVersionsIdIsUsableWhereverAVersionIsNamed() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "web", content: SampleTemplates.single)
      let created = try await session.post("/blueprint/api/blueprints/\(blueprintId)/versions", ["version": "1"])
      #expect(created.status == 201)
      let id = try #require(try created.decode(BlueprintVersion.self).id)
      #expect(id == "1", "the id is the label, as vRA answers it")

      let listed = try await session.get("/blueprint/api/blueprints/\(blueprintId)/versions?%24top=5")
        .decode(Page<BlueprintVersion>.self)
      #expect(listed.content.map(\.id) == [id])

      let read = try await session.get("/blueprint/api/blueprints/\(blueprintId)/versions/\(id)")
      #expect(read.status == 200)
      #expect(try read.decode(BlueprintVersion.self).version == "1")
      let schema = try await session.get("/blueprint/api/blueprints/\(blueprintId)/versions/\(id)/inputs-schema")
      #expect(schema.status == 200)
      let released = try await session.post(
        "/blueprint/api/blueprints/\(blueprintId)/versions/\(id)/actions/release", [:])
      #expect(released.status == 200)
      #expect(try released.decode(BlueprintVersion.self).status == .released)

      let order = try await session.post(
        "/blueprint/api/blueprint-requests",
        [
          "blueprintId": .string(blueprintId), "blueprintVersion": .string(id), "projectId": .string(session.projectId),
          "deploymentName": "by-version-id",
        ])
      #expect(order.status == 202, "\(order.json)")
      let catalogVersions = try await session.get("/catalog/api/items/\(blueprintId)/versions")
        .decode(Page<CatalogItemVersion>.self)
      #expect(catalogVersions.content.map(\.id) == [id], "the catalog names the version the same way")
    }
  }

  @Test func theOlderBlueprintIdColonLabelFormIsStillAccepted() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "web", content: SampleTemplates.single)
      _ = try await session.post("/blueprint/api/blueprints/\(blueprintId)/versions", ["version": "2.0"])
      let old = try await session.get("/blueprint/api/blueprints/\(blueprintId)/versions/\(blueprintId):2.0")
      #expect(old.status == 200)
      #expect(try old.decode(BlueprintVersion.self).id == "2.0")
      let missing = try await session.get("/blueprint/api/blueprints/\(blueprintId)/versions/3.0")
      #expect(missing.status == 404)
    }
  }
}
