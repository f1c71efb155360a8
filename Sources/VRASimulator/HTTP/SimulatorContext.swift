import Hummingbird

/// Per-request context: the caller once authenticated, and the fault to apply after
/// the handler ran (a connection drop must happen after the change is committed).
public struct SimulatorContext: RequestContext {
  public var coreContext: CoreRequestContextStorage
  var identity: CallerIdentity?
  var failResources: Set<String> = []

  public init(source: ApplicationRequestContextSource) {
    self.coreContext = .init(source: source)
  }

  /// The authenticated caller; routes behind `AuthMiddleware` can rely on it.
  func caller() throws -> CallerIdentity {
    guard let identity else { throw APIError.unauthorized("Authentication required") }
    return identity
  }
}

/// The shared parts every route works with.
struct SimulatorServices: Sendable {
  let state: SimulatorState
  let stats: SimulatorStats
  let tokens: TokenService
}
