import CloudTemplate
import Secrets

/// A plan secret that could not be resolved when the run started: which stage and input, where
/// the plan writes it, and why (the reference and the resolver's reason, never a value).
public struct PlanSecretError: Error, Sendable, CustomStringConvertible {
  public var stage: String
  public var input: String
  public var file: String
  public var location: SourceLocation
  public var underlying: SecretResolutionError

  /// Exit 3 (Vault unreachable, sealed, token or AppRole refused) rather than exit 2.
  public var isConnectivityOrAuth: Bool { underlying.isConnectivityOrAuth }

  /// `plan.yaml:12:19: error: stage 'db', secret 'dbPassword': ... [/stages/db/secrets/dbPassword]`.
  public var description: String {
    "\(file):\(location.line):\(location.column): error: stage '\(stage)', secret '\(input)': "
      + "\(underlying.message) (\(underlying.code)). Hint: \(underlying.hint) [\(path)]"
  }

  /// The JSON pointer of the secret in the plan.
  public var path: String {
    JSONPointer.appending(input, to: JSONPointer.appending(stage, to: "/stages") + "/secrets")
  }
}
