import CloudTemplate
import Engine
import RunState
import Testing

@Suite("Plan references")
struct PlanResolverTests {
  let context = ResolutionContext(
    runId: RunID(rawValue: "1a2b3c4d"), environment: ["OWNER": "ops", "PORT": "8080"],
    stageResults: [
      "db": StageOutputs(
        deploymentId: "dep-1", deploymentName: "three-tier-db-1a2b3c4d",
        outputs: ["address": "10.0.0.5", "port": 5432, "tags": ["a", "b"], "info": ["zone": "z1"]],
        resources: ["db": ["address": "10.0.0.5", "cpu": 2]]),
      "web": StageOutputs(
        deploymentId: "dep-2", deploymentName: "web",
        resources: ["vm[0]": ["address": "10.0.1.1"], "vm[1]": ["address": "10.0.1.2"], "vm[10]": ["address": "x"]]),
    ])

  func resolve(_ value: JSONValue) throws(PlanResolutionError) -> JSONValue {
    try PlanResolver.resolve(value, in: context, stage: "app", field: "inputs.x")
  }

  @Test("a string that is exactly one reference takes the referenced value's type")
  func typing() throws {
    #expect(try resolve("${stages.db.outputs.port}") == .int(5432))
    #expect(try resolve("${stages.db.outputs.tags}") == ["a", "b"])
    #expect(try resolve("${stages.db.outputs.tags[1]}") == "b")
    #expect(try resolve("${stages.db.outputs.info.zone}") == "z1")
    #expect(try resolve("${stages.db.resources.db.cpu}") == .int(2))
    #expect(try resolve("${ stages.db.deployment.id }") == "dep-1")
    #expect(try resolve("${stages.db.deployment.name}") == "three-tier-db-1a2b3c4d")
    #expect(try resolve("${run.id}") == "1a2b3c4d")
    #expect(try resolve("${env.PORT}") == "8080")
  }

  @Test("references inside text are interpolated; non-strings as compact JSON")
  func interpolation() throws {
    #expect(try resolve("db-${run.id}") == "db-1a2b3c4d")
    #expect(try resolve("${stages.db.outputs.address}:${stages.db.outputs.port}") == "10.0.0.5:5432")
    #expect(try resolve("tags=${stages.db.outputs.tags}") == "tags=[\"a\",\"b\"]")
    #expect(try resolve("no references") == "no references")
  }

  @Test("arrays and objects are resolved element by element; other values pass through")
  func nested() throws {
    let value: JSONValue = ["hosts": ["${stages.db.outputs.address}", "fixed"], "n": 3, "on": true]
    #expect(try resolve(value) == ["hosts": ["10.0.0.5", "fixed"], "n": 3, "on": true])
  }

  @Test("count instances: R[i] reads one, R reads all in index order")
  func countInstances() throws {
    #expect(try resolve("${stages.web.resources.vm[1].address}") == "10.0.1.2")
    #expect(try resolve("${stages.web.resources.vm.address}") == ["10.0.1.1", "10.0.1.2", "x"])
  }

  @Test("a missing environment variable names stage, field, reference and variable")
  func missingEnvironment() throws {
    let error = try #require(throws: PlanResolutionError.self) { try resolve("${env.OWNR}") }
    #expect(error.code == .missingEnvironmentVariable)
    #expect(error.message == "stage 'app', inputs.x: ${env.OWNR}: environment variable 'OWNR' is not set")
    #expect(error.hint == "did you mean 'OWNER'?")
  }

  @Test("missing outputs, resources, properties and unfinished stages are distinct errors")
  func missingValues() throws {
    let output = try #require(throws: PlanResolutionError.self) { try resolve("${stages.db.outputs.adress}") }
    #expect(output.code == .missingOutput)
    #expect(output.reason == "stage 'db' has no output 'adress'")
    #expect(output.hint == "did you mean 'address'?")
    let resource = try #require(throws: PlanResolutionError.self) { try resolve("${stages.web.resources.vm[5].a}") }
    #expect(resource.code == .missingResource)
    let property = try #require(throws: PlanResolutionError.self) {
      try resolve("${stages.db.outputs.info.region}")
    }
    #expect(property.code == .missingProperty)
    let pending = try #require(throws: PlanResolutionError.self) { try resolve("${stages.app2.outputs.x}") }
    #expect(pending.code == .stageNotFinished)
    #expect(pending.reference == "${stages.app2.outputs.x}")
  }

  @Test("expressions that are not plain references are rejected")
  func invalidReferences() throws {
    for text in ["${stages.db.outputs.port + 1}", "${input.size}", "${stages.db.output.x}", "${run.name}"] {
      let error = try #require(throws: PlanResolutionError.self) { try resolve(.string(text)) }
      #expect(error.code == .invalidReference, "\(text)")
    }
  }

  @Test("the deployment name and all inputs of a stage resolve together")
  func stageValues() throws {
    let stage = PlanStage(
      name: "app", source: .blueprint(name: "bp", version: nil), deploymentName: "app-${run.id}",
      inputs: ["dbHost": "${stages.db.outputs.address}", "count": 2])
    #expect(try PlanResolver.resolveDeploymentName(of: stage, in: context) == "app-1a2b3c4d")
    #expect(try PlanResolver.resolveInputs(of: stage, in: context) == ["dbHost": "10.0.0.5", "count": 2])
  }

  @Test("the scanner finds references with their positions")
  func scanner() {
    let found = PlanReferenceScanner.scan(
      "a ${stages.db.outputs.x} b ${env.Y}", location: CloudTemplate.SourceLocation(line: 3, column: 10))
    #expect(found.map(\.reference) == [.output(stage: "db", name: "x", path: []), .environment("Y")])
    #expect(found.map(\.location.column) == [12, 37])
    #expect(found.map(\.scalarRange) == [2..<24, 27..<35])
  }
}
