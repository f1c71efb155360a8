import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// What the simulator refuses before anything is created, with vRA's error shapes.
@Suite struct RequestValidationTests {
  @Test func wrongInputsAre400WithEveryViolationAndNoDeployment() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "web", content: SampleTemplates.webServer)
      let response = try await session.post(
        "/blueprint/api/blueprint-requests",
        [
          "blueprintId": .string(blueprintId), "projectId": .string(session.projectId), "deploymentName": "bad",
          "inputs": ["size": "huge", "count": 9, "colour": "red"],
        ])
      #expect(response.status == 400)
      let messages = try #require(response.json["validationMessages"]?.arrayValue)
      let paths = Set(messages.compactMap { $0["path"]?.stringValue })
      #expect(paths == ["/size", "/count", "/colour"])
      let list = try await session.get("/deployment/api/deployments").decode(Page<Deployment>.self)
      #expect(list.content.isEmpty)
      #expect(await harness.server.stats().deploymentsCreated == 0)
    }
  }

  @Test func brokenTemplateContentIs400NamingTheLine() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let content =
        "formatVersion: 1\nresources:\n  vm:\n    type: Cloud.Machine\n    properties:\n      image: ${input.missing}\n"
      let response = try await session.post(
        "/blueprint/api/blueprint-requests",
        ["content": .string(content), "projectId": .string(session.projectId), "deploymentName": "inline"])
      #expect(response.status == 400)
      let message = try #require(response.json["validationMessages"]?[0])
      #expect(message["message"]?.stringValue?.contains("missing") == true)
      #expect(message["metadata"]?["line"]?.stringValue == "6")
    }
  }

  @Test func unknownBlueprintOrProjectIs404() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let noBlueprint = try await session.post(
        "/blueprint/api/blueprint-requests",
        ["blueprintId": "00000000-0000-0000-0000-000000000000", "projectId": .string(session.projectId)])
      #expect(noBlueprint.status == 404)
      let blueprintId = try await session.createBlueprint(name: "web", content: SampleTemplates.single)
      let noProject = try await session.post(
        "/blueprint/api/blueprint-requests",
        ["blueprintId": .string(blueprintId), "projectId": "00000000-0000-0000-0000-000000000000"])
      #expect(noProject.status == 404)
      let noDeployment = try await session.get("/deployment/api/deployments/00000000-0000-0000-0000-000000000000")
      #expect(noDeployment.status == 404)
    }
  }

  @Test func malformedJSONBodyIs400() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let response = try await harness.http.call(
        .POST, "/blueprint/api/blueprint-requests", token: session.token,
        headers: [("Content-Type", "application/json")])
      #expect(response.status == 400)
      let garbage = try await session.post("/blueprint/api/blueprints", ["name": 42])
      #expect(garbage.status == 400)
    }
  }

  @Test func planAndSimulateFinishWithoutADeployment() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "web", content: SampleTemplates.webServer)
      for flag in ["plan", "simulate"] {
        let response = try await session.post(
          "/blueprint/api/blueprint-requests",
          [
            "blueprintId": .string(blueprintId), "projectId": .string(session.projectId),
            "deploymentName": .string(flag), flag: true,
          ])
        #expect(response.status == 202, "\(flag)")
        let request = try response.decode(BlueprintRequest.self)
        #expect(request.deploymentId == nil, "\(flag)")
        // A simulation is answered finished; a what-if runs CREATED → STARTED → FINISHED (scaled).
        if flag == "simulate" { #expect(request.status == .finished) }
        let id = try #require(request.id)
        let finished = try await session.http.poll { () -> BlueprintRequest? in
          let read = try await session.get("/blueprint/api/blueprint-requests/\(id)").decode(BlueprintRequest.self)
          return read.status?.isTerminal == true ? read : nil
        }
        #expect(finished.status == .finished, "\(flag)")
      }
      #expect(try await session.get("/deployment/api/deployments").decode(Page<Deployment>.self).content.isEmpty)
    }
  }

  @Test func duplicateDeploymentNameIs409() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "web", content: SampleTemplates.single)
      _ = try await session.requestDeployment(blueprintId: blueprintId, name: "only-one")
      let second = try await session.post(
        "/blueprint/api/blueprint-requests",
        ["blueprintId": .string(blueprintId), "projectId": .string(session.projectId), "deploymentName": "only-one"])
      #expect(second.status == 409)
      #expect(try await session.get("/deployment/api/deployments").decode(Page<Deployment>.self).content.count == 1)
    }
  }

  @Test func blueprintValidationAndInputsSchema() async throws {
    try await SimulatorHarness.with { harness in
      let session = try await SimulatorSession.start(harness)
      let blueprintId = try await session.createBlueprint(name: "web", content: SampleTemplates.webServer)
      let schema = try await session.get("/blueprint/api/blueprints/\(blueprintId)/inputs-schema")
      #expect(schema.status == 200)
      #expect(schema.json["properties"]?["size"]?["enum"] == ["small", "large"])
      #expect(schema.json["properties"]?["count"]?["maximum"]?.intValue == 3)

      let broken =
        "resources:\n  a:\n    type: Cloud.Machine\n    dependsOn: [b]\n  b:\n    type: Cloud.Machine\n    dependsOn: [a]\n"
      let validation = try await session.post(
        "/blueprint/api/blueprint-validation", ["content": .string(broken), "projectId": .string(session.projectId)])
      #expect(validation.status == 200)
      let messages = try #require(validation.json["validationMessages"]?.arrayValue)
      #expect(messages.contains { $0["message"]?.stringValue?.contains("a -> b -> a") == true })
      let valid = try await session.post(
        "/blueprint/api/blueprint-validation",
        ["content": .string(SampleTemplates.single), "projectId": .string(session.projectId)])
      #expect(valid.json["valid"]?.boolValue == true)
    }
  }
}
