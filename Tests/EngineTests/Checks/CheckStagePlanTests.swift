import CloudTemplate
import Engine
import Foundation
import Testing

/// `check:` stages as a plan writes them: decoded with their probe, repetition and limits, ordered
/// after the stages their references read, and every mistake reported at its line before anything runs.
@Suite("Check stages in plans")
struct CheckStagePlanTests {
  @Test("http, tcp and command checks decode with their settings and defaults, after what they read")
  func decodedAndOrdered() throws {
    let plan = try PlanFixtures.load(
      """
      defaults: {project: Development, timeout: 30m}
      stages:
        net: {template: templates/network.yaml, inputs: {cidr: 10.0.0.0/24}}
        web:
          check:
            http:
              url: "http://${stages.net.outputs.networkId}:8080/health"
              expectStatus: [200, 204]
              expectBody: ok
              headers: {Accept: text/plain}
              times: 3
              interval: 2s
              timeout: 1m
        port:
          check:
            tcp: {host: db.example.com, port: 5432}
        smoke:
          check:
            command: {run: ./smoke.sh, env: {NET: "${stages.net.outputs.networkId}", RETRIES: 3}, timeout: 5m}
          secrets: {TOKEN: "env:SMOKE_TOKEN"}
      """)
    let web = try #require(plan.stage(named: "web")?.source.check)
    #expect(web.kind == .http)
    #expect(web.settings["url"] == "http://${stages.net.outputs.networkId}:8080/health")
    #expect(web.settings["expectBody"] == "ok")
    #expect(web.settings["headers"] == ["Accept": "text/plain"])
    #expect(web.expectStatus == [200, 204])
    #expect(web.times == 3 && web.interval == .seconds(2) && web.timeout == .seconds(60))
    #expect(web.attemptTimeout == .seconds(10), "an HTTP attempt is cut at 10 s by default")
    let port = try #require(plan.stage(named: "port")?.source.check)
    #expect(port.kind == .tcp && port.settings["port"] == .int(5432) && port.times == 1)
    #expect(port.timeout == StageCheck.defaultTimeout, "defaults.timeout is a request's, not a check's")
    let smoke = try #require(plan.stage(named: "smoke")?.source.check)
    #expect(smoke.settings["env"] == ["NET": "${stages.net.outputs.networkId}", "RETRIES": "3"])
    #expect(smoke.attemptTimeout == .seconds(300), "a command's one run may take the whole timeout")

    let graph = try StageGraph(plan: plan)
    #expect(graph.layers == [["net", "port"], ["web", "smoke"]])
    #expect(PlanValidator.validate(plan, environment: [:]).errors.isEmpty)
  }

  @Test("every mistake in how check stages are written, at once and at its line")
  func structuralMistakes() throws {
    let error = try #require(
      try Self.validationError(
        """
        defaults: {project: Development}
        stages:
          a:
            check: {http: {url: "http://x/", tims: 3}}
          b:
            check: {http: {url: "http://x/"}, tcp: {host: x, port: 1}}
          c:
            check: {ping: {host: x}}
          d:
            check: {http: {expectStatus: 700}}
          e:
            check: {tcp: {host: x, port: 70000}}
          f:
            check: {http: {url: "ftp://x/"}}
            retries: 2
          g:
            check: {command: {run: ./x.sh, env: {1BAD: x}}}
          h:
            check: {http: {url: "http://x/"}}
            secrets: {TOKEN: "env:T"}
        """))
    let found = error.diagnostics.map { "\($0.code.rawValue)@\($0.line)" }
    #expect(
      found == [
        "unknownKey@4", "conflictingFields@6", "unknownKey@8", "missingField@10", "invalidValue@10", "invalidValue@12",
        "invalidValue@14", "conflictingFields@15", "invalidValue@17", "conflictingFields@20",
      ], "\(error.diagnostics.map { "\($0.line): \($0.message)" })")
    let byPath = Dictionary(error.diagnostics.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
    #expect(byPath["/stages/a/check/http/tims"]?.hint == "did you mean 'times'?")
    #expect(byPath["/stages/c/check/ping"]?.message == "unknown key 'ping' in the check of stage 'c'")
    #expect(byPath["/stages/d/check/http/url"]?.message.contains("needs 'url'") == true)
    #expect(byPath["/stages/e/check/tcp/port"]?.message.contains("1-65535") == true)
    #expect(byPath["/stages/f/check/http/url"]?.message.contains("http or https") == true)
    #expect(byPath["/stages/f/retries"]?.message.contains("a check deploys nothing") == true)
    #expect(byPath["/stages/g/check/command/env/1BAD"] != nil)
    #expect(byPath["/stages/h/secrets"]?.message.contains("only a command check") == true)
  }

  @Test("references in a check are checked like inputs, and an action on a check stage is refused")
  func referencesAndActions() throws {
    let error = try #require(
      try Self.validationError(
        """
        defaults: {project: Development}
        stages:
          net: {template: templates/network.yaml, inputs: {cidr: 10.0.0.0/24}}
          web:
            check: {http: {url: "http://${stages.nett.outputs.networkId}/"}}
          port:
            check: {tcp: {host: "${stages.net.outputs.nope}", port: "${env.UNSET_PORT_FOR_TEST}"}}
          stop:
            action: {stage: web, id: Deployment.PowerOff}
        """))
    let found = Set(error.diagnostics.map { "\($0.code.rawValue)@\($0.path)" })
    #expect(
      found == [
        "unknownStage@/stages/web/check/http/url", "unknownOutput@/stages/port/check/tcp/host",
        "unknownEnvironmentVariable@/stages/port/check/tcp/port", "unknownStage@/stages/stop/action/stage",
      ], "\(error.diagnostics.map { "\($0.path): \($0.message)" })")
    let action = try #require(error.diagnostics.first { $0.path == "/stages/stop/action/stage" })
    #expect(action.message.contains("a check, which has no deployment"))
    #expect(action.line == 9)
    #expect(error.diagnostics.first { $0.path == "/stages/web/check/http/url" }?.line == 5)
  }

  @Test("the plan's durations read back as a plan writes them")
  func durationText() {
    #expect(PlanDurationParser.text(.seconds(120)) == "2m")
    #expect(PlanDurationParser.text(.seconds(5400)) == "1h30m")
    #expect(PlanDurationParser.text(.seconds(45)) == "45s")
    #expect(PlanDurationParser.text(.milliseconds(1500)) == "1.5s")
    #expect(PlanDurationParser.text(.milliseconds(250)) == "250ms")
    #expect(PlanDurationParser.text(.seconds(86_400 + 61)) == "1d1m1s")
  }

  static func validationError(_ text: String) throws -> PlanError? {
    try ActionStagePlanTests.validationError(text)
  }
}
