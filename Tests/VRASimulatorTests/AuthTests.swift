import Foundation
import TestSupport
import Testing
import VRAModels
import VRASimulator

@Suite struct AuthTests {
  @Test func passwordLoginReturnsSignedJWTWithExpiryOrgAndUser() async throws {
    try await SimulatorHarness.with { harness in
      let response = try await harness.http.call(
        .POST, "/csp/gateway/am/api/login?access_token",
        json: ["username": "admin", "password": "VMware1!", "domain": "vsphere.local"])
      #expect(response.status == 200)
      let tokens = try response.decode(CSPTokenResponse.self)
      #expect(tokens.tokenType == "bearer" || tokens.tokenType == "Bearer")
      #expect(tokens.expiresIn == 1800)
      #expect(tokens.refreshToken?.isEmpty == false)
      let claims = try JWTClaims(tokens.accessToken)
      let exp = try #require(claims["exp"]?.doubleValue)
      #expect(abs(exp - Date().timeIntervalSince1970 - 1800) < 5)
      #expect(exp == exp.rounded(), "JWT NumericDate must be whole seconds")
      #expect(claims["context_name"]?.stringValue?.isEmpty == false, "the org id travels in context_name")
      #expect(claims["sub"]?.stringValue?.contains("admin") == true)
    }
  }

  @Test(
    arguments: [
      ["username": "admin", "password": "wrong", "domain": "vsphere.local"],
      ["username": "nobody", "password": "VMware1!", "domain": "vsphere.local"],
      ["username": "admin", "password": "VMware1!", "domain": "other.local"],
    ] as [JSONValue])
  func badCredentialsAre401(_ body: JSONValue) async throws {
    try await SimulatorHarness.with { harness in
      let response = try await harness.http.call(.POST, "/csp/gateway/am/api/login?access_token", json: body)
      #expect(response.status == 401)
      #expect(response.json["message"]?.stringValue?.isEmpty == false)
    }
  }

  @Test func refreshTokenExchangeGivesIaaSBearerToken() async throws {
    try await SimulatorHarness.with { harness in
      let (_, refresh) = try await harness.http.login()
      let response = try await harness.http.call(.POST, "/iaas/api/login", json: ["refreshToken": .string(refresh)])
      #expect(response.status == 200)
      let auth = try response.decode(AuthResponse.self)
      #expect(auth.tokenType == "Bearer")
      let projects = try await harness.http.call(.GET, "/iaas/api/projects", token: auth.token)
      #expect(projects.status == 200)
      #expect(await harness.server.stats().tokenRefreshes == 1)
    }
  }

