import Foundation
import NIOHTTP1
import TestSupport
import Testing
import VRAModels

@testable import EngineServer

@Suite("serve: submissions")
struct ServeSubmissionTests {
  let files = ["templates/network.yaml": EngineTemplates.network]

  @Test func theSameIdempotencyKeyNeverStartsASecondRun() async throws {
    try await ServeFixture.with { fixture in
      let a = ServeFixture.teamA
      let plan = ServeFixture.plan()
      // A CI job retrying its submit, several times at once.
      let answers = try await withThrowingTaskGroup(of: APIResponse.self) { group in
        for _ in 0..<5 { group.addTask { try await fixture.submit(a, plan: plan, files: files, key: "ci-job-42") } }
        return try await group.reduce(into: []) { $0.append($1) }
      }
      #expect(answers.allSatisfy { $0.status == 202 }, "\(answers.map(\.status))")
      let ids = Set(answers.compactMap { $0.json["id"]?.stringValue })
      #expect(ids.count == 1)
      #expect(answers.filter { $0.header("Idempotent-Replayed") == "true" }.count == 4)
      let id = try #require(ids.first)
      _ = try await fixture.waitForStatus(a, run: id, in: ["succeeded"])
      let listed = try await fixture.http.call(.GET, "/api/v1/runs", token: a.token)
      #expect(listed.json["runs"]?.arrayValue?.count == 1)
      #expect(try await fixture.simulatorDeploymentsCreated() == 1)

      // The same key with another request is refused; another tenant's same key is its own.
      let other = try await fixture.submit(a, plan: plan + "\n# changed", files: files, key: "ci-job-42")
      #expect(other.status == 422)
      #expect(other.json["type"]?.stringValue == "urn:vra-engine:problem:idempotency-key-reused")
      let b = try await fixture.submit(
        ServeFixture.teamB, plan: ServeFixture.plan(project: "Production"), files: files, key: "ci-job-42")
      #expect(b.status == 202)
      #expect(b.json["id"]?.stringValue != id)
    }
  }

