import Foundation
import TestSupport
import Testing
import VRAClient
import VRAModels
import VRASimulator

/// The client's update, what-if, action and history calls against the simulator.
@Suite("Updates, what-ifs and day-2 actions through the client")
struct UpdateEndpointTests {
  static let template = """
    formatVersion: 1
    inputs:
      size:
        type: string
        default: small
    resources:
      vm:
        type: Cloud.vSphere.Machine
        properties:
          image: ubuntu
          flavor: ${input.size}
    """

  /// A finished deployment made with `createBlueprintRequest`, and its create request's id.
  static func deployed(
    _ client: VRAClient, name: String, blueprintId: String? = nil
  ) async throws -> (deploymentId: String, requestId: String) {
    let projectId = try await ClientFixture.developmentProjectId(client)
    let request = try await client.createBlueprintRequest(
      BlueprintRequest(
        blueprintId: blueprintId, content: blueprintId == nil ? template : nil, deploymentName: name,
        projectId: projectId))
    let deploymentId = try #require(request.deploymentId)
    let last = try await waitUntilIdle(client, deploymentId)
    return (deploymentId, try #require(last.id))
  }

  /// Polls until the deployment's last request is terminal; returns it.
  static func waitUntilIdle(_ client: VRAClient, _ deploymentId: String) async throws -> DeploymentRequest {
    try await pollForValue(timeout: .seconds(30)) { () -> DeploymentRequest? in
      let last = try await client.deployment(id: deploymentId, expand: [.lastRequest]).lastRequest
      return last?.status?.isTerminal == true ? last : nil
    }
  }

  static func update(_ deploymentId: String, size: String, plan: Bool? = nil) -> BlueprintRequest {
    BlueprintRequest(
      content: template, deploymentName: nil, projectId: nil, inputs: ["size": .string(size)], plan: plan,
      deploymentId: deploymentId)
  }

  @Test("an update whose answer is lost after vRA committed it is found, not sent again", arguments: [true, false])
  func droppedUpdateIsNotDuplicated(withBaseline: Bool) async throws {
    try await ClientFixture.withFaultySimulator { harness in
      let client = try await ClientFixture.client(harness)
      let (deploymentId, createRequestId) = try await Self.deployed(client, name: "dropped-update")
      try await harness.server.addFault(
        FaultRule(method: "POST", path: "/blueprint/api/blueprint-requests", dropAfterCommit: true, times: 1))
      let posts = await harness.server.stats().count("POST /blueprint/api/blueprint-requests")
      let answer = try await client.createUpdateRequest(
        Self.update(deploymentId, size: "large"), after: withBaseline ? createRequestId : nil)
      let stats = await harness.server.stats()
      #expect(stats.connectionsDropped == 1)
      #expect(stats.count("POST /blueprint/api/blueprint-requests") - posts == 1, "sent once")
      #expect(answer.deploymentId == deploymentId)
      #expect(answer.requestTrackerId != nil && answer.requestTrackerId != createRequestId)
      let history = try await client.deploymentRequests(deploymentId: deploymentId).collect()
      #expect(history.map(\.name) == ["Update", "Create"])
      #expect(history.first?.id == answer.requestTrackerId)
      #expect(try await Self.waitUntilIdle(client, deploymentId).status == .successful)
    }
  }

  @Test("a 503 before anything happened is retried and updates once")
  func unavailableUpdateIsRetried() async throws {
    try await ClientFixture.withFaultySimulator { harness in
      let client = try await ClientFixture.client(harness)
      let (deploymentId, createRequestId) = try await Self.deployed(client, name: "retried-update")
      try await harness.server.addFault(
        FaultRule(method: "POST", path: "/blueprint/api/blueprint-requests", status: 503, times: 1))
      _ = try await client.createUpdateRequest(Self.update(deploymentId, size: "large"), after: createRequestId)
      #expect(try await client.deploymentRequests(deploymentId: deploymentId).collect().count == 2)
    }
  }

  @Test("a what-if is planned and read back; it changes nothing")
  func whatIfThroughTheClient() async throws {
    try await SimulatorHarness.with { harness in
      let client = try await ClientFixture.client(harness)
      let (deploymentId, createRequestId) = try await Self.deployed(client, name: "planned")
      let order = try await client.createUpdateRequest(
        Self.update(deploymentId, size: "large", plan: true), after: createRequestId)
      let id = try #require(order.id)
      _ = try await pollForValue { () -> BlueprintRequest? in
        let request = try await client.blueprintRequest(id: id)
        return request.status == .finished ? request : nil
      }
      let resources = try await client.blueprintRequestResourcesPlan(id: id)
      #expect(resources.resources?.map(\.resourceReason) == [.update])
      #expect(resources.resources?.first?.newProperties?["flavor"] == "large")
      let plan = try await client.blueprintRequestPlan(id: id)
      #expect(plan.tasks?.first?.inputProperties?["flavor"] == "large", "the client asks for the detailed plan")
      #expect(try await client.deploymentRequests(deploymentId: deploymentId).collect().count == 1)
    }
  }

  @Test("actions are listed and Deployment.Update runs once even when its answer is lost")
  func actionDroppedAfterCommit() async throws {
    try await ClientFixture.withFaultySimulator { harness in
      let client = try await ClientFixture.client(harness)
      let projectId = try await ClientFixture.developmentProjectId(client)
      let blueprint = try await client.createBlueprint(
        Blueprint(name: "acted", content: Self.template, projectId: projectId))
      let (deploymentId, _) = try await Self.deployed(client, name: "acted", blueprintId: blueprint.id)
      let actions = try await client.deploymentActions(deploymentId: deploymentId)
      #expect(actions.compactMap(\.id).first == "Deployment.Update")
      #expect(actions.compactMap(\.id).contains("Deployment.Delete"))
      #expect(actions.first?.schema?["properties"]?["size"] != nil)

      try await harness.server.addFault(
        FaultRule(method: "POST", path: "/deployment/api/deployments/", dropAfterCommit: true, times: 1))
      let request = try await client.submitDeploymentAction(
        deploymentId: deploymentId,
        ResourceActionRequest(actionId: "Deployment.Update", inputs: ["size": "large"], reason: "bigger"))
      #expect(request.actionId == "Deployment.Update")
      #expect(request.inputs?["size"] == "large")
      let stats = await harness.server.stats()
      #expect(stats.connectionsDropped == 1)
      #expect(stats.count("POST /deployment/api/deployments/{deploymentId}/requests") == 1)
      let history = try await client.deploymentRequests(deploymentId: deploymentId).collect()
      #expect(history.map(\.name) == ["Update", "Create"])
      #expect(history.first?.id == request.id)
    }
  }

  @Test("a request while another runs is a clear, unretried 'request in progress' conflict")
  func requestInProgressIsClassified() async throws {
    try await SimulatorHarness.with({
      $0.timeScale = 1
      $0.durations.initialization = 0.1
      $0.durations.resourceTypes = ["Cloud.vSphere.Machine": 5]
    }) { harness in
      let client = try await ClientFixture.client(harness)
      let projectId = try await ClientFixture.developmentProjectId(client)
      let created = try await client.createBlueprintRequest(
        BlueprintRequest(content: Self.template, deploymentName: "busy", projectId: projectId))
      let deploymentId = try #require(created.deploymentId)
      let error = await vraError {
        _ = try await client.createUpdateRequest(
          Self.update(deploymentId, size: "large"), after: created.requestTrackerId)
      }
      let conflict = try #require(error)
      #expect(conflict.errorClass == .conflict)
      #expect(conflict.isRequestInProgress)
      #expect(conflict.attempts == 1, "not retried")
      #expect(conflict.hint?.contains("in progress") == true)
      let action = await vraError {
        _ = try await client.submitDeploymentAction(
          deploymentId: deploymentId, ResourceActionRequest(actionId: "Deployment.Delete"))
      }
      #expect(action?.isRequestInProgress == true)
      let duplicateName = VRAError(
        .conflict, status: 409, method: "POST", path: "/x", message: "Deployment with name 'a' already exists")
      #expect(!duplicateName.isRequestInProgress)
    }
  }

  @Test("a deployment's requests page by page, newest first, each with its inputs")
  func historyPages() async throws {
    try await SimulatorHarness.with { harness in
      let client = try await ClientFixture.client(harness)
      let (deploymentId, createRequestId) = try await Self.deployed(client, name: "paged")
      var baseline = createRequestId
      for size in ["large", "medium"] {
        _ = try await client.createUpdateRequest(Self.update(deploymentId, size: size), after: baseline)
        baseline = try #require(try await Self.waitUntilIdle(client, deploymentId).id)
      }
      let before = await harness.server.stats().count("GET /deployment/api/deployments/{deploymentId}/requests")
      let history = try await client.deploymentRequests(deploymentId: deploymentId, pageSize: 1).collect()
      #expect(history.map(\.name) == ["Update", "Update", "Create"])
      #expect(history.map { $0.inputs?["size"] } == ["medium", "large", "small"])
      let pages = await harness.server.stats().count("GET /deployment/api/deployments/{deploymentId}/requests") - before
      #expect(pages == 3)
    }
  }
}
