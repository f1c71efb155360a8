/// What repeating a request could do, which decides when it may be retried.
public enum CallSafety: Sendable, Hashable {
  /// Repeating it changes nothing more (GET, PUT, DELETE, and POSTs such as validation,
  /// cancel or a token exchange): retried on transport errors, 429, 502, 503, 504 and
  /// `SHOULD_RETRY`.
  case idempotent
  /// It creates something (a blueprint request, a catalog request, a blueprint). Retried
  /// only when the failure proves nothing was applied (connection refused, 429, 503);
  /// any other failure is reported with `outcomeUnknown` so the caller looks the object
  /// up before creating it again.
  case creating
}
