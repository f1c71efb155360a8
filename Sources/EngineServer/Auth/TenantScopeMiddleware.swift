import Engine
import Hummingbird
import RunState

/// Binds the authenticated tenant (`ExecutionContext.scope`) around the rest of the request, after
/// `TenantAuthMiddleware`: every log line and span made for it carries the tenant and principal.
struct TenantScopeMiddleware: RouterMiddleware {
  typealias Context = ServerRequestContext

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws
    -> Response
  {
    guard let identity = context.identity else { return try await next(request, context) }
    return try await ExecutionContext.$scope.withValue(
      RunScope(tenant: identity.tenant, principal: identity.principal)
    ) {
      try await next(request, context)
    }
  }
}
