import ArgumentParser
import Engine
import RunState

/// The CLI's documented exit codes (DESIGN.md, Conventions).
enum ExitCodes {
  static let ok = ExitCode(0)
  static let deploymentFailed = ExitCode(1)
  static let usageOrValidation = ExitCode(2)
  static let authOrConnectivity = ExitCode(3)
  static let cancelled = ExitCode(130)
  /// Another process took the run over while this one worked on it (its lease was lost).
  static let leaseLost = ExitCode(4)

  /// The exit code for an error that stopped a command working on a run, after printing it:
  /// 2 when the run cannot be worked on from here (owned by a live process, expired lease without
  /// --takeover, destroyed, another endpoint), 4 when this process lost the run to another, else 3.
  static func reporting(_ error: any Error) -> ExitCode {
    Terminal.err("error: \(error)")
    switch error {
    case let store as StateStoreError:
      switch store {
      case .leaseLost: return leaseLost
      case .runOwned, .leaseExpired, .unknownRun: return usageOrValidation
      default: return authOrConnectivity
      }
    case is RunRefusal: return usageOrValidation
    case let exit as ExitCode: return exit
    default: return authOrConnectivity
    }
  }

  /// 0 succeeded, 130 cancelled, 3 when the stages failed only because vRA could not be reached or
  /// refused the credentials, else 1.
  static func of(_ status: RunStatus, runId: RunID, store: any StateStore) async -> ExitCode {
    switch status {
    case .cancelled: return cancelled
    case .pending, .cancelling, .destroying: return deploymentFailed
    case .succeeded, .running, .submitted, .destroyed: return ok
    case .failed, .destroyFailed:
      let failed = ((try? await store.stages(of: runId)) ?? []).filter { $0.status == .failed || $0.error != nil }
      let connectivity = !failed.isEmpty && failed.allSatisfy { isConnectivity($0.error) }
      return connectivity ? authOrConnectivity : deploymentFailed
    }
  }

  /// True when the recorded failure is about reaching or logging in to vRA (exit 3), not the deployment.
  static func isConnectivity(_ error: RecordedError?) -> Bool {
    guard let error else { return false }
    return ["transport", "timeout", "unauthorized", "forbidden"].contains(error.errorClass)
  }
}
