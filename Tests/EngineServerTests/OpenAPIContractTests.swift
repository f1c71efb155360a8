import Foundation
import NIOHTTP1
import TestSupport
import Testing
import VRAModels

@testable import EngineServer

/// The served API against docs/openapi.json: every route is documented, and every documented
/// operation, called as clients call it (successes and refusals), answers a documented status with
/// the documented media type and a body of the documented schema.
@Suite("serve: the API answers as its OpenAPI document says")
struct OpenAPIContractTests {
  typealias Document = OpenAPIDocumentTests

  @Test func everyRouteIsDocumentedAndEveryDocumentedOperationAnswersAsDocumented() async throws {
    try await ServeFixture.with(timeScale: 0.1, maxConcurrentRuns: 1, maxQueuedRuns: 0) { fixture in
      let documented = Set(OpenAPIDocument.operations.map { "\($0.method.uppercased()) \($0.path)" })
      #expect(Set(fixture.running.routes) == documented)

      let a = ServeFixture.teamA
      let files: JSONValue = ["templates/network.yaml": .string(EngineTemplates.network)]
      let submitted = try await fixture.http.call(
        .POST, "/api/v1/runs", token: a.token, json: ["plan": .string(ServeFixture.plan()), "files": files])
      let id = try #require(submitted.json["id"]?.stringValue)
      var answers: [(String, String, APIResponse)] = [("POST", "/api/v1/runs", submitted)]
      func call(
        _ method: HTTPMethod, _ template: String, _ path: String, token: String? = a.token, json: JSONValue? = nil,
        headers: [(String, String)] = []
      ) async throws {
        let answer = try await fixture.http.call(method, path, token: token, json: json, headers: headers)
        answers.append((method.rawValue, template, answer))
      }
      // While the run goes on: a second submission over the quota (429).
      _ = try await fixture.waitForStatus(a, run: id, in: ["running"])
      try await call(
        .POST, "/api/v1/runs", "/api/v1/runs", json: ["plan": .string(ServeFixture.plan(name: "b")), "files": files])
      _ = try await fixture.waitForStatus(a, run: id, in: ["succeeded"])

      let run = "/api/v1/runs/{id}"
      try await call(
        .POST, "/api/v1/runs", "/api/v1/runs",
        json: ["plan": .string(ServeFixture.plan()), "files": files, "dryRun": true])
      try await call(.POST, "/api/v1/runs", "/api/v1/runs", json: ["plan": .string("stages: {")])
      try await call(.POST, "/api/v1/runs", "/api/v1/runs", json: ["files": files])
      try await call(
        .POST, "/api/v1/runs", "/api/v1/runs",
        json: ["plan": .string(ServeFixture.plan(project: "Production")), "files": files])
      try await call(
        .POST, "/api/v1/runs", "/api/v1/runs", json: ["plan": .string(String(repeating: "#", count: 9_000_000))])
      try await call(.POST, "/api/v1/runs", "/api/v1/runs", token: nil, json: ["plan": "x"])
      try await call(.GET, "/api/v1/runs", "/api/v1/runs?limit=1")
      try await call(.GET, "/api/v1/runs", "/api/v1/runs?status=nope")
      try await call(.GET, "/api/v1/runs", "/api/v1/runs", token: "vre_wrong")
      try await call(.GET, run, "/api/v1/runs/\(id)")
      try await call(.GET, run, "/api/v1/runs/nope")
      try await call(.GET, run + "/events", "/api/v1/runs/\(id)/events")
      try await call(.GET, run + "/events", "/api/v1/runs/\(id)/events", headers: [("Last-Event-ID", "x")])
      try await call(.GET, run + "/events", "/api/v1/runs/nope/events")
      try await call(.POST, run + "/cancel", "/api/v1/runs/\(id)/cancel")
      try await call(.POST, run + "/cancel", "/api/v1/runs/nope/cancel")
      try await call(.POST, run + "/destroy", "/api/v1/runs/\(id)/destroy")
      try await call(.POST, run + "/destroy", "/api/v1/runs/\(id)/destroy")
      try await call(.POST, run + "/destroy", "/api/v1/runs/nope/destroy", token: ServeFixture.teamB.token)
      _ = try await fixture.waitForStatus(a, run: id, in: ["destroyed"])
      let cancellable = try await fixture.http.call(
        .POST, "/api/v1/runs", token: a.token, json: ["plan": .string(ServeFixture.plan(name: "c")), "files": files])
      answers.append(("POST", "/api/v1/runs", cancellable))
      if let other = cancellable.json["id"]?.stringValue {
        try await call(.POST, run + "/cancel", "/api/v1/runs/\(other)/cancel")
      }
      try await call(
        .POST, "/api/v1/validate", "/api/v1/validate", json: ["template": .string(EngineTemplates.machine)])
      try await call(
        .POST, "/api/v1/validate", "/api/v1/validate", json: ["plan": .string(ServeFixture.plan()), "files": files])
      try await call(.POST, "/api/v1/validate", "/api/v1/validate", json: [:])
      try await call(
        .POST, "/api/v1/validate", "/api/v1/validate",
        json: ["template": .string(String(repeating: "#", count: 9_000_000))])
      try await call(.POST, "/api/v1/validate", "/api/v1/validate", token: nil, json: [:])
      for open in ["/api/v1/openapi.json", "/healthz", "/readyz", "/metrics"] {
        try await call(.GET, open, open, token: nil)
      }

      var exercised = Set<String>()
      var statuses: [String: Set<Int>] = [:]
      for (method, template, answer) in answers {
        let operation = "\(method) \(template)"
        exercised.insert(operation)
        statuses[operation, default: []].insert(answer.status)
        let problems = Self.problems(of: answer, method: method, template: template)
        #expect(problems.isEmpty, "\(operation) → \(answer.status): \(problems)")
      }
      #expect(exercised == documented, "every documented operation is called")
      // Each operation's success and at least one of its refusals were seen.
      #expect(
        statuses["POST /api/v1/runs"]?.isSuperset(of: [200, 202, 400, 401, 403, 413, 422, 429]) == true, "\(statuses)")
      #expect(statuses["POST /api/v1/runs/{id}/destroy"]?.isSuperset(of: [202, 404, 409]) == true, "\(statuses)")
    }
  }

  /// What is wrong with `answer` for the documented operation: an undocumented status, another
  /// media type, a body that does not fit the schema.
  static func problems(of answer: APIResponse, method: String, template: String) -> [String] {
    guard let operation = Document.document["paths"]?[template]?[method.lowercased()] else {
      return ["not documented"]
    }
    guard var response = operation["responses"]?["\(answer.status)"] else {
      return ["status \(answer.status) is not documented: \(String(decoding: answer.body.prefix(300), as: UTF8.self))"]
    }
    if let reference = response["$ref"]?.stringValue {
      let name = reference.replacingOccurrences(of: "#/components/responses/", with: "")
      guard let resolved = Document.document["components"]?["responses"]?[name] else {
        return ["unresolved \(reference)"]
      }
      response = resolved
    }
    let contentType =
      (answer.header("Content-Type") ?? "").split(separator: ";").first.map {
        $0.trimmingCharacters(in: .whitespaces)
      } ?? ""
    guard let media = response["content"]?[contentType] else {
      return ["content type '\(contentType)' is not documented for \(answer.status)"]
    }
    guard contentType.hasSuffix("json"), let schema = media["schema"] else { return [] }
    guard let body = try? JSONDecoder().decode(JSONValue.self, from: answer.body) else {
      return ["the body is not JSON"]
    }
    return Document.problems(body, schema, at: "$")
  }
}
