/// `POST /csp/gateway/am/api/login?access_token` body (vRA 8 on-prem identity).
public struct CSPLoginRequest: Codable, Sendable {
  public var username: String
  public var password: String
  public var domain: String?

  public init(username: String, password: String, domain: String?) {
    self.username = username
    self.password = password
    self.domain = domain
  }
}

/// Token answer of the CSP endpoints: the password login and the API-token authorize call.
public struct CSPTokenResponse: Codable, Sendable {
  public var accessToken: String
  public var refreshToken: String?
  public var idToken: String?
  public var tokenType: String?
  public var expiresIn: Int?
  public var scope: String?

  enum CodingKeys: String, CodingKey {
    case accessToken = "access_token"
    case refreshToken = "refresh_token"
    case idToken = "id_token"
    case tokenType = "token_type"
    case expiresIn = "expires_in"
    case scope
  }

  public init(
    accessToken: String, refreshToken: String?, idToken: String?, tokenType: String?, expiresIn: Int?,
    scope: String?
  ) {
    self.accessToken = accessToken
    self.refreshToken = refreshToken
    self.idToken = idToken
    self.tokenType = tokenType
    self.expiresIn = expiresIn
    self.scope = scope
  }
}

/// `POST /iaas/api/login` body (`CspLoginSpecification`).
public struct CspLoginSpecification: Codable, Sendable {
  public var refreshToken: String
  public init(refreshToken: String) { self.refreshToken = refreshToken }
}

/// `POST /iaas/api/login` answer (`AuthResponse`).
public struct AuthResponse: Codable, Sendable {
  public var token: String
  public var tokenType: String
  public init(token: String, tokenType: String = "Bearer") {
    self.token = token
    self.tokenType = tokenType
  }
}