  @Test func apiTokenAuthorizeAcceptsTheFormBody() async throws {
    try await SimulatorHarness.with { harness in
      let (_, refresh) = try await harness.http.login()
      let response = try await harness.http.call(
        .POST, "/csp/gateway/am/api/auth/api-tokens/authorize",
        form: "refresh_token=\(refresh.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
      #expect(response.status == 200)
      let tokens = try response.decode(CSPTokenResponse.self)
      let projects = try await harness.http.call(.GET, "/iaas/api/projects", token: tokens.accessToken)
      #expect(projects.status == 200)
    }
  }

  @Test(arguments: [nil, "not-a-jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"] as [String?])
  func missingOrForgedTokenIs401WithServiceErrorBody(_ token: String?) async throws {
    try await SimulatorHarness.with { harness in
      let response = try await harness.http.call(.GET, "/deployment/api/deployments", token: token)
      #expect(response.status == 401)
      let error = try response.decode(ServiceErrorResponse.self)
      #expect(error.statusCode == 401)
      #expect(error.message?.isEmpty == false)
    }
  }

  @Test func expiredAccessTokenIs401() async throws {
    try await SimulatorHarness.with({ $0.tokens.accessTokenLifetime = 1 }) { harness in
      let (access, _) = try await harness.http.login()
      let status = try await harness.http.poll(timeout: .seconds(10), every: .milliseconds(100)) {
        () -> Int? in
        let response = try await harness.http.call(.GET, "/iaas/api/projects", token: access)
        return response.status == 401 ? response.status : nil
      }
      #expect(status == 401)
      let response = try await harness.http.call(.GET, "/iaas/api/projects", token: access)
      #expect(response.json["message"]?.stringValue?.lowercased().contains("expired") == true)
    }
  }

  @Test func revokedRefreshTokenCannotBeExchanged() async throws {
    try await SimulatorHarness.with { harness in
      let (_, refresh) = try await harness.http.login()
      let revoke = try await harness.http.call(
        .POST, "/_sim/tokens/revoke", json: ["refreshToken": .string(refresh)], checkFidelity: false)
      #expect(revoke.status == 200)
      #expect(revoke.json["revoked"]?.intValue == 1)
      let response = try await harness.http.call(.POST, "/iaas/api/login", json: ["refreshToken": .string(refresh)])
      #expect(response.status == 400, "the spec documents 400 and 403 here, not 401")
      #expect(response.json["message"]?.stringValue?.lowercased().contains("revoked") == true)
    }
  }

  @Test func revokedAccessTokenIs401() async throws {
    try await SimulatorHarness.with { harness in
      let (access, _) = try await harness.http.login()
      let (other, _) = try await harness.http.login()
      #expect(try await harness.http.call(.GET, "/iaas/api/projects", token: access).status == 200)
      let revoke = try await harness.http.call(.POST, "/_sim/tokens/revoke", json: ["accessToken": .string(access)])
      #expect(revoke.status == 200)
      #expect(revoke.json["revoked"]?.intValue == 1)
      for path in ["/iaas/api/projects", "/deployment/api/deployments", "/blueprint/api/blueprints"] {
        let response = try await harness.http.call(.GET, path, token: access)
        #expect(response.status == 401, "\(path)")
        let error = try response.decode(ServiceErrorResponse.self)
        #expect(error.statusCode == 401)
        #expect(error.message?.lowercased().contains("revoked") == true, "\(error)")
      }
      #expect(
        try await harness.http.call(.GET, "/iaas/api/projects", token: other).status == 200,
        "only the revoked token is refused")
    }
  }

  @Test func expiredRefreshTokenCannotBeExchanged() async throws {
    try await SimulatorHarness.with({ $0.tokens.refreshTokenLifetime = 0.5 }) { harness in
      let (_, refresh) = try await harness.http.login()
      let status = try await harness.http.poll(timeout: .seconds(10), every: .milliseconds(100)) { () -> Int? in
        let response = try await harness.http.call(
          .POST, "/iaas/api/login", json: ["refreshToken": .string(refresh)])
        return response.status == 200 ? nil : response.status
      }
      #expect(status == 400)
    }
  }

  /// Item 5 of issue 13: `POST /iaas/api/login` refuses an empty or unknown refresh token with a 400,
  /// as the spec documents and appliances answer, not a 401.
  @Test(arguments: ["", "not-a-refresh-token"])
  func iaasLoginRefusesABadRefreshTokenWith400(_ token: String) async throws {
    try await SimulatorHarness.with { harness in
      // With the query string the generated IaaS client (httpx) sends.
      let query = URLEncoded.python([("apiVersion", "2021-07-15")])
      let response = try await harness.http.call(
        .POST, "/iaas/api/login?\(query)", json: ["refreshToken": .string(token)])
      #expect(response.status == 400)
      let error = try response.decode(ServiceErrorResponse.self)
      #expect(error.statusCode == 400)
      #expect(error.message?.isEmpty == false)
    }
  }

  @Test func aboutNeedsNoTokenAndAcceptsApiVersion() async throws {
    try await SimulatorHarness.with { harness in
      for service in ["iaas", "blueprint", "deployment"] {
        let response = try await harness.http.call(.GET, "/\(service)/api/about?apiVersion=2021-07-15")
        #expect(response.status == 200, "\(service)")
        #expect(response.json["latestApiVersion"]?.stringValue?.isEmpty == false, "\(service)")
      }
    }
  }
}

/// The payload of a JWT, decoded without verifying (the simulator signs; tests only read).
struct JWTClaims {
  let payload: JSONValue

  init(_ token: String) throws {
    let parts = token.split(separator: ".")
    try #require(parts.count == 3, "a JWT has three parts")
    var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    let data = try #require(Data(base64Encoded: base64))
    payload = try JSONDecoder().decode(JSONValue.self, from: data)
  }

  subscript(key: String) -> JSONValue? { payload[key] }
}
