import CloudTemplate
import Engine
import Foundation
import Testing

/// `action:` stages as a plan writes them: decoded with their target, id and inputs, waited on by
/// their target stage, and every mistake reported at its line before anything runs.
@Suite("Action stages in plans")
struct ActionStagePlanTests {
  @Test("an action stage acts on another stage's deployment after it, with its inputs")
  func decodedAndOrdered() throws {
    let plan = try PlanFixtures.load(
      """
      defaults: {project: Development, approvalTimeout: 2h}
      stages:
        db: {template: templates/network.yaml, inputs: {cidr: 10.0.0.0/24}}
        stop:
          action:
            stage: db
            id: Deployment.PowerOff
            reason: nightly
            inputs: {force: "${env.FORCE}"}
          approvalTimeout: 10m
        legacy:
          action: {deployment: "old-${env.FORCE}", id: Cloud.vSphere.Machine.PowerOff, resource: vm}
      """)
    let stop = try #require(plan.stage(named: "stop"))
    #expect(
      stop.source
        == .action(StageAction(target: .stage("db"), actionId: "Deployment.PowerOff", reason: "nightly")))
    #expect(stop.inputs == ["force": "${env.FORCE}"])
    #expect(plan.approvalTimeout(for: stop) == .seconds(600))
    let legacy = try #require(plan.stage(named: "legacy"))
    #expect(plan.approvalTimeout(for: legacy) == .seconds(7200))
    #expect(legacy.source.action?.resource == "vm")
    #expect(legacy.source.action?.target == .deployment("old-${env.FORCE}"))

    let graph = try StageGraph(plan: plan)
    #expect(graph.layers == [["db", "legacy"], ["stop"]])
    #expect(PlanValidator.validate(plan, environment: ["FORCE": "1"]).errors.isEmpty)
    // References in the target and the inputs are checked like any stage's.
    let unset = PlanValidator.validate(plan, environment: [:]).errors
    #expect(unset.map(\.code) == [.unknownEnvironmentVariable, .unknownEnvironmentVariable])
    #expect(Set(unset.map(\.path)) == ["/stages/stop/inputs/force", "/stages/legacy/action/deployment"])
  }

  @Test("every mistake in how action stages are written at once, at its line")
  func structuralMistakes() throws {
    let error = try #require(
      try Self.validationError(
        """
        defaults: {project: Development}
        stages:
          db: {template: templates/network.yaml, inputs: {cidr: 10.0.0.0/24}}
          a:
            action: {stage: db, deployment: x, id: Deployment.PowerOff}
          b:
            action: {stage: db}
          e:
            action: {stage: db, id: X, colour: red}
            deploymentName: nope
          f:
            action: {id: X}
        """))
    let found = error.diagnostics.map { "\($0.code.rawValue)@\($0.line)" }
    #expect(
      found == ["conflictingFields@5", "missingField@7", "unknownKey@9", "conflictingFields@10", "missingField@12"],
      "\(error.diagnostics.map(\.message))")
    let byLine = Dictionary(error.diagnostics.map { ($0.line, $0) }, uniquingKeysWith: { first, _ in first })
    #expect(byLine[9]?.path == "/stages/e/action/colour")
    #expect(byLine[10]?.path == "/stages/e/deploymentName")
    #expect(byLine[12]?.message.contains("names no deployment") == true)
  }

  @Test("an action on a stage or resource the plan does not have is reported at its line")
  func unknownTargets() throws {
    let error = try #require(
      try Self.validationError(
        """
        defaults: {project: Development}
        stages:
          db: {template: templates/network.yaml, inputs: {cidr: 10.0.0.0/24}}
          c:
            action: {stage: dbb, id: Deployment.PowerOn}
          d:
            action: {stage: db, id: Deployment.PowerOn, resource: nett}
          e:
            action: {stage: e, id: Deployment.PowerOn}
        """))
    let found = error.diagnostics.map { "\($0.code.rawValue)@\($0.line)" }
    #expect(found == ["unknownStage@5", "unknownResource@7", "unknownStage@9"], "\(error.diagnostics.map(\.message))")
    let byLine = Dictionary(error.diagnostics.map { ($0.line, $0) }, uniquingKeysWith: { first, _ in first })
    #expect(byLine[5]?.hint == "did you mean 'db'?")
    #expect(byLine[7]?.message.contains("resource 'nett'") == true)
    #expect(byLine[9]?.message.contains("acts on the stage itself") == true)
  }

  @Test("a cycle through an action's stage is a cycle")
  func cycle() throws {
    let error = try #require(
      try Self.validationError(
        """
        defaults: {project: Development}
        stages:
          db:
            template: templates/network.yaml
            inputs: {cidr: "${stages.stop.outputs.x}"}
          stop: {action: {stage: db, id: Deployment.PowerOff}}
        """))
    // The only way back from `stop` to `db` is the action's target: without that edge there is no cycle.
    #expect(
      error.diagnostics.contains { $0.code == .dependencyCycle && $0.message.contains("db -> stop -> db") },
      "\(error.diagnostics.map(\.message))")
  }

  /// Every problem `apply` reports for `text` written as a plan file next to the fixtures' templates.
  static func validationError(_ text: String) throws -> PlanError? {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("action-plan-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: directory.appendingPathComponent("templates"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.copyItem(
      at: PlanFixtures.url("templates/network.yaml"), to: directory.appendingPathComponent("templates/network.yaml"))
    let file = directory.appendingPathComponent("plan.yaml")
    try text.write(to: file, atomically: true, encoding: .utf8)
    do {
      _ = try PlanLoader.loadValidated(contentsOf: file, environment: [:])
      return nil
    } catch {
      return error
    }
  }
}
