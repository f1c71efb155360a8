import AsyncHTTPClient
import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

/// The fidelity checker itself must catch drift, or every other test's spec check proves nothing.
@Suite struct FidelityCheckerTests {
  @Test func acceptsASpecShapedDeployment() {
    let body = """
      {"id":"5b2a7a5e-1c1e-4c4f-9d7e-0a4f7e1d2c3b","name":"n","projectId":"p","status":"CREATE_SUCCESSFUL",
      "createdAt":"2024-01-01T00:00:00.000Z"}
      """
    #expect(
      Fidelity.problems(method: "GET", path: "/deployment/api/deployments/d", status: 200, body: Data(body.utf8))
        .isEmpty)
  }

  @Test func rejectsUnknownFieldsWrongTypesAndUnknownEnums() {
    let cases = [
      #"{"id":"d","name":"n","colour":"blue"}"#,
      #"{"id":"d","name":42}"#,
      #"{"id":"d","name":"n","status":"ALMOST_DONE"}"#,
      // Booleans and numbers are told apart both ways.
      #"{"id":"5b2a7a5e-1c1e-4c4f-9d7e-0a4f7e1d2c3b","name":"n","deleted":1}"#,
      #"{"id":"5b2a7a5e-1c1e-4c4f-9d7e-0a4f7e1d2c3b","name":true}"#,
    ]
    for body in cases {
      let problems = Fidelity.problems(
        method: "GET", path: "/deployment/api/deployments/d", status: 200, body: Data(body.utf8))
      #expect(!problems.isEmpty, "\(body) should break the Deployment definition")
    }
  }

  @Test func errorsMustBeServiceErrorResponses() {
    let wrong = #"{"error":"nope"}"#
    #expect(
      !Fidelity.problems(method: "GET", path: "/deployment/api/deployments/d", status: 404, body: Data(wrong.utf8))
        .isEmpty)
    let right = #"{"message":"not found","statusCode":404}"#
    #expect(
      Fidelity.problems(method: "GET", path: "/deployment/api/deployments/d", status: 404, body: Data(right.utf8))
        .isEmpty)
  }

  @Test func healthURLsAnswerPlainTextAndAreNotVRA() {
    for (status, body) in [(200, "ok\n"), (503, "unavailable: provisioning\n"), (500, "unhealthy\n"), (200, "")] {
      #expect(Fidelity.problems(method: "GET", path: "/_sim/apps/d/app", status: status, body: Data(body.utf8)).isEmpty)
    }
    #expect(!Fidelity.problems(method: "GET", path: "/_sim/stats", status: 200, body: Data("ok\n".utf8)).isEmpty)
  }

  @Test func anErrorWithAnEmptyBodyFails() {
    #expect(
      !Fidelity.problems(method: "GET", path: "/deployment/api/deployments/d/x", status: 404, body: Data()).isEmpty)
    #expect(
      Fidelity.problems(method: "GET", path: "/deployment/api/deployments/names/n", status: 200, body: Data()).isEmpty)
  }

  @Test func nullInARequiredFieldFails() {
    // Deployment requires `name`; an optional field may still be null.
    let null = #"{"id":"5b2a7a5e-1c1e-4c4f-9d7e-0a4f7e1d2c3b","name":null}"#
    let problems = Fidelity.problems(
      method: "GET", path: "/deployment/api/deployments/d", status: 200, body: Data(null.utf8))
    #expect(problems.contains { $0.contains("required field 'name' is null") }, "\(problems)")
    let optionalNull = #"{"id":"5b2a7a5e-1c1e-4c4f-9d7e-0a4f7e1d2c3b","name":"n","description":null}"#
    #expect(
      Fidelity.problems(
        method: "GET", path: "/deployment/api/deployments/d", status: 200, body: Data(optionalNull.utf8)
      ).isEmpty)
  }

  @Test func checksThePlansActionsAndActionRequests() {
    let plan = """
      {"resources":[{"resourceName":"web","resourceType":"Cloud.vSphere.Machine","resourceReason":"UPDATE",
      "oldProperties":{"flavor":"small"},"newProperties":{"flavor":"large"},"dependsOnResources":["net"],
      "taskNames":["web:update"]}]}
      """
    let path = "/blueprint/api/blueprint-requests/5b2a7a5e-1c1e-4c4f-9d7e-0a4f7e1d2c3b/resources-plan"
    #expect(Fidelity.problems(method: "GET", path: path, status: 200, body: Data(plan.utf8)).isEmpty)
    let unknownReason = plan.replacingOccurrences(of: "UPDATE", with: "RESIZE")
    #expect(!Fidelity.problems(method: "GET", path: path, status: 200, body: Data(unknownReason.utf8)).isEmpty)
    let tasks = #"{"tasks":[{"name":"web:update","resourceName":"web","dependsOnTasks":[],"inputProperties":{}}]}"#
    let planPath = "/blueprint/api/blueprint-requests/5b2a7a5e-1c1e-4c4f-9d7e-0a4f7e1d2c3b/plan"
    #expect(Fidelity.problems(method: "GET", path: planPath, status: 200, body: Data(tasks.utf8)).isEmpty)
    #expect(
      !Fidelity.problems(method: "GET", path: planPath, status: 200, body: Data(#"{"tasks":[{"colour":1}]}"#.utf8))
        .isEmpty)

    let actionsPath = "/deployment/api/deployments/d/actions"
    let actions = #"[{"id":"Deployment.Update","valid":true,"actionType":"RESOURCE_ACTION","schema":{}}]"#
    #expect(Fidelity.problems(method: "GET", path: actionsPath, status: 200, body: Data(actions.utf8)).isEmpty)
    #expect(
      !Fidelity.problems(method: "GET", path: actionsPath, status: 200, body: Data(#"{"id":"x"}"#.utf8)).isEmpty,
      "the actions are a bare array")
    #expect(
      !Fidelity.problems(
        method: "GET", path: actionsPath, status: 200, body: Data(#"[{"id":"x","actionType":"MACRO"}]"#.utf8)
      ).isEmpty)
    // An action request answers a Request, which requires its counters.
    let requestsPath = "/deployment/api/deployments/d/requests"
    #expect(
      !Fidelity.problems(method: "POST", path: requestsPath, status: 200, body: Data(#"{"name":"Update"}"#.utf8))
        .isEmpty)
  }

  @Test func theHarnessChecksAnswersToEveryClient() async throws {
    try await SimulatorHarness.with { harness in
      let before = await harness.fidelity.checked
      // Not through the harness's APICaller: any client's answers are seen. The deadline is generous:
      // the first seconds of the parallel pass (664 tests, a PostgreSQL cluster starting) are the
      // busiest of a 2-core machine, and a fresh-clone CI run once took longer than 10 s here.
      let response = try await HTTPClient.shared.execute(
        HTTPClientRequest(url: harness.server.baseURL + "/deployment/api/deployments"), timeout: .seconds(60))
      #expect(response.status.code == 401)
      _ = try await response.body.collect(upTo: 1 << 20)
      #expect(await harness.fidelity.checked == before + 1)
      #expect(await harness.fidelity.report.isEmpty)
    }
    // A recorder flags a drifted body, and counts repeats once.
    let recorder = FidelityRecorder()
    let drifted = ObservedResponse(
      method: "GET", path: "/deployment/api/deployments/d", query: "", status: 200,
      body: Data(#"{"id":"5b2a7a5e-1c1e-4c4f-9d7e-0a4f7e1d2c3b","name":"n","colour":"blue"}"#.utf8))
    recorder.check(drifted)
    recorder.check(drifted)
    let report = await recorder.report
    #expect(report.count == 1 && report[0].contains("'colour' is not in the definition"), "\(report)")
    #expect(report.first?.hasSuffix("(2 answers)") == true)
  }
}
