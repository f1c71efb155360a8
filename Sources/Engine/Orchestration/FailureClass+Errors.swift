import RunState
import VRAClient

extension FailureClass {
  /// The class of a failed call to vRA.
  public init(_ vra: VRAErrorClass) {
    switch vra {
    case .transport: self = .transport
    case .timeout: self = .timeout
    case .unauthorized: self = .unauthorized
    case .forbidden: self = .forbidden
    case .notFound: self = .notFound
    case .conflict: self = .conflict
    case .validation: self = .validation
    case .rateLimited: self = .rateLimited
    case .server: self = .server
    case .decoding: self = .decoding
    case .cancelled: self = .cancelled
    }
  }

  /// The class recorded for an error that stopped a stage.
  public init(of error: any Error) {
    switch error {
    case let vra as VRAError: self.init(vra.errorClass)
    case let failure as StageFailure: self = failure.errorClass
    case is PlanResolutionError: self = .plan
    case is TrackerError: self = .tracking
    case is StateStoreError: self = .state
    default: self = .engine
    }
  }
}
