import Foundation
import Testing
import VRAModels

/// Every status enum must list exactly the values the real specs list, and must still decode a value
/// a newer vRA adds (a strict Swift enum would fail the whole response).
@Suite struct OpenEnumTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var file: String
    var definition: String
    var property: String
    var documented: [String]
    var testDescription: String { "\(definition).\(property)" }
  }

  static let cases: [Case] = [
    Case(
      file: "vra-catalog-deployment.json", definition: "Deployment", property: "status",
      documented: DeploymentStatus.documented.map(\.rawValue)),
    Case(
      file: "vra-catalog-deployment.json", definition: "Request", property: "status",
      documented: RequestStatus.documented.map(\.rawValue)),
    Case(
      file: "vra-catalog-deployment.json", definition: "DeploymentResource", property: "state",
      documented: ResourceState.documented.map(\.rawValue)),
    Case(
      file: "vra-catalog-deployment.json", definition: "DeploymentResource", property: "syncStatus",
      documented: ResourceSyncStatus.documented.map(\.rawValue)),
    Case(
      file: "vra-catalog-deployment.json", definition: "DeploymentResource", property: "origin",
      documented: ResourceOrigin.documented.map(\.rawValue)),
    Case(
      file: "vra-blueprint.json", definition: "BlueprintRequest", property: "status",
      documented: BlueprintRequestStatus.documented.map(\.rawValue)),
    Case(
      file: "vra-blueprint.json", definition: "Blueprint", property: "status",
      documented: BlueprintStatus.documented.map(\.rawValue)),
    Case(
      file: "vra-blueprint.json", definition: "Blueprint", property: "contentSourceSyncStatus",
      documented: ContentSourceSyncStatus.documented.map(\.rawValue)),
    Case(
      file: "vra-blueprint.json", definition: "BlueprintVersion", property: "status",
      documented: BlueprintStatus.documented.map(\.rawValue)),
    Case(
      file: "vra-blueprint.json", definition: "BlueprintValidationMessage", property: "type",
      documented: ValidationMessageType.documented.map(\.rawValue)),
    Case(
      file: "vra-blueprint.json", definition: "BlueprintPlanResource", property: "resourceReason",
      documented: BlueprintPlanResourceReason.documented.map(\.rawValue)),
    Case(
      file: "vra-blueprint.json", definition: "BlueprintPlanTask", property: "resourceReason",
      documented: BlueprintPlanResourceReason.documented.map(\.rawValue)),
    Case(
      file: "vra-catalog-deployment.json", definition: "ResourceAction", property: "actionType",
      documented: DeploymentAction.documentedActionTypes),
  ]

  @Test(arguments: cases)
  func documentedValuesMatchTheSpec(_ enumCase: Case) throws {
    let spec = try SpecFile.load(enumCase.file)
    let values = spec["definitions"]?[enumCase.definition]?["properties"]?[enumCase.property]?["enum"]?.arrayValue
    let listed = try #require(values, "the spec has no enum for \(enumCase.testDescription)")
    #expect(Set(listed.compactMap(\.stringValue)) == Set(enumCase.documented))
  }

  @Test func unknownDeploymentStatusDecodesAndIsMarkedUndocumented() throws {
    let json = #"{"id":"d1","name":"x","status":"HIBERNATE_IN_PROGRESS"}"#
    let deployment = try VRAJSON.makeDecoder().decode(Deployment.self, from: Data(json.utf8))
    #expect(deployment.status?.rawValue == "HIBERNATE_IN_PROGRESS")
    #expect(deployment.status?.isDocumented == false)
    #expect(DeploymentStatus.createSuccessful.isDocumented)
  }

  @Test func unknownRequestStatusIsNeitherTerminalNorFailure() throws {
    let status = try JSONDecoder().decode(RequestStatus.self, from: Data(#""QUEUED_FOR_LUNCH""#.utf8))
    #expect(!status.isTerminal)
    #expect(!status.isFailure)
    #expect(RequestStatus.successful.isTerminal)
    #expect(RequestStatus.failed.isFailure)
  }

  @Test func blueprintContentSourceSyncStatusDecodesKnownAndUnknownValues() throws {
    let failed = #"{"id":"b1","name":"x","contentSourceSyncStatus":"FAILED"}"#
    let blueprint = try VRAJSON.makeDecoder().decode(Blueprint.self, from: Data(failed.utf8))
    #expect(blueprint.contentSourceSyncStatus == .failed)
    let newer = #"{"id":"b1","name":"x","contentSourceSyncStatus":"PARTIAL"}"#
    let status = try VRAJSON.makeDecoder().decode(Blueprint.self, from: Data(newer.utf8)).contentSourceSyncStatus
    #expect(status?.rawValue == "PARTIAL" && status?.isDocumented == false)
    let absent = try VRAJSON.makeDecoder().decode(Blueprint.self, from: Data(#"{"id":"b1"}"#.utf8))
    #expect(absent.contentSourceSyncStatus == nil)
    let encoded = String(decoding: try VRAJSON.makeEncoder().encode(absent), as: UTF8.self)
    #expect(!encoded.contains("contentSourceSyncStatus"), "nil is left out, as vRA leaves it out")
  }

  @Test func statusRoundTripsAsItsRawString() throws {
    let encoded = try JSONEncoder().encode(BlueprintRequestStatus.cancelled)
    #expect(String(decoding: encoded, as: UTF8.self) == #""CANCELLED""#)
  }
}

/// Reads a spec from `../shared/vra-api/` beside the clone, or from the copy in `Tests/Resources/`.
enum SpecFile {
  static func load(_ name: String) throws -> JSONValue {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let shared = repository.deletingLastPathComponent().appendingPathComponent("shared/vra-api/\(name)")
    let copy = repository.appendingPathComponent("Tests/Resources/vra-api/\(name)")
    let url = FileManager.default.fileExists(atPath: shared.path) ? shared : copy
    return try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: url))
  }
}
