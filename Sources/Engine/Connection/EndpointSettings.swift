import Foundation
import VRAClient

/// Where vRA is and how to log in, from flags and the environment variables the Terraform
/// provider uses (`VRA_URL`, `VRA_REFRESH_TOKEN`, `VRA_USERNAME` + `VRA_PASSWORD` + `VRA_DOMAIN`,
/// `VRA_ACCESS_TOKEN`), so a pipeline that already drives vRA needs no new secrets.
public struct EndpointSettings: Sendable {
  public var endpoint: URL
  public var authentication: Authentication
  public var insecureSkipVerify: Bool

  /// The settings, or nil when no endpoint is configured at all (the caller then uses the
  /// embedded simulator).
  ///
  /// - Throws: an endpoint without usable credentials, or credentials without an endpoint:
  ///   half a configuration is a mistake, never a reason to fall back to the simulator.
  public static func resolve(
    endpointFlag: String?, insecure: Bool, environment: [String: String]
  ) throws(EndpointSettingsError) -> EndpointSettings? {
    func value(_ name: String) -> String? {
      guard let text = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
        return nil
      }
      return text
    }
    let credentialNames = ["VRA_REFRESH_TOKEN", "VRA_ACCESS_TOKEN", "VRA_USERNAME", "VRA_PASSWORD"]
    guard let text = endpointFlag ?? value("VRA_URL") else {
      if let name = credentialNames.first(where: { value($0) != nil }) {
        throw EndpointSettingsError(
          message: "\(name) is set but no endpoint is: set VRA_URL or pass --endpoint",
          hint: "without an endpoint vra-engine uses its embedded simulator, which ignores credentials")
      }
      return nil
    }
    guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
      url.host?.isEmpty == false
    else {
      throw EndpointSettingsError(
        message: "'\(text)' is not an http(s) URL", hint: "for example https://vra.corp.local")
    }
    let authentication: Authentication
    if let token = value("VRA_REFRESH_TOKEN") {
      authentication = .auto(token: Secret(token))
    } else if let user = value("VRA_USERNAME") {
      guard let password = value("VRA_PASSWORD") else {
        throw EndpointSettingsError(message: "VRA_USERNAME is set without VRA_PASSWORD", hint: nil)
      }
      authentication = .password(username: user, password: Secret(password), domain: value("VRA_DOMAIN"))
    } else if let token = value("VRA_ACCESS_TOKEN") {
      authentication = .accessToken(Secret(token))
    } else {
      throw EndpointSettingsError(
        message: "no credentials for \(text)",
        hint: "set VRA_REFRESH_TOKEN, or VRA_USERNAME + VRA_PASSWORD (+ VRA_DOMAIN), or VRA_ACCESS_TOKEN")
    }
    return EndpointSettings(endpoint: url, authentication: authentication, insecureSkipVerify: insecure)
  }

  public init(endpoint: URL, authentication: Authentication, insecureSkipVerify: Bool = false) {
    self.endpoint = endpoint
    self.authentication = authentication
    self.insecureSkipVerify = insecureSkipVerify
  }

  /// A client configuration for these settings.
  public func clientConfiguration() -> VRAClientConfiguration {
    var tls = TLSOptions.systemTrust
    tls.insecureSkipVerify = insecureSkipVerify
    return VRAClientConfiguration(endpoint: endpoint, authentication: authentication, tls: tls)
  }
}

/// Endpoint or credentials that cannot be used; the CLI exits 2 with it.
public struct EndpointSettingsError: Error, Sendable, CustomStringConvertible {
  public var message: String
  public var hint: String?
  public var description: String { message + (hint.map { " (\($0))" } ?? "") }
}
