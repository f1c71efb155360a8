import Engine
import EngineServer
import Foundation
import RunState
import Testing
import VRAModels

/// docs/openapi.json is the API's contract: the server serves `OpenAPIDocument.json`, its byte
/// for byte copy (scripts/sync-openapi.sh writes it), and every shape the API's Swift types encode
/// must be what the document declares, so the two cannot drift apart.
@Suite struct OpenAPIDocumentTests {
  static let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static let document: JSONValue = {
    do {
      return try JSONDecoder().decode(JSONValue.self, from: Data(OpenAPIDocument.json.utf8))
    } catch {
      return .null
    }
  }()

  @Test func theSwiftCopyIsDocsOpenAPIJSONByteForByte() throws {
    let file = try Data(contentsOf: Self.repositoryRoot.appendingPathComponent("docs/openapi.json"))
    #expect(
      file == Data(OpenAPIDocument.json.utf8),
      "Sources/EngineServer/API/OpenAPIDocument.swift is out of date: run scripts/sync-openapi.sh")
  }

  @Test func itIsAnOpenAPI31Document() throws {
    let object = try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any]
    #expect(object?["openapi"] as? String == "3.1.0")
    #expect(Self.document["components"]?["securitySchemes"]?["bearer"]?["scheme"] == "bearer")
    #expect(Self.document["security"] == [["bearer": []]])
  }

  @Test func everyOperationHasAnOperationIdAndOnlyTheOperationalRoutesAreOpen() throws {
    let operations = OpenAPIDocument.operations
    #expect(operations.count == 11, "\(operations)")
    var ids: Set<String> = []
    var open: [String] = []
    for (method, path) in operations {
      let operation = try #require(Self.document["paths"]?[path]?[method.lowercased()])
      let id = try #require(operation["operationId"]?.stringValue, "\(method) \(path) has no operationId")
      #expect(ids.insert(id).inserted, "operationId \(id) is used twice")
      #expect(operation["responses"]?.objectValue?.isEmpty == false)
      if operation["security"] == [] { open.append(path) }
    }
    #expect(open.sorted() == ["/api/v1/openapi.json", "/healthz", "/metrics", "/readyz"])
  }

  @Test func everyProblemTypeAndStatusIsDocumented() throws {
    let schemas = try #require(Self.document["components"]?["schemas"])
    #expect(schemas["Problem"]?["properties"]?["type"]?["enum"] == .array(ProblemType.all.map { .string($0.uri) }))
    #expect(schemas["RunStatus"]?["enum"] == .array(RunStatus.allCases.map { .string($0.rawValue) }))
    #expect(schemas["StageStatus"]?["enum"] == .array(StageStatus.allCases.map { .string($0.rawValue) }))
  }

  // MARK: The Swift types encode what the document declares

  static let started = Date(timeIntervalSince1970: 1_795_000_000.889)

  static let running = RunResource(
    id: "51735244", status: "running", plan: "three-tier", tenant: "acme", project: "Development", region: nil,
    queuePosition: nil, cancelRequested: false, startedAt: started, finishedAt: nil)
  static let queued = RunResource(
    id: "0c1d2e3f", status: "pending", plan: "three-tier", tenant: "acme", project: nil, region: "eu-west",
    queuePosition: 1, cancelRequested: true, startedAt: started, finishedAt: started.addingTimeInterval(2))

  static let item = Problem.Item(
    file: "plan.yaml", line: 14, column: 5, field: "/stages/app/project", code: "unknown-project",
    message: "stage 'app': no project 'Productoin'", hint: "did you mean 'Production'?", stage: "app")

  @Test func runResourceAndRunList() throws {
    try Self.expectConforms(Self.running, to: "RunResource")
    try Self.expectConforms(Self.queued, to: "RunResource")
    try Self.expectConforms(RunList(runs: [Self.running, Self.queued], next: "c2VxPTQy"), to: "RunList")
    try Self.expectConforms(RunList(runs: [], next: nil), to: "RunList")
  }

  @Test func problems() throws {
    for type in ProblemType.all { try Self.expectConforms(Problem(type), to: "Problem") }
    try Self.expectConforms(
      Problem(
        .invalidPlan, detail: "2 problems", instance: "/api/v1/runs", errors: [Self.item, Problem.Item(message: "x")],
        warnings: [Self.item]), to: "Problem")
    try Self.expectConforms(Problem(.quotaExceeded, detail: "5 runs at once", retryAfterSeconds: 30), to: "Problem")
  }

  @Test func validationAndDryRunAnswers() throws {
    try Self.expectConforms(ValidationAnswer(valid: false, errors: [Self.item], warnings: []), to: "ValidationAnswer")
    try Self.expectConforms(ValidationAnswer(valid: true, errors: [], warnings: [Self.item]), to: "ValidationAnswer")
    try Self.expectConforms(DryRunAnswer(requests: "layer 1: network\n  POST ..."), to: "DryRunAnswer")
  }

  @Test func runEventMessages() throws {
    try Self.expectConforms(
      RunEventMessage(
        sequence: 3, at: Self.started, kind: "stage.status", stage: "db", message: "stage db: pending → submitting",
        data: ["from": "pending", "to": "submitting", "attempt": 1]), to: "RunEventMessage")
    try Self.expectConforms(
      RunEventMessage(sequence: 1, at: Self.started, kind: "run.created", stage: nil, message: "created", data: nil),
      to: "RunEventMessage")
  }

  @Test func submissions() throws {
    try Self.expectConforms(
      RunSubmission(plan: "stages: {}", planPath: "plan.yaml", files: ["t/a.yaml": "x"], dryRun: true),
      to: "RunSubmission")
    try Self.expectConforms(
      ValidationSubmission(template: "formatVersion: 1", inputs: ["size": "large"]), to: "ValidationSubmission")
  }

  @Test func theRunReportAsApplyPrintsIt() throws {
    let text = """
      {"run": {"id": "51735244", "status": "failed", "startedAt": "2026-11-27T04:09:03.889Z", "finishedAt": null},
       "stages": [
        {"name": "network", "status": "succeeded", "deploymentName": "net-51735244", "deploymentId": "2110ae45",
         "requestId": "8f0c", "outputs": {"networkId": "4124"}, "resources": {"net": {"id": "4124"}}, "error": null},
        {"name": "db", "status": "failed", "error": {"class": "deployment", "message": "no placement", "hint": "h"}}
       ]}
      """
    let report = try VRAJSON.makeDecoder().decode(RunReport.self, from: Data(text.utf8))
    try Self.expectConforms(report, to: "RunReport")
  }

  /// The checker itself: a key the schema does not declare, a required key left out, a wrong type.
  @Test func theCheckerFindsDrift() throws {
    let schema = try #require(Self.document["components"]?["schemas"]?["RunList"])
    #expect(Self.problems(["runs": [], "next": nil, "total": 3], schema, at: "$").count == 1)
    #expect(Self.problems(["runs": []], schema, at: "$").count == 1)
    #expect(Self.problems(["runs": [["id": 1]], "next": nil], schema, at: "$").count > 1)
    #expect(Self.problems(["runs": [], "next": nil], schema, at: "$").isEmpty)
  }

  // MARK: A checker for the subset of JSON Schema 2020-12 the document uses

  static func expectConforms(
    _ value: some Encodable, to schemaName: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) throws {
    let encoded = try JSONDecoder().decode(JSONValue.self, from: try VRAJSON.makeEncoder().encode(value))
    let schema = try #require(Self.document["components"]?["schemas"]?[schemaName], sourceLocation: sourceLocation)
    let problems = Self.problems(encoded, schema, at: "$")
    #expect(problems.isEmpty, "\(schemaName): \(problems)", sourceLocation: sourceLocation)
  }

  /// Problems of `value` against `schema`, each with its JSON path. An object's keys must all be
  /// declared (`properties`, or an `additionalProperties` schema); `required` keys must be present.
  static func problems(_ value: JSONValue, _ schema: JSONValue, at path: String) -> [String] {
    if let reference = schema["$ref"]?.stringValue {
      let name = reference.replacingOccurrences(of: "#/components/schemas/", with: "")
      guard let target = document["components"]?["schemas"]?[name] else { return ["\(path): unresolved \(reference)"] }
      return problems(value, target, at: path)
    }
    if let branches = schema["oneOf"]?.arrayValue {
      let matching = branches.filter { problems(value, $0, at: path).isEmpty }.count
      return matching == 1 ? [] : ["\(path): matches \(matching) of the oneOf branches"]
    }
    let types = schema["type"].map { $0.arrayValue?.compactMap(\.stringValue) ?? [$0.stringValue ?? ""] }
    if let types, !types.contains(where: { matches(value, type: $0) }) {
      return ["\(path): \(value.typeName) is not \(types.joined(separator: " or "))"]
    }
    if let allowed = schema["enum"]?.arrayValue, !allowed.contains(value) {
      return ["\(path): \(value) is not one of \(allowed)"]
    }
    if let constant = schema["const"], constant != value { return ["\(path): \(value) is not \(constant)"] }
    var found: [String] = []
    switch value {
    case .string(let text) where schema["format"] == "date-time":
      if VRAJSON.parseTimestamp(text) == nil { found.append("\(path): '\(text)' is not a date-time") }
    case .object(let object):
      for key in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where object[key] == nil {
        found.append("\(path): required key '\(key)' is missing")
      }
      let properties = schema["properties"]?.objectValue
      let additional = schema["additionalProperties"]
      for (key, item) in object.sorted(by: { $0.key < $1.key }) {
        if let property = properties?[key] {
          found += problems(item, property, at: "\(path).\(key)")
        } else if let additional, additional.objectValue != nil {
          found += problems(item, additional, at: "\(path).\(key)")
        } else if properties != nil || additional == .bool(false) {
          found.append("\(path): key '\(key)' is not declared")
        }
      }
    case .array(let items):
      if let itemSchema = schema["items"] {
        for (index, item) in items.enumerated() { found += problems(item, itemSchema, at: "\(path)[\(index)]") }
      }
    default:
      break
    }
    return found
  }

  static func matches(_ value: JSONValue, type: String) -> Bool {
    switch (type, value) {
    case ("null", .null), ("boolean", .bool), ("string", .string), ("integer", .int), ("number", .int),
      ("number", .double), ("array", .array), ("object", .object):
      true
    default: false
    }
  }
}
