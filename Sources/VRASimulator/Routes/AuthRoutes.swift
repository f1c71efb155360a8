import Foundation
import Hummingbird
import NIOCore
import VRAModels

/// The three ways to get an access token, as vRA 8 on-prem and vRA Cloud offer them.
enum AuthRoutes {
  static func register(on router: Router<SimulatorContext>, services: SimulatorServices) {
    // vRA 8 on-prem identity: username + password + domain → access and refresh tokens.
    router.post("/csp/gateway/am/api/login") { request, _ -> Response in
      let body = try await request.decodeJSON(CSPLoginRequest.self)
      guard
        let user = await services.state.authenticate(
          username: body.username, password: body.password, domain: body.domain)
      else {
        throw APIError.unauthorized("Invalid username, password or domain")
      }
      await services.stats.passwordLoggedIn()
      let response = try await tokenResponse(
        for: user.principal, domain: user.domain, org: user.orgId, services: services)
      return try JSONResponse.make(response)
    }

    // vRA 8 on-prem: refresh token → IaaS bearer token. An empty, unknown, expired or revoked
    // refresh token is a 400, as the spec documents it and appliances answer (not a 401).
    router.post("/iaas/api/login") { request, _ -> Response in
      let body = try await request.decodeJSON(CspLoginSpecification.self)
      guard !body.refreshToken.isEmpty else { throw APIError.badRequest("refreshToken is required") }
      switch await services.tokens.redeem(refreshToken: body.refreshToken) {
      case .success(let record):
        await services.stats.tokenRefreshed()
        let token = try await services.tokens.issueAccessToken(
          user: record.user, domain: record.domain, orgId: record.orgId)
        return try JSONResponse.make(AuthResponse(token: token, tokenType: "Bearer"))
      case .failure(let failure):
        throw APIError.badRequest(refreshFailureMessage(failure))
      }
    }

    // vRA Cloud / CSP: API token (a refresh token) as a form field → access token.
    router.post("/csp/gateway/am/api/auth/api-tokens/authorize") { request, _ -> Response in
      let buffer = try await request.body.collect(upTo: 64 * 1024)
      let form = QueryParameters(String(buffer: buffer))
      let token = form.get("refresh_token") ?? form.get("api_token") ?? request.query.get("refresh_token")
      guard let token, !token.isEmpty else { throw APIError.badRequest("form field refresh_token is required") }
      switch await services.tokens.redeem(refreshToken: token) {
      case .success(let record):
        await services.stats.tokenRefreshed()
        var response = try await tokenResponse(
          for: record.user, domain: record.domain, org: record.orgId, services: services, newRefreshToken: false)
        response.refreshToken = token
        return try JSONResponse.make(response)
      case .failure(let failure):
        throw APIError.unauthorized(refreshFailureMessage(failure))
      }
    }
  }

  private static func tokenResponse(
    for user: String, domain: String, org: String, services: SimulatorServices, newRefreshToken: Bool = true
  ) async throws -> CSPTokenResponse {
    let access = try await services.tokens.issueAccessToken(user: user, domain: domain, orgId: org)
    let id = try await services.tokens.issueAccessToken(user: user, domain: domain, orgId: org, kind: "id")
    let refresh =
      newRefreshToken ? await services.tokens.issueRefreshToken(user: user, domain: domain, orgId: org) : nil
    let lifetime = await services.tokens.currentSettings.accessTokenLifetime
    return CSPTokenResponse(
      accessToken: access, refreshToken: refresh, idToken: id, tokenType: "bearer",
      expiresIn: Int(lifetime.rounded(.down)),
      scope: "openid offline_access csp:org_member")
  }

  private static func refreshFailureMessage(_ failure: TokenService.Failure) -> String {
    switch failure {
    case .expired: "The refresh token has expired"
    case .revoked: "The refresh token has been revoked"
    default: "The refresh token is not valid"
    }
  }
}
