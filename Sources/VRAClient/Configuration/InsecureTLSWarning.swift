import Logging
import Synchronization

/// Logs the `insecureSkipVerify` warning once per process, not once per client or call.
enum InsecureTLSWarning {
  private static let logged = Atomic<Bool>(false)

  static func logOnce(_ logger: Logger) {
    guard !logged.exchange(true, ordering: .relaxed) else { return }
    logger.warning(
      "TLS certificate verification is OFF (insecureSkipVerify): anyone on the network path can read the tokens; use a CA bundle instead"
    )
  }
}
