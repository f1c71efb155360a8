import CloudTemplate
import Credentials
import Engine
import Foundation
import RunState
import Secrets
import Testing
import VRAClient

@Suite("Plan secrets")
struct PlanSecretsTests {
  @Test("a stage's secrets are references, apart from its inputs")
  func decoded() throws {
    let plan = try PlanFixtures.load(
      """
      stages:
        db:
          template: templates/db.yaml
          inputs: {network: "env:not-a-reference"}
          secrets: {adminPassword: "vault:secret/app#db"}
      """)
    let db = try #require(plan.stage(named: "db"))
    #expect(db.secrets["adminPassword"]?.description == "vault:secret/app#db")
    #expect(db.inputs["network"] == .string("env:not-a-reference"), "a literal that looks like a reference stays one")
    #expect(PlanValidator.validate(plan, environment: [:]).isEmpty, "the secret counts as the input")
  }

  @Test("a bad reference, a literal and a key in both inputs and secrets are reported at their line")
  func rejected() throws {
    let error = try #require(
      PlanFixtures.loadError(
        """
        stages:
          db:
            template: templates/db.yaml
            inputs: {network: n1, size: small}
            secrets:
              adminPassword: "vault:secret/app"
              other: "hunter2-literal"
              size: "env:SIZE"
        """))
    let byPath = Dictionary(grouping: error.diagnostics, by: \.path)
    let missingKey = try #require(byPath["/stages/db/secrets/adminPassword"]?.first)
    #expect(missingKey.code == .invalidSecretReference)
    #expect(missingKey.line == 6 && missingKey.column == 23, "after the quote: \(missingKey)")
    #expect(missingKey.message.contains("secret_reference.vault_key_missing"))
    let literal = try #require(byPath["/stages/db/secrets/other"]?.first)
    #expect(literal.code == .invalidSecretReference && literal.line == 7)
    #expect(!error.description.contains("hunter2-literal"), "a literal passed as a reference is never repeated")
    let both = try #require(byPath["/stages/db/secrets/size"]?.first)
    #expect(both.code == .conflictingFields && both.line == 8)
  }

  @Test("a secret the template does not declare is an unknown input, at the secret")
  func unknownInput() throws {
    let plan = try PlanFixtures.load(
      """
      stages:
        db:
          template: templates/db.yaml
          inputs: {network: n1}
          secrets: {adminPasword: "env:DB_PASSWORD"}
      """)
    let diagnostics = PlanValidator.validate(plan, environment: [:])
    #expect(diagnostics.count == 1)
    #expect(diagnostics.first?.path == "/stages/db/secrets/adminPasword", "\(diagnostics)")
    #expect(diagnostics.first?.line == 5)
  }

  @Test("TOML plans take secrets too")
  func toml() throws {
    let plan = try PlanFixtures.load(
      """
      [stages.db]
      template = "templates/db.yaml"
      inputs = {network = "n1"}
      secrets = {adminPassword = "file:/run/secrets/db"}
      """, format: .toml)
    #expect(plan.stage(named: "db")?.secrets["adminPassword"]?.description == "file:/run/secrets/db")
  }

  @Test("resolving registers every value and every secret or encrypted input name with the redactor")
  func resolution() async throws {
    let plan = try PlanFixtures.load(
      """
      stages:
        db:
          template: templates/db.yaml
          inputs: {network: n1}
          secrets: {adminPassword: "env:DB_PASSWORD"}
        app:
          blueprint: legacy
          secrets: {licence: "env:LICENCE"}
      """)
    let redactor = Redactor()
    let resolver = SecretResolver(environment: ["DB_PASSWORD": "canary-Plan-77", "LICENCE": "canary-Lic-78"])
    _ = try await PlanSecrets.resolve(plan, with: resolver, registeringIn: redactor)
    #expect(redactor.redact("a canary-Plan-77 b canary-Lic-78") == "a <redacted> b <redacted>")
    #expect(redactor.isSensitive(name: "licence") && redactor.isSensitive(name: "adminPassword"))

    let missing = SecretResolver(environment: ["DB_PASSWORD": "canary-Plan-77"])
    await #expect {
      try await PlanSecrets.resolve(plan, with: missing, registeringIn: Redactor())
    } throws: { error in
      let failure = error as? PlanSecretError
      return failure?.stage == "app" && failure?.input == "licence" && failure?.isConnectivityOrAuth == false
        && failure?.description.contains("plan.yaml:8:") == true
        && failure?.description.contains("secret.env_missing") == true
    }
  }

  @Test("a secret going into an input the template does not encrypt is a warning")
  func notEncrypted() throws {
    let plan = try PlanFixtures.load(
      """
      stages:
        db:
          template: templates/db.yaml
          secrets: {network: "env:NETWORK"}
      """)
    let diagnostics = PlanValidator.validate(plan, environment: [:])
    #expect(diagnostics.map(\.code) == [.secretInputNotEncrypted], "\(diagnostics)")
    #expect(diagnostics.first?.isError == false && diagnostics.first?.line == 4)
  }

  @Test("a secret a resumed run finds only redacted in the store is not passed on as the mask")
  func redactedOnResume() {
    let context = ResolutionContext(
      runId: RunID(rawValue: "1a2b3c4d"),
      stageResults: ["db": StageOutputs(deploymentId: "d", deploymentName: "db", outputs: ["password": "<redacted>"])])
    #expect {
      try PlanResolver.resolve("${stages.db.outputs.password}", in: context, stage: "app", field: "inputs.pw")
    } throws: { error in
      (error as? PlanResolutionError)?.code == .redactedValue
    }
  }
}
