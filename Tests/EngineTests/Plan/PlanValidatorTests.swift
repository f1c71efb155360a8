import CloudTemplate
import Engine
import Foundation
import Testing

@Suite("Plan validation")
struct PlanValidatorTests {
  @Test("the three-tier example is valid")
  func threeTierIsValid() throws {
    let plan = try PlanLoader.load(contentsOf: PlanFixtures.url("three-tier.yaml"))
    #expect(PlanValidator.validate(plan, environment: [:]).errors.isEmpty)
    let loaded = try PlanLoader.loadValidated(contentsOf: PlanFixtures.url("three-tier.toml"), environment: [:])
    #expect(loaded.plan.stageNames == ["network", "db", "app"])
  }

  @Test("five different mistakes are reported at once, each with its position")
  func allAtOnce() throws {
    let error = try #require(throws: PlanError.self) {
      try PlanLoader.loadValidated(contentsOf: PlanFixtures.url("five-mistakes.yaml"), environment: ["HOME": "/"])
    }
    let found = error.diagnostics.map { "\($0.code.rawValue)@\($0.line):\($0.column)" }
    #expect(
      found == [
        "dependencyCycle@7:17", "inputViolation@9:13", "unknownStage@12:17", "unknownOutput@14:17",
        "unknownEnvironmentVariable@19:15",
      ])
    let byCode = Dictionary(error.diagnostics.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
    #expect(byCode[.dependencyCycle]?.message.contains("network -> app -> db -> network") == true)
    #expect(byCode[.inputViolation]?.path == "/stages/network/inputs/cidr")
    #expect(byCode[.inputViolation]?.hint?.contains("templates/network.yaml:6:") == true)
    #expect(byCode[.unknownStage]?.hint == "did you mean 'network'?")
    #expect(byCode[.unknownOutput]?.hint == "did you mean 'networkId'?")
    #expect(byCode[.unknownEnvironmentVariable]?.path == "/stages/app/inputs/owner")
    #expect(error.diagnostics.allSatisfy { $0.file.hasSuffix("five-mistakes.yaml") })
  }

  @Test("template errors are reported with the template's file and line, next to the plan's own")
  func templateErrors() throws {
    let plan = try PlanFixtures.load(
      """
      stages:
        a:
          template: templates/broken.yaml
          inputs: {size: small}
        b:
          blueprint: bp
          inputs: {x: "${stages.a.resources.vmm.address}"}
      """)
    let diagnostics = PlanValidator.validate(plan, environment: [:])
    #expect(diagnostics.map(\.code) == [.unknownResource, .template])
    let template = diagnostics[1]
    #expect(template.templateCode == .unknownInput)
    #expect(template.file.hasSuffix("templates/broken.yaml"))
    #expect(template.line == 9)
    #expect(template.hint == "did you mean 'size'?")
    #expect(diagnostics[0].hint == "did you mean 'vm'?")
  }

  @Test("inputs that wait on another stage are not checked, but unknown input names are")
  func waitingInputs() throws {
    let plan = try PlanFixtures.load(
      """
      stages:
        net:
          template: templates/network.yaml
          inputs: {cidr: 10.0.0.0/24}
        db:
          template: templates/db.yaml
          inputs:
            network: "${stages.net.outputs.networkId}"
            netwrk: "${stages.net.outputs.networkId}"
            size: "${env.DB_SIZE}"
      """)
    let valid = PlanValidator.validate(plan, environment: ["DB_SIZE": "medium"])
    #expect(valid.map(\.code) == [.inputViolation])
    #expect(valid.first?.message.contains("no input 'netwrk'") == true)
    #expect(valid.first?.line == 9)
    // With an environment value the enum rejects, the resolved value is checked.
    let invalid = PlanValidator.validate(plan, environment: ["DB_SIZE": "huge"])
    #expect(invalid.map(\.path) == ["/stages/db/inputs/netwrk", "/stages/db/inputs/size"])
  }

  @Test("required inputs without a value are reported at the stage's inputs")
  func requiredInputs() throws {
    let plan = try PlanFixtures.load(
      """
      stages:
        net:
          template: templates/network.yaml
          inputs: {}
      """)
    let diagnostics = PlanValidator.validate(plan, environment: [:])
    #expect(diagnostics.map(\.code) == [.inputViolation])
    #expect(diagnostics.first?.line == 4)
    #expect(diagnostics.first?.message.contains("'cidr' has no default") == true)
  }

  @Test("encrypted input values never appear in diagnostics")
  func redaction() throws {
    let plan = try PlanFixtures.load(
      """
      stages:
        db:
          template: templates/db.yaml
          inputs: {network: n1, adminPassword: hunter2}
      """)
    let diagnostics = PlanValidator.validate(plan, environment: [:])
    #expect(diagnostics.count == 1)
    #expect(!diagnostics.description.contains("hunter2"))
  }

  @Test("invalid plan expressions are reported at their column")
  func invalidExpressions() throws {
    let plan = try PlanFixtures.load(
      """
      stages:
        a:
          blueprint: bp
          deploymentName: "a-${stage.b.outputs.x}"
          inputs: {x: "${stages.a.outputs.y + 1}"}
      """)
    let diagnostics = PlanValidator.validate(plan, environment: [:])
    #expect(diagnostics.map(\.code) == [.invalidReference, .invalidReference])
    #expect(diagnostics[0].line == 4)
    #expect(diagnostics[0].column == 24)
    #expect(diagnostics[0].hint == "did you mean 'stages'?")
    #expect(diagnostics[1].column == 18)
  }
}