  @Test func anInvalidPlanIsRefusedWithEveryProblemAndItsPosition() async throws {
    try await ServeFixture.with { fixture in
      let plan = """
        name: broken
        defaults: {project: Development, parallelizm: 2}
        stages:
          net: {template: templates/network.yaml, deploymentName: "net-${run.id}", inputs: {cidr: 42}}
          app: {template: templates/app.yaml, dependsOn: [nett]}
        """
      let template =
        "formatVersion: 1\nresources:\n  web: {type: Cloud.Machine, properties: {image: '${input.nope}'}}\n"
      let answer = try await fixture.submit(
        ServeFixture.teamA, plan: plan,
        files: ["templates/network.yaml": EngineTemplates.network, "templates/app.yaml": template])
      #expect(answer.status == 422)
      #expect(answer.header("Content-Type") == "application/problem+json")
      #expect(answer.json["type"]?.stringValue == "urn:vra-engine:problem:invalid-plan")
      let errors = try #require(answer.json["errors"]?.arrayValue)
      #expect(errors.count >= 3, "\(errors)")
      let files = Set(errors.compactMap { $0["file"]?.stringValue })
      #expect(files == ["plan.yaml", "templates/app.yaml"], "paths are the bundle's, never the service's")
      #expect(errors.allSatisfy { ($0["line"]?.intValue ?? 0) > 0 && ($0["column"]?.intValue ?? 0) > 0 })
      #expect(
        errors.contains { $0["line"]?.intValue == 2 && $0["message"]?.stringValue?.contains("parallelizm") == true })
      #expect(
        try await fixture.http.call(.GET, "/api/v1/runs", token: ServeFixture.teamA.token).json["runs"]?.arrayValue?
          .isEmpty == true)
    }
  }

  @Test func bundlePathsThatLeaveTheBundleAreRefused() async throws {
    try await ServeFixture.with { fixture in
      let a = ServeFixture.teamA
      for path in ["../escape.yaml", "/etc/net.yaml", "templates/../../x.yaml", "a//b.yaml"] {
        let answer = try await fixture.submit(a, plan: ServeFixture.plan(), files: files.merging([path: "x: 1"]) { $1 })
        #expect(answer.status == 400, "\(path)")
        #expect(answer.json["type"]?.stringValue == "urn:vra-engine:problem:invalid-bundle")
        #expect(answer.json["errors"]?[0]?["file"]?.stringValue == path)
      }
      // A plan that names a template outside its bundle: never read.
      let outside = try Scratch.file("outside.yaml", EngineTemplates.network)
      let plan = ServeFixture.plan().replacingOccurrences(
        of: "templates/network.yaml", with: "../../../../../..\(outside)")
      let answer = try await fixture.submit(a, plan: plan, files: files)
      #expect(answer.status == 422)
      #expect(answer.json["errors"]?[0]?["code"]?.stringValue == "outsideBundle")
    }
  }

  @Test func limitsOnTheBodyAndTheBundleAreProblems() async throws {
    try await ServeFixture.with { fixture in
      let a = ServeFixture.teamA
      let huge = String(repeating: "#", count: 9 * 1024 * 1024)
      let tooLarge = try await fixture.submit(a, plan: huge, files: [:])
      #expect(tooLarge.status == 413)
      #expect(tooLarge.json["type"]?.stringValue == "urn:vra-engine:problem:payload-too-large")
      let many = Dictionary(uniqueKeysWithValues: (0..<250).map { ("t\($0).yaml", "x: 1") })
      let tooMany = try await fixture.submit(a, plan: ServeFixture.plan(), files: many)
      #expect(tooMany.status == 400)
      let bigFile = try await fixture.submit(
        a, plan: ServeFixture.plan(),
        files: files.merging(["big.yaml": String(repeating: "#", count: 1_100_000)]) { $1 })
      #expect(bigFile.status == 400)
      #expect(bigFile.json["errors"]?[0]?["file"]?.stringValue == "big.yaml")
      let malformed = try await fixture.http.call(.POST, "/api/v1/runs", token: a.token, json: ["files": .object([:])])
      #expect(malformed.status == 400)
      #expect(malformed.json["detail"]?.stringValue?.contains("plan") == true)
    }
  }

  @Test func overTheQuotaASubmissionQueuesThenIsRefusedWith429() async throws {
    try await ServeFixture.with(timeScale: 0.1, maxConcurrentRuns: 1, maxQueuedRuns: 1) { fixture in
      let a = ServeFixture.teamA
      let first = try await fixture.submit(a, plan: ServeFixture.plan(name: "one"), files: files)
      #expect(first.json["queuePosition"] == .null, "a tenant with room starts the run: it is not queued")
      let firstId = try #require(first.json["id"]?.stringValue)
      _ = try await fixture.waitForStatus(a, run: firstId, in: ["running"])
      let second = try await fixture.submit(a, plan: ServeFixture.plan(name: "two"), files: files)
      #expect(second.status == 202)
      #expect(second.json["queuePosition"]?.intValue == 1)
      let secondId = try #require(second.json["id"]?.stringValue)
      let queued = try await fixture.http.call(.GET, "/api/v1/runs?status=pending", token: a.token)
      #expect(queued.json["runs"]?[0]?["queuePosition"]?.intValue == 1, "\(queued.json)")
      let third = try await fixture.submit(a, plan: ServeFixture.plan(name: "three"), files: files)
      #expect(third.status == 429)
      #expect(third.header("Retry-After") != nil)
      // Another tenant's quota is its own.
      #expect(
        try await fixture.submit(ServeFixture.teamB, plan: ServeFixture.plan(project: "Production"), files: files)
          .status
          == 202)
      // The queued run starts when the first ends.
      _ = try await fixture.waitForStatus(a, run: secondId, in: ["succeeded"])
    }
  }

  @Test func aDryRunAnswersTheRequestsAndRecordsNothing() async throws {
    try await ServeFixture.with { fixture in
      let a = ServeFixture.teamA
      let answer = try await fixture.http.call(
        .POST, "/api/v1/runs", token: a.token,
        json: [
          "plan": .string(ServeFixture.plan()), "files": .object(files.mapValues(JSONValue.string)), "dryRun": true,
        ])
      #expect(answer.status == 200)
      #expect(answer.json["requests"]?.stringValue?.contains("dry run") == true)
      #expect(
        try await fixture.http.call(.GET, "/api/v1/runs", token: a.token).json["runs"]?.arrayValue?.isEmpty == true)
      #expect(try await fixture.simulatorDeploymentsCreated() == 0)
    }
  }

  @Test func validateAnswersEveryProblemOfATemplateOrAPlan() async throws {
    try await ServeFixture.with { fixture in
      let a = ServeFixture.teamA
      let template = try await fixture.http.call(
        .POST, "/api/v1/validate", token: a.token,
        json: ["template": .string(EngineTemplates.machine), "inputs": ["network": 5, "extra": "x"]])
      #expect(template.status == 200)
      #expect(template.json["valid"] == .bool(false))
      #expect(template.json["errors"]?.arrayValue?.count == 2, "\(template.json)")
      let plan = try await fixture.http.call(
        .POST, "/api/v1/validate", token: a.token,
        json: ["plan": .string(ServeFixture.plan()), "files": .object(files.mapValues(JSONValue.string))])
      #expect(plan.json["valid"] == .bool(true), "\(plan.json)")
      let neither = try await fixture.http.call(.POST, "/api/v1/validate", token: a.token, json: [:])
      #expect(neither.status == 400)
    }
  }
}

extension ServeFixture {
  func simulatorDeploymentsCreated() async throws -> Int {
    let stats = try await APICaller(baseURL: simulator.baseURL, checksEachAnswer: false).call(.GET, "/_sim/stats")
    return try #require(stats.json["deploymentsCreated"]?.intValue)
  }
}
