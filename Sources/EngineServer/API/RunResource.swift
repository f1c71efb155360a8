import Foundation
import VRAModels

/// A run as the API lists it (`POST /api/v1/runs`, `GET /api/v1/runs`, cancel, destroy). The full
/// report of one run (`GET /api/v1/runs/{id}`) is `RunReport`, as `apply --output json` prints it.
public struct RunResource: Sendable, Codable, Equatable {
  public struct Links: Sendable, Codable, Equatable {
    public var `self`: String
    public var events: String
    public var cancel: String
    public var destroy: String

    public init(runId: String) {
      self.`self` = "/api/v1/runs/\(runId)"
      self.events = "/api/v1/runs/\(runId)/events"
      self.cancel = "/api/v1/runs/\(runId)/cancel"
      self.destroy = "/api/v1/runs/\(runId)/destroy"
    }
  }

  public var id: String
  /// pending | running | cancelling | submitted | succeeded | failed | cancelled | destroying | destroyed ...
  public var status: String
  public var plan: String
  public var tenant: String
  public var project: String?
  public var region: String?
  /// 1 for the next run to start while the tenant is at its `maxConcurrentRuns`; nil once started.
  public var queuePosition: Int?
  public var cancelRequested: Bool
  public var startedAt: Date
  public var finishedAt: Date?
  public var links: Links

  public init(
    id: String, status: String, plan: String, tenant: String, project: String?, region: String?,
    queuePosition: Int?, cancelRequested: Bool, startedAt: Date, finishedAt: Date?
  ) {
    self.id = id
    self.status = status
    self.plan = plan
    self.tenant = tenant
    self.project = project
    self.region = region
    self.queuePosition = queuePosition
    self.cancelRequested = cancelRequested
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.links = Links(runId: id)
  }

  /// Absent values are written as `null`, never left out.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(id, forKey: .id)
    try container.encode(status, forKey: .status)
    try container.encode(plan, forKey: .plan)
    try container.encode(tenant, forKey: .tenant)
    try container.encode(project, forKey: .project)
    try container.encode(region, forKey: .region)
    try container.encode(queuePosition, forKey: .queuePosition)
    try container.encode(cancelRequested, forKey: .cancelRequested)
    try container.encode(startedAt, forKey: .startedAt)
    try container.encode(finishedAt, forKey: .finishedAt)
    try container.encode(links, forKey: .links)
  }
}

/// `GET /api/v1/runs`: a page of runs, newest first; `next` is the cursor of the following page.
public struct RunList: Sendable, Codable, Equatable {
  public var runs: [RunResource]
  public var next: String?

  public init(runs: [RunResource], next: String?) {
    self.runs = runs
    self.next = next
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(runs, forKey: .runs)
    try container.encode(next, forKey: .next)
  }
}

/// One server-sent event's `data`: a stored run event. The SSE `id` is `sequence`, the SSE
/// `event` is `kind`; the stream ends with an `end` event once the run is finished.
public struct RunEventMessage: Sendable, Codable, Equatable {
  public var sequence: Int64
  public var at: Date
  public var kind: String
  public var stage: String?
  public var message: String
  public var data: JSONValue?

  public init(sequence: Int64, at: Date, kind: String, stage: String?, message: String, data: JSONValue?) {
    self.sequence = sequence
    self.at = at
    self.kind = kind
    self.stage = stage
    self.message = message
    self.data = data
  }
}
