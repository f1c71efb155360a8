/// What a run does to one stage, decided when the stage starts (and kept with the
/// stage, so a resume, a cancel and a rollback know what the stage was doing).
public enum StageOperation: String, Sendable, Hashable, Codable, CaseIterable {
  /// No deployment yet (or it was deleted outside): a new one.
  case create
  /// The deployment exists and is changed in place (same id, one update request).
  case update
  /// Nothing differs from what was applied: no request at all.
  case unchanged
  /// What cannot change in place (another project, name or kind of source): the old deployment is
  /// deleted, a new one created.
  case replace
  /// A day-2 action on a deployment the stage does not own (an action stage, in any run): a
  /// rollback or `destroy` leaves that deployment alone.
  case action

  /// Whether the stage's deployment existed before the run and must outlive a rollback.
  public var keepsDeployment: Bool { self == .update || self == .unchanged || self == .action }
}
