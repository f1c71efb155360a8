/// What the plan does with the other stages when one fails (`onFailure:`).
public enum FailurePolicy: String, Sendable, Hashable, Codable, CaseIterable {
  /// Start no new stage; let the ones in flight finish.
  case stop
  /// Run every stage that does not depend, directly or transitively, on the failed one.
  case `continue`
}
