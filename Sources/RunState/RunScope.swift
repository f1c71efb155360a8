import Foundation

/// Whom a run belongs to when a service (`vra-engine serve`) runs it: the tenant that submitted it,
/// and the project and region it was allowed to deploy into. Stored with the run, so every read,
/// cancel and destroy is checked against the tenant asking; nil for runs the CLI started.
public struct RunScope: Sendable, Hashable, Codable {
  public var tenant: String
  public var project: String?
  public var region: String?
  /// Who within the tenant submitted it (an API token's hash prefix, a JWT subject): never a secret.
  public var principal: String?

  public init(tenant: String, project: String? = nil, region: String? = nil, principal: String? = nil) {
    self.tenant = tenant
    self.project = project
    self.region = region
    self.principal = principal
  }
}

/// What a service stores beside a submitted run: its scope, the idempotency key it came with and a
/// digest of the request (a replay with the same key and another body is refused), and the bundle
/// (plan and files) it runs from, kept so a restarted service, or another replica, can resume it.
public struct RunSubmissionRecord: Sendable, Hashable {
  public var scope: RunScope
  public var idempotencyKey: String?
  public var requestDigest: String
  /// The submitted bundle as JSON text. It holds secret references (`vault:…`), never secret values:
  /// the plan's `secrets:` are resolved when the run starts and again when it resumes.
  public var bundle: String

  public init(scope: RunScope, idempotencyKey: String?, requestDigest: String, bundle: String) {
    self.scope = scope
    self.idempotencyKey = idempotencyKey
    self.requestDigest = requestDigest
    self.bundle = bundle
  }
}

/// How `SQLStateStore.submitRun` ended.
public enum SubmissionOutcome: Sendable, Hashable {
  /// A new run was recorded.
  case created(RunRecord)
  /// The tenant already submitted this idempotency key: its run, and the digest it was sent with.
  case replayed(RunRecord, requestDigest: String)
}

/// Which runs `SQLStateStore.runs(matching:)` lists: newest first, one page at a time.
public struct RunQuery: Sendable, Hashable {
  public var tenant: String?
  public var statuses: Set<RunStatus>?
  public var since: Date?
  /// Only runs older than this one in the listing order (the last one of the previous page).
  public var after: RunCursor?
  public var limit: Int

  public init(
    tenant: String? = nil, statuses: Set<RunStatus>? = nil, since: Date? = nil, after: RunCursor? = nil,
    limit: Int = 50
  ) {
    self.tenant = tenant
    self.statuses = statuses
    self.since = since
    self.after = after
    self.limit = limit
  }
}

/// A position in the runs listing: the start time and id of the last run seen.
public struct RunCursor: Sendable, Hashable {
  public var startedAt: Date
  public var id: RunID

  public init(startedAt: Date, id: RunID) {
    self.startedAt = startedAt
    self.id = id
  }

  /// Opaque text for an API (`<milliseconds>.<id>`).
  public var token: String { "\(StoredValues.milliseconds(startedAt)).\(id.rawValue)" }

  public init?(token: String) {
    guard let dot = token.firstIndex(of: "."), let milliseconds = Int64(token[..<dot]) else { return nil }
    let id = String(token[token.index(after: dot)...])
    guard !id.isEmpty else { return nil }
    self.init(startedAt: StoredValues.date(milliseconds: milliseconds), id: RunID(rawValue: id))
  }
}
