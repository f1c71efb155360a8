import Engine
import RunState
import VRAClient

extension ExitStatus {
  /// The status of an error that stopped work on a run: 2 when the run cannot be worked on from
  /// here (owned by a live process, expired lease without takeover, unknown, another endpoint),
  /// 4 when this process lost the run to another, the error's own for a `RuntimeError`, else 3.
  public static func of(_ error: any Error) -> ExitStatus {
    switch error {
    case let store as StateStoreError:
      switch store {
      case .leaseLost: .leaseLost
      case .runOwned, .leaseExpired, .unknownRun, .environmentBusy: .usageOrValidation
      default: .authOrConnectivity
      }
    case is RunRefusal: .usageOrValidation
    case let runtime as RuntimeError: runtime.status
    default: .authOrConnectivity
    }
  }

  /// The status of a run that ended: 0 succeeded (or submitted), 130 cancelled, 3 when its stages
  /// failed only because vRA could not be reached or refused the credentials, else 1.
  public static func of(_ status: RunStatus, stages: [StageRecord]) -> ExitStatus {
    of(status, stages: stages.map { (failed: $0.status == .failed, error: $0.error) })
  }

  /// The status of a run from its report (what a server answers for it), as `of(_:stages:)`
  /// classifies it from the store; a status this build does not know is a failure.
  public static func of(_ report: RunReport) -> ExitStatus {
    guard let status = RunStatus(rawValue: report.run.status) else { return .deploymentFailed }
    return of(status, stages: report.stages.map { (failed: $0.status == StageStatus.failed.rawValue, error: $0.error) })
  }

  private static func of(_ status: RunStatus, stages: [(failed: Bool, error: RecordedError?)]) -> ExitStatus {
    switch status {
    case .cancelled: return .cancelled
    case .pending, .cancelling, .destroying: return .deploymentFailed
    case .succeeded, .running, .submitted, .destroyed: return .ok
    case .failed, .destroyFailed:
      let failed = stages.filter { $0.failed || $0.error != nil }
      let connectivity = !failed.isEmpty && failed.allSatisfy { $0.error?.errorClass.isConnectivity == true }
      return connectivity ? .authOrConnectivity : .deploymentFailed
    }
  }
}
