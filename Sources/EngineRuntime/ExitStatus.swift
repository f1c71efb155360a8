/// How a command or a service request ended, as the documented exit codes (DESIGN.md, Conventions):
/// the CLI exits with `rawValue`; `serve` reports the same classification.
public enum ExitStatus: Int32, Sendable, CaseIterable {
  case ok = 0
  case deploymentFailed = 1
  /// Invalid plan, flags or configuration, or a run that cannot be worked on from here.
  case usageOrValidation = 2
  /// vRA (or Vault) could not be reached, or refused the credentials.
  case authOrConnectivity = 3
  /// Another process took the run over while this one worked on it.
  case leaseLost = 4
  /// `plan --detailed-exitcode`: the plan has changes to apply (Terraform's exit 2; 2 is taken here).
  case changesPending = 5
  /// `apply --max-duration`: the rollout took longer; its stages were cancelled in vRA.
  case maxDurationExceeded = 6
  /// `apply --destroy-after`: the teardown of what the run created failed; deployments may be left.
  case teardownFailed = 7
  case cancelled = 130
}
