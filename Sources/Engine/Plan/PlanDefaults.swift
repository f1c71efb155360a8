/// The plan-wide settings under `defaults:`; stages override `project`, the context, `timeout` and `retries`.
public struct PlanDefaults: Sendable, Hashable {
  public var project: String?
  /// Most stages in flight at once across the plan.
  public var parallelism: Int
  /// Most stages in flight at once in one project; nil means only `parallelism` bounds them.
  public var perProjectLimit: Int?
  public var onFailure: FailurePolicy
  public var rollback: RollbackPolicy
  /// How long a stage's request may run, not counting the time it waits for an approval.
  public var timeout: Duration?
  /// How long a stage's request may wait for an approval in vRA (nil: as long as it takes).
  public var approvalTimeout: Duration?
  /// Resubmissions of a stage whose request ended FAILED (0: never resubmit).
  public var retries: Int
  /// Org and region constraint tags every stage inherits.
  public var placement: StagePlacement

  public static let defaultParallelism = 4

  public init(
    project: String? = nil, parallelism: Int = PlanDefaults.defaultParallelism, perProjectLimit: Int? = nil,
    onFailure: FailurePolicy = .stop, rollback: RollbackPolicy = .none, timeout: Duration? = nil, retries: Int = 0,
    approvalTimeout: Duration? = nil, placement: StagePlacement = StagePlacement()
  ) {
    self.project = project
    self.parallelism = parallelism
    self.perProjectLimit = perProjectLimit
    self.onFailure = onFailure
    self.rollback = rollback
    self.timeout = timeout
    self.retries = retries
    self.approvalTimeout = approvalTimeout
    self.placement = placement
  }
}
