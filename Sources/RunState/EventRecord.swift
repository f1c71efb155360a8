import Foundation
import VRAModels

/// One entry of a run's append-only event log.
///
/// The store writes `run.created`, `run.status` and `stage.status` events itself, in the same
/// transaction as the change they describe; callers append everything else (progress, retries,
/// token refreshes, ...) with `appendEvent`.
public struct EventRecord: Sendable, Hashable, Codable {
  /// Increasing in the order events were committed (across processes sharing the file).
  public var sequence: Int64
  public var runId: RunID
  public var stage: String?
  public var at: Date
  /// A dotted machine name, e.g. `stage.status`, `stage.progress`, `request.retry`.
  public var kind: String
  public var message: String
  /// Structured details, already redacted.
  public var data: JSONValue?

  public init(
    sequence: Int64, runId: RunID, stage: String?, at: Date, kind: String, message: String, data: JSONValue?
  ) {
    self.sequence = sequence
    self.runId = runId
    self.stage = stage
    self.at = at
    self.kind = kind
    self.message = message
    self.data = data
  }
}

extension EventRecord {
  /// Kinds the store itself writes.
  public enum Kind {
    public static let runCreated = "run.created"
    public static let runStatus = "run.status"
    public static let stageStatus = "stage.status"
    public static let deleteRequest = "stage.delete-request"
    /// A process took the run's lease (`data.owner`, `data.epoch`, `data.previousOwner` on takeover).
    public static let runLease = "run.lease"
    /// `vra-engine cancel` asked the run's owner to cancel it.
    public static let cancelRequested = "run.cancel-requested"
    /// What vRA answered to a stage's cancel (`data.outcome`: cancelled, already-finished, refused, nothing).
    public static let stageCancel = "stage.cancel"
    /// A stage's request awaits an approval in vRA, or got it (`data.state`: `awaiting` | `approved`).
    public static let stageApproval = "stage.approval"
    /// How a check stage's check ended (`data.passed`, `attempts`, `last`, `output`: redacted).
    public static let stageCheck = "stage.check"
    /// What an environment run does to the stage (`StageOperation`), before it does it.
    public static let stageOperation = "stage.operation"
    /// An environment changed: a stage applied, or removed (`apply --prune`).
    public static let environmentStage = "environment.stage"
  }
}
