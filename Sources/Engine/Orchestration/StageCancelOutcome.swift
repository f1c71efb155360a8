import RunState
import VRAModels

/// What vRA answered when a stage's request was cancelled: what `vra-engine cancel` reports per
/// stage, and what the `stage.cancel` event records.
public enum StageCancelOutcome: Sendable, Hashable, CustomStringConvertible {
  /// vRA accepted the cancel; the request ends ABORTED.
  case cancelled
  /// The request had already ended; `status` is what it ended as (vRA's answer, or what we found).
  case alreadyFinished(status: String)
  /// vRA refused the cancel for another reason (or could not be reached); the request may go on.
  case refused(String)
  /// The stage had no request in vRA (it was never submitted, or nothing was found by its name).
  case nothingToCancel

  public var description: String {
    switch self {
    case .cancelled: "cancelled in vRA"
    case .alreadyFinished(let status): "already finished in vRA (\(status)); nothing to cancel"
    case .refused(let message): "vRA refused the cancel: \(message)"
    case .nothingToCancel: "nothing in vRA to cancel"
    }
  }

  /// The machine name stored in the event's `data.outcome`.
  public var code: String {
    switch self {
    case .cancelled: "cancelled"
    case .alreadyFinished: "already-finished"
    case .refused: "refused"
    case .nothingToCancel: "nothing"
    }
  }

  var eventData: JSONValue {
    switch self {
    case .alreadyFinished(let status): ["outcome": .string(code), "status": .string(status)]
    case .refused(let message): ["outcome": .string(code), "message": .string(message)]
    default: ["outcome": .string(code)]
    }
  }

  /// Reads the outcome back from a `stage.cancel` event.
  public init?(event: EventRecord) {
    guard event.kind == EventRecord.Kind.stageCancel, let code = event.data?["outcome"]?.stringValue else {
      return nil
    }
    switch code {
    case "cancelled": self = .cancelled
    case "already-finished": self = .alreadyFinished(status: event.data?["status"]?.stringValue ?? "finished")
    case "refused": self = .refused(event.data?["message"]?.stringValue ?? "")
    case "nothing": self = .nothingToCancel
    default: return nil
    }
  }
}
