import Foundation
import TestSupport
import Testing
import VRAModels

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
}
