import Foundation

/// Everything a `StateStore` call can refuse, with a human message, a machine code and a hint.
///
/// Database failures (I/O, a locked file past the busy timeout, a corrupt file) arrive as
/// `.database`, carrying the driver's description.
public enum StateStoreError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The file was migrated by a newer vra-engine than this one.
  case schemaTooNew(found: Int, supported: Int)
  /// The database could not be put into WAL mode (needed so two processes can share it).
  case journalModeUnavailable(path: String, mode: String)
  case runAlreadyExists(RunID)
  case unknownRun(RunID)
  case unknownStage(run: RunID, stage: String)
  case duplicateStage(run: RunID, stage: String)
  case illegalRunTransition(run: RunID, from: RunStatus, to: RunStatus)
  case illegalStageTransition(run: RunID, stage: String, from: StageStatus, to: StageStatus)
  /// A write that would defeat exact resume (e.g. `recordSubmitted` with no id at all).
  case invalidArgument(String)
  case unknownDeleteRequest(run: RunID, stage: String, deleteRequestId: String)
  /// A stored value that does not decode (hand-edited file, or a bug).
  case corruptRecord(table: String, detail: String)
  /// Another live process holds the run's lease: it is working on the run.
  case runOwned(run: RunID, owner: LeaseOwner, until: Date)
  /// The run's lease expired without being released: its owner may be stalled, not dead.
  case leaseExpired(run: RunID, owner: LeaseOwner, since: Date)
  /// This process held the run's lease, and another took it over (or it was released): it must stop.
  case leaseLost(run: RunID, owner: LeaseOwner?)
  /// Another run is applying the environment and has not ended.
  case environmentBusy(environment: String, run: RunID, status: RunStatus)
  /// A lock the write needed stayed held by another transaction past the write's patience (a
  /// process stopped in the middle of a write holds its rows until the server ends its session).
  case busy(operation: String)
  /// The store was closed.
  case closed
  case database(operation: String, detail: String)

  /// A stable name for logs and metrics (`error.class`).
  public var code: String {
    switch self {
    case .schemaTooNew: "state.schema-too-new"
    case .journalModeUnavailable: "state.journal-mode"
    case .runAlreadyExists: "state.run-exists"
    case .unknownRun: "state.unknown-run"
    case .unknownStage: "state.unknown-stage"
    case .duplicateStage: "state.duplicate-stage"
    case .illegalRunTransition: "state.illegal-run-transition"
    case .illegalStageTransition: "state.illegal-stage-transition"
    case .invalidArgument: "state.invalid-argument"
    case .unknownDeleteRequest: "state.unknown-delete-request"
    case .corruptRecord: "state.corrupt-record"
    case .runOwned: "state.run-owned"
    case .leaseExpired: "state.lease-expired"
    case .leaseLost: "state.lease-lost"
    case .environmentBusy: "state.environment-busy"
    case .busy: "state.busy"
    case .closed: "state.closed"
    case .database: "state.database"
    }
  }

  public var message: String {
    switch self {
    case .schemaTooNew(let found, let supported):
      "the state database has schema version \(found); this vra-engine understands up to \(supported)"
    case .journalModeUnavailable(let path, let mode):
      "could not enable WAL journaling on \(path) (journal mode is \(mode))"
    case .runAlreadyExists(let id): "run \(id) already exists"
    case .unknownRun(let id): "no run \(id) in the state database"
    case .unknownStage(let run, let stage): "run \(run) has no stage \(stage)"
    case .duplicateStage(let run, let stage): "stage \(stage) is listed twice for run \(run)"
    case .illegalRunTransition(let run, let from, let to): "run \(run) cannot go from \(from) to \(to)"
    case .illegalStageTransition(let run, let stage, let from, let to):
      "stage \(stage) of run \(run) cannot go from \(from) to \(to)"
    case .invalidArgument(let detail): detail
    case .unknownDeleteRequest(let run, let stage, let id):
      "run \(run) stage \(stage) has no delete request \(id)"
    case .corruptRecord(let table, let detail): "unreadable row in \(table): \(detail)"
    case .runOwned(let run, let owner, let until):
      "run \(run) is being worked on by \(owner) (its lease runs until \(until.formatted(.iso8601)))"
    case .leaseExpired(let run, let owner, let since):
      "run \(run) was being worked on by \(owner), whose lease expired at \(since.formatted(.iso8601))"
    case .leaseLost(let run, let owner):
      "this process no longer owns run \(run)"
        + (owner.map { ": \($0) took it over" } ?? ": its lease was released")
    case .environmentBusy(let environment, let run, let status):
      "environment \(environment) is being applied by run \(run) (\(status))"
    case .busy(let operation): "gave up \(operation): another transaction holds what it needs"
    case .closed: "the state store is closed"
    case .database(let operation, let detail): "state database error while \(operation): \(detail)"
    }
  }

  public var hint: String? {
    switch self {
    case .schemaTooNew:
      "Upgrade vra-engine, or point --state at another file; do not edit the database by hand."
    case .journalModeUnavailable:
      "Keep the state file on a local file system (WAL does not work on most network file systems)."
    case .unknownRun: "List known runs with `vra-engine runs`."
    case .illegalRunTransition, .illegalStageTransition:
      "This is a bug in the engine (RunLifecycle has no such transition); the stored state was left unchanged."
    case .runOwned:
      "Wait for it to finish, or `vra-engine cancel RUN_ID` to ask it to stop; `vra-engine runs show RUN_ID` follows it."
    case .leaseExpired:
      "If that process is gone or stuck, take the run over with --takeover; its writes will then be refused."
    case .leaseLost:
      "Another process resumed the run; follow it with `vra-engine runs show RUN_ID`. Nothing more was sent from here."
    case .environmentBusy(let environment, let run, _):
      "One run applies an environment at a time. See it with `vra-engine runs show \(run)`; if its process "
        + "is gone, resume it with `vra-engine apply PLAN --env \(environment) --resume \(run)`, or stop it with "
        + "`vra-engine cancel \(run)`."
    case .busy:
      "It is tried again at the next look; a process stopped inside a transaction loses its session (and its locks) "
        + "after a few seconds."
    case .database:
      "Check that the state file's directory is writable and not on a network file system."
    default: nil
    }
  }

  public var description: String {
    hint.map { "\(message). Hint: \($0)" } ?? message
  }
}
