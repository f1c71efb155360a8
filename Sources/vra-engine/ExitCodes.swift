import ArgumentParser
import Engine

/// The CLI's documented exit codes (DESIGN.md, Conventions).
enum ExitCodes {
  static let ok = ExitCode(0)
  static let deploymentFailed = ExitCode(1)
  static let usageOrValidation = ExitCode(2)
  static let authOrConnectivity = ExitCode(3)
  static let cancelled = ExitCode(130)

  /// 0 succeeded, 130 cancelled, 3 when the stages failed only because vRA could not be reached or
  /// refused the credentials, else 1.
  static func of(_ status: RunStatus, runId: RunID, store: any StateStore) async -> ExitCode {
    switch status {
    case .succeeded, .running: return ok
    case .cancelled: return cancelled
    default:
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
