import Hummingbird

/// Requires a valid bearer access token on every vRA API route except the login
/// and about endpoints, and puts the caller in the context.
struct AuthMiddleware: RouterMiddleware {
  typealias Context = SimulatorContext
  let services: SimulatorServices

  static let openPaths: Set<String> = [
    "/csp/gateway/am/api/login", "/csp/gateway/am/api/auth/api-tokens/authorize", "/iaas/api/login",
    "/iaas/api/about", "/blueprint/api/about", "/deployment/api/about", "/catalog/api/about",
    "/project-service/api/about",
  ]

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws
    -> Response
  {
    let path = request.uri.path
    if Self.openPaths.contains(path) || path.hasPrefix("/_sim/") { return try await next(request, context) }
    guard let header = request.headers[.authorization] else {
      throw APIError.unauthorized(TokenService.Failure.missing.message)
    }
    let parts = header.split(separator: " ", maxSplits: 1)
    guard parts.count == 2, parts[0].lowercased() == "bearer" else {
      throw APIError.unauthorized(TokenService.Failure.missing.message)
    }
    switch await services.tokens.verify(accessToken: String(parts[1])) {
    case .success(let identity):
      var context = context
      context.identity = identity
      // Move the simulated clock before the route reads or writes anything.
      await services.state.advance()
      return try await next(request, context)
    case .failure(let failure):
      throw APIError.unauthorized(failure.message)
    }
  }
}
