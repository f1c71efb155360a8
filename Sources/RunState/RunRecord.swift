import Foundation
import VRAModels

/// One `apply` run as stored.
///
/// Timestamps are stored with millisecond precision; records read back compare equal to
/// the records the write calls return.
public struct RunRecord: Sendable, Hashable, Codable {
  public var id: RunID
  public var planName: String
  /// The plan file as the user named it (for `runs show` and `--resume`).
  public var planPath: String
  /// A digest of the plan file's bytes; `--resume` refuses a plan that changed.
  public var planDigest: String
  public var status: RunStatus
  public var startedAt: Date
  /// Set on entering a terminal status, cleared when a resume sets the run running again.
  public var finishedAt: Date?
  /// The effective run options (parallelism, onFailure, rollback, ...), already redacted.
  public var options: JSONValue
  /// The vRA the run was created against; nil for runs recorded before vra-engine kept it.
  public var target: RunTarget?
  /// Who works on the run now; nil when nobody holds its lease (released, or never taken).
  public var lease: RunLease?
  /// When somebody asked the lease owner to cancel the run (`vra-engine cancel`); nil when nobody did.
  public var cancelRequestedAt: Date?
  /// The lease epoch, kept after a release so the next acquisition goes on counting.
  public var epoch: Int64
  /// The tenant, project and region of a run a service runs; nil for the CLI's runs.
  public var scope: RunScope?

  public init(
    id: RunID, planName: String, planPath: String, planDigest: String, status: RunStatus, startedAt: Date,
    finishedAt: Date?, options: JSONValue, target: RunTarget? = nil, lease: RunLease? = nil,
    cancelRequestedAt: Date? = nil, epoch: Int64 = 0, scope: RunScope? = nil
  ) {
    self.id = id
    self.planName = planName
    self.planPath = planPath
    self.planDigest = planDigest
    self.status = status
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.options = options
    self.target = target
    self.lease = lease
    self.cancelRequestedAt = cancelRequestedAt
    self.epoch = epoch
    self.scope = scope
  }
}
