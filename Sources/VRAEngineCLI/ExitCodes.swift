import ArgumentParser
import EngineRuntime
import RunState

/// The CLI's documented exit codes (DESIGN.md, Conventions), as the runtime classifies them.
enum ExitCodes {
  static let ok = code(.ok)
  static let deploymentFailed = code(.deploymentFailed)
  static let usageOrValidation = code(.usageOrValidation)
  static let authOrConnectivity = code(.authOrConnectivity)
  static let cancelled = code(.cancelled)
  static let leaseLost = code(.leaseLost)
  static let changesPending = code(.changesPending)
  static let maxDurationExceeded = code(.maxDurationExceeded)
  static let teardownFailed = code(.teardownFailed)

  static func code(_ status: ExitStatus) -> ExitCode { ExitCode(status.rawValue) }

  /// The exit code for an error that stopped a command working on a run, after printing it.
  static func reporting(_ error: any Error) -> ExitCode {
    if let exit = error as? ExitCode { return exit }
    Terminal.err((error as? RuntimeError)?.message ?? "error: \(error)")
    return code(.of(error))
  }

  /// The exit code of a run that ended, from its stages as stored.
  static func of(_ status: RunStatus, runId: RunID, store: any StateStore) async -> ExitCode {
    code(.of(status, stages: (try? await store.stages(of: runId)) ?? []))
  }
}
