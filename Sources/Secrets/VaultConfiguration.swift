import Credentials
import Foundation

/// Where Vault or OpenBao is and how to log in.
///
/// `fromEnvironment` reads the variables the `vault` and `bao` CLIs read, so a pipeline that
/// already talks to Vault needs nothing new; each `BAO_*` variable wins over its `VAULT_*` twin.
public struct VaultConfiguration: Sendable {
  /// `https://vault.corp.local:8200`; requests go to `<address>/v1/...`.
  public var address: URL
  public var authentication: VaultAuthentication
  /// Vault Enterprise / OpenBao namespace, sent as `X-Vault-Namespace`.
  public var namespace: String?
  /// PEM file of the CA(s) that signed the server's certificate; nil trusts the system's roots.
  public var caCertificatePath: String?
  /// The deadline of each HTTP request.
  public var requestTimeout: Duration
  /// When a token is renewed, as a fraction of its TTL (2/3: a 30 min token is renewed at 20 min).
  public var renewalFraction: Double

  public init(
    address: URL, authentication: VaultAuthentication, namespace: String? = nil, caCertificatePath: String? = nil,
    requestTimeout: Duration = .seconds(30), renewalFraction: Double = 2.0 / 3.0
  ) {
    self.address = address
    self.authentication = authentication
    self.namespace = namespace
    self.caCertificatePath = caCertificatePath
    self.requestTimeout = requestTimeout
    self.renewalFraction = renewalFraction
  }

  /// The environment variables read, without prefix (`BAO_` first, then `VAULT_`).
  public enum Variable: String, CaseIterable, Sendable {
    case address = "ADDR"
    case token = "TOKEN"
    case namespace = "NAMESPACE"
    case caCertificate = "CACERT"
    case roleID = "ROLE_ID"
    case secretID = "SECRET_ID"
    case appRoleMount = "APPROLE_MOUNT"
  }

  /// The configuration the environment describes: `*_ADDR` and either `*_TOKEN` or
  /// `*_ROLE_ID` + `*_SECRET_ID` (AppRole wins when both are set: its tokens can be replaced).
  public static func fromEnvironment(_ environment: [String: String]) throws(VaultError) -> VaultConfiguration {
    func value(_ variable: Variable) -> String? {
      for prefix in ["BAO_", "VAULT_"] {
        if let text = environment[prefix + variable.rawValue]?.trimmingCharacters(in: .whitespacesAndNewlines),
          !text.isEmpty
        {
          return text
        }
      }
      return nil
    }
    guard let addressText = value(.address) else {
      throw .notConfigured(missing: "VAULT_ADDR (or BAO_ADDR)")
    }
    guard let address = URL(string: addressText), let scheme = address.scheme?.lowercased(),
      ["http", "https"].contains(scheme), address.host?.isEmpty == false
    else {
      throw .invalidConfiguration(reason: "VAULT_ADDR '\(addressText)' is not an http(s) URL")
    }
    let authentication: VaultAuthentication
    switch (value(.roleID), value(.secretID), value(.token)) {
    case (let roleID?, let secretID?, _):
      authentication = .appRole(
        roleID: Secret(roleID), secretID: Secret(secretID), mount: value(.appRoleMount) ?? "approle")
    case (.some, nil, _):
      throw .invalidConfiguration(reason: "VAULT_ROLE_ID is set without VAULT_SECRET_ID")
    case (nil, .some, _):
      throw .invalidConfiguration(reason: "VAULT_SECRET_ID is set without VAULT_ROLE_ID")
    case (nil, nil, let token?):
      authentication = .token(Secret(token))
    case (nil, nil, nil):
      throw .notConfigured(missing: "VAULT_TOKEN, or VAULT_ROLE_ID + VAULT_SECRET_ID (or their BAO_ twins)")
    }
    return VaultConfiguration(
      address: address, authentication: authentication, namespace: value(.namespace),
      caCertificatePath: value(.caCertificate))
  }
}
