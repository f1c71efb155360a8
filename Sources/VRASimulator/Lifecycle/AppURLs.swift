import Foundation
import VRAModels

/// The health URLs the simulator gives machines (`healthUrl`), served by itself under `/_sim/apps/`,
/// so a smoke check after a deployment has something real to reach.
///
/// The base is where a client reaches the simulator: the address it bound, with a wildcard address
/// (`0.0.0.0`, `::`) replaced by the loopback one, and `https` when it serves TLS.
public struct AppURLs: Sendable, Equatable {
  /// `http(s)://host:port`, no trailing slash.
  public let base: String
  static let pathPrefix = "/_sim/apps/"

  public init(base: String) { self.base = base }

  public init(host: String, port: Int, tls: Bool) {
    let reachable = ["", "0.0.0.0", "::", "[::]"].contains(host) ? "127.0.0.1" : host
    // An IPv6 literal needs brackets in a URL.
    let authority = reachable.contains(":") && !reachable.hasPrefix("[") ? "[\(reachable)]" : reachable
    self.init(base: "\(tls ? "https" : "http")://\(authority):\(port)")
  }

  /// `base/_sim/apps/{deploymentId}/{resourceName}`, each a percent-encoded path segment.
  public func url(deploymentId: String, resourceName: String) -> String {
    base + Self.pathPrefix + Self.segment(deploymentId) + "/" + Self.segment(resourceName)
  }

  /// Only RFC 3986's unreserved characters stay as they are, so any name is one segment.
  static func segment(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
  }

  private static let unreserved = CharacterSet(
    charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

  /// `value` with every health URL of an earlier run (another port, as port 0 gives on each start)
  /// pointing at this base instead; other values unchanged.
  func rebased(_ value: JSONValue) -> JSONValue {
    switch value {
    case .string(let text): return .string(rebased(text))
    case .array(let items): return .array(items.map(rebased))
    case .object(let fields): return .object(fields.mapValues(rebased))
    default: return value
    }
  }

  private func rebased(_ text: String) -> String {
    guard text.hasPrefix("http://") || text.hasPrefix("https://"), !text.hasPrefix(base + Self.pathPrefix),
      let range = text.range(of: Self.pathPrefix)
    else { return text }
    // Only a URL whose path starts with the prefix: scheme and authority, then the prefix.
    let origin = text[..<range.lowerBound]
    guard let scheme = origin.range(of: "://") else { return text }
    let authority = origin[scheme.upperBound...]
    guard !authority.isEmpty, !authority.contains("/") else { return text }
    return base + text[range.lowerBound...]
  }
}
