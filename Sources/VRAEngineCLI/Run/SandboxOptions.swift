import ArgumentParser
import EngineRuntime

/// `apply --destroy-after` and `--max-duration`: a sandbox run that cleans up after itself and is
/// held to a time (docs/ci.md).
struct SandboxOptions: ParsableArguments {
  /// When a run's deployments are deleted once it ends.
  enum DestroyAfter: String, ExpressibleByArgument, CaseIterable, Sendable {
    case always
    case onSuccess = "on-success"
    case never
  }

  @Option(
    help: ArgumentHelp(
      "Delete everything the run created once it ends: always (also after a failure, a cancel or "
        + "--max-duration), on-success, or never (the default). The exit code stays the run's; a failed "
        + "teardown exits 7.", valueName: "always|on-success|never"))
  var destroyAfter: DestroyAfter = .never

  @Option(
    help: ArgumentHelp(
      "Cancel the run when the whole rollout takes longer than this (90s, 3m, 1h; its requests are cancelled "
        + "in vRA) and exit 6: the run exceeded --max-duration.", valueName: "duration"))
  var maxDuration: String?

  func validate() throws {
    if let maxDuration, TimeoutOption.parse(maxDuration) == nil {
      throw ValidationError("--max-duration must be a duration such as 180s, 3m or 1h, not '\(maxDuration)'")
    }
  }

  /// The flags given, for the combinations that make no sense.
  var given: [String] {
    (destroyAfter == .never ? [] : ["--destroy-after"]) + (maxDuration == nil ? [] : ["--max-duration"])
  }

  var deadline: RunDeadline { RunDeadline(maxDuration.flatMap(TimeoutOption.parse), text: maxDuration) }

  /// Whether a run that ended with `succeeded` is torn down.
  func tearsDown(succeeded: Bool) -> Bool {
    switch destroyAfter {
    case .always: true
    case .onSuccess: succeeded
    case .never: false
    }
  }

  /// Refuses what does not go with a sandbox run: a dry run sends nothing to bound or delete; an
  /// environment is kept, not torn down (`destroy` refuses environment runs too).
  func checkUsage(dryRun: Bool, environment: String?) throws(UsageError) {
    if dryRun, let flag = given.first {
      throw Terminal.usageError("\(flag) goes with a run; --dry-run sends nothing", command: "apply")
    }
    if destroyAfter != .never, let environment {
      throw Terminal.usageError(
        "--destroy-after deletes what one run created; environment \(environment) is kept and converged "
          + "(remove a stage from the plan and apply with --prune, docs/environments.md)", command: "apply")
    }
  }
}
