/// The run lifecycle as one table: every event the engine acts on, the statuses it may happen in,
/// and where it leads, for runs and for their stages. `RunStatus.canTransition` and
/// `StageStatus.canTransition` are read from here, the store refuses anything else, and the
/// model-based lifecycle test drives random sequences of these events checking that the engine
/// never asks for a transition the table lacks.
public enum RunLifecycle {
  /// One row: `event` moves a run or stage in any of `from` to `to`.
  public struct Transition<Status: Hashable & Sendable>: Sendable {
    public let event: String
    public let from: Set<Status>
    public let to: Status
  }

  public static let stageTransitions: [Transition<StageStatus>] = [
    // Submit: the intent is written before the POST. Resumed stages come from pending (reset below),
    // a retry after a failed attempt from failed, a reconciled intent from submitting.
    .init(event: "submit", from: [.pending, .submitting, .failed, .cancelled], to: .submitting),
    // vRA answered the POST with ids, or the deployment was found by name after a crash.
    .init(event: "accepted", from: [.submitting], to: .submitted),
    .init(event: "vra-status-seen", from: [.submitted, .running], to: .running),
    // A check stage sends nothing to vRA: it starts probing straight from pending (again after a crash).
    .init(event: "check-started", from: [.pending, .running], to: .running),
    .init(event: "succeeded", from: [.submitted, .running], to: .succeeded),
    // An environment stage whose deployment already is as the plan wants it: nothing is sent.
    .init(event: "unchanged", from: [.pending], to: .succeeded),
    // Failed: before any request (project, credentials, inputs), or vRA's request failed, or a
    // rollback / destroy deletion failed (the stage keeps its deployment id for the next try).
    .init(
      event: "failed",
      from: [.pending, .submitting, .submitted, .running, .failed, .cancelled, .rollingBack, .destroying],
      to: .failed),
    .init(event: "cancelled", from: [.pending, .submitting, .submitted, .running], to: .cancelled),
    .init(event: "skipped", from: [.pending], to: .skipped),
    // Resume: whatever did not succeed runs again; its ids stay so a leftover deployment is deleted
    // first (a rollback cut short by a crash included: its delete is finished before resubmitting).
    .init(event: "resume", from: [.failed, .cancelled, .skipped, .rollingBack, .rolledBack], to: .pending),
    // Rollback and destroy delete what a stage left in vRA; a pending or skipped stage may hold the
    // deployment of an attempt before a resume (reset, then stopped before it was submitted again).
    .init(
      event: "rollback", from: [.succeeded, .failed, .cancelled, .rollingBack, .pending, .skipped], to: .rollingBack),
    .init(event: "rolled-back", from: [.rollingBack], to: .rolledBack),
    .init(
      event: "destroy", from: [.succeeded, .failed, .cancelled, .destroying, .pending, .skipped], to: .destroying),
    // Destroyed: deleted, or nothing of it exists in vRA (never submitted, rolled back, not found by name).
    .init(
      event: "destroyed",
      from: [.destroying, .pending, .submitting, .failed, .cancelled, .skipped, .rolledBack], to: .destroyed),
  ]

  public static let runTransitions: [Transition<RunStatus>] = [
    // Start, or resume a run that stopped for any reason (a crashed owner leaves it running or cancelling).
    .init(event: "start", from: [.pending, .running, .submitted, .failed, .cancelled, .cancelling], to: .running),
    // A cancel that found every request already finished records the run as it ended.
    .init(event: "succeeded", from: [.running, .cancelling], to: .succeeded),
    .init(event: "failed", from: [.pending, .running, .cancelling], to: .failed),
    // Every stage accepted, nobody waiting (`deploy --no-wait`).
    .init(event: "submitted", from: [.running], to: .submitted),
    .init(event: "cancel-requested", from: [.pending, .running, .submitted, .cancelling], to: .cancelling),
    .init(event: "cancelled", from: [.pending, .running, .submitted, .cancelling], to: .cancelled),
    .init(
      event: "destroy", from: [.pending, .succeeded, .failed, .cancelled, .destroying, .destroyFailed],
      to: .destroying),
    .init(event: "destroyed", from: [.destroying], to: .destroyed),
    .init(event: "destroy-failed", from: [.destroying], to: .destroyFailed),
  ]
}
