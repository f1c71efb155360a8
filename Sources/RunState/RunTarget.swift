import Foundation
import VRAModels

/// Where a run ran: the vRA endpoint and org, and where its credentials came from (never the
/// credentials themselves). Stored with the run, so `--resume`, `cancel` and `destroy` act on the
/// same vRA, and refuse another one given explicitly.
public struct RunTarget: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The endpoint's base URL; for the embedded simulator, `embedded`.
  public var endpoint: String
  public var org: String?
  /// Where the credentials came from, e.g. `environment VRA_USERNAME/VRA_PASSWORD` or `profile lab`.
  public var credentials: String?
  /// True for the simulator `apply` and `deploy` start in-process when no endpoint is configured;
  /// its state lives beside the state database, so every later command reaches the same deployments.
  public var embedded: Bool

  public init(endpoint: String, org: String? = nil, credentials: String? = nil, embedded: Bool = false) {
    self.endpoint = endpoint
    self.org = org
    self.credentials = credentials
    self.embedded = embedded
  }

  public static let embeddedSimulator = RunTarget(
    endpoint: "embedded", credentials: "the embedded simulator's seeded admin", embedded: true)

  public var description: String {
    embedded ? "the embedded simulator" : endpoint + (org.map { " (org \($0))" } ?? "")
  }

  /// True when `other` is the same vRA: the same endpoint (ignoring a trailing slash and case of
  /// the host) and, when both name one, the same org.
  public func sameEndpoint(as other: RunTarget) -> Bool {
    guard embedded == other.embedded else { return false }
    if embedded { return true }
    func normal(_ text: String) -> String {
      var text = text.lowercased()
      while text.hasSuffix("/") { text.removeLast() }
      return text
    }
    guard normal(endpoint) == normal(other.endpoint) else { return false }
    if let org, let otherOrg = other.org, org != otherOrg { return false }
    return true
  }

  var jsonValue: JSONValue {
    var object: [String: JSONValue] = ["endpoint": .string(endpoint), "embedded": .bool(embedded)]
    if let org { object["org"] = .string(org) }
    if let credentials { object["credentials"] = .string(credentials) }
    return .object(object)
  }
}
