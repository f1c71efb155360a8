import Foundation
import RunState
import VRAModels

/// The JSON report of a run (`apply --output json`, `runs show`). Its shape is documented in
/// docs/apply.md and kept stable: add fields, never rename or remove them.
public struct RunReport: Codable, Sendable {
  public struct Run: Codable, Sendable {
    public var id: String
    /// succeeded | failed | cancelled (or running / cancelling for a run still in progress).
    public var status: String
    public var startedAt: Date
    public var finishedAt: Date?

    /// Absent values are written as `null`, never left out: the documented shape has every key.
    public func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(id, forKey: .id)
      try container.encode(status, forKey: .status)
      try container.encode(startedAt, forKey: .startedAt)
      try container.encode(finishedAt, forKey: .finishedAt)
    }
  }

  public struct Stage: Codable, Sendable {
    public var name: String
    /// succeeded | failed | cancelled | skipped | rolled-back (or an in-progress status).
    public var status: String
    public var deploymentName: String?
    public var deploymentId: String?
    public var requestId: String?
    public var outputs: JSONValue?
    public var resources: JSONValue?
    public var error: RecordedError?
    /// The last approval news of the stage's request: `{"state": "awaiting" | "approved", "status",
    /// "requestId", "at"}`; null when it never awaited one.
    public var approval: JSONValue?
    /// How a check stage's check ended: `{"kind", "target", "passed", "attempts", "passesInRow",
    /// "times", "seconds", "last", "status" | "exitStatus", "output", "at"}`; null for other stages.
    public var check: JSONValue?

    /// Absent values are written as `null`, never left out: the documented shape has every key.
    public func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(name, forKey: .name)
      try container.encode(status, forKey: .status)
      try container.encode(deploymentName, forKey: .deploymentName)
      try container.encode(deploymentId, forKey: .deploymentId)
      try container.encode(requestId, forKey: .requestId)
      try container.encode(outputs, forKey: .outputs)
      try container.encode(resources, forKey: .resources)
      try container.encode(error, forKey: .error)
      try container.encode(approval, forKey: .approval)
      try container.encode(check, forKey: .check)
    }
  }

  public var run: Run
  public var stages: [Stage]

  /// Reads the report of `runId` from the store, stages in `order` (the plan's) when given.
  public static func load(_ runId: RunID, from store: any StateStore, order: [String] = []) async throws -> RunReport? {
    guard let record = try await store.run(runId) else { return nil }
    var stages = try await store.stages(of: runId)
    if !order.isEmpty {
      let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
      stages.sort { (position[$0.name] ?? .max) < (position[$1.name] ?? .max) }
    }
    var approvals: [String: JSONValue] = [:]
    var checks: [String: JSONValue] = [:]
    for event in try await store.events(of: runId)
    where event.kind == EventRecord.Kind.stageApproval || event.kind == EventRecord.Kind.stageCheck {
      guard let stage = event.stage, case .object(var data)? = event.data else { continue }
      data["at"] = .string(VRAJSON.formatTimestamp(event.at))
      if event.kind == EventRecord.Kind.stageCheck {
        checks[stage] = .object(data)
      } else {
        approvals[stage] = .object(data)
      }
    }
    return RunReport(
      run: Run(
        id: record.id.rawValue, status: record.status.rawValue, startedAt: record.startedAt,
        finishedAt: record.finishedAt),
      stages: stages.map {
        Stage(
          name: $0.name, status: $0.status.rawValue, deploymentName: $0.deploymentName, deploymentId: $0.deploymentId,
          requestId: $0.requestId, outputs: $0.outputs, resources: $0.resources, error: $0.error,
          approval: approvals[$0.name], check: checks[$0.name])
      })
  }

  /// Pretty JSON with sorted keys and vRA's timestamp format.
  public func json() throws -> String {
    String(decoding: try VRAJSON.makeEncoder(pretty: true).encode(self), as: UTF8.self)
  }
}
