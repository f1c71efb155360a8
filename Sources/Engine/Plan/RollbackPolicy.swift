/// What the plan undoes after a failure (`rollback:`).
public enum RollbackPolicy: String, Sendable, Hashable, Codable, CaseIterable {
  /// Leave every deployment in place.
  case none
  /// Destroy what this run created, in reverse topological order. Written `on-failure` in plan files.
  case onFailure = "on-failure"
}
