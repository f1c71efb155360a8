import Foundation

/// A PostgreSQL state database: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?PARAMS]`.
///
/// Parameters, named as libpq names them where libpq has them:
/// - `sslmode`: `disable`, `prefer` (the default: TLS when the server offers it, unverified),
///   `require` (TLS, unverified), `verify-ca` (TLS, the certificate chains to `sslrootcert`),
///   `verify-full` (also the host name matches the certificate);
/// - `sslrootcert`: a PEM file of the CA(s) to trust (default: the system's);
/// - `connect_timeout`: seconds to wait for a connection (default 10);
/// - `pool_size`: most connections this process opens (default 10; vra-engine's own).
///
/// A password in the URL works, but belongs in `state.password` (`VRA_ENGINE_STATE_PASSWORD`),
/// which takes a secret reference (`vault:…`, `env:…`, `file:…`). It is never printed.
public struct PostgresStateLocation: Sendable, Hashable, CustomStringConvertible {
  public enum TLSMode: String, Sendable, Hashable, CaseIterable {
    case disable, prefer, require
    case verifyCA = "verify-ca"
    case verifyFull = "verify-full"
  }

  public var host: String
  public var port: Int
  public var user: String
  public var database: String
  /// The password written in the URL, if any (`state.password` wins over it).
  public var urlPassword: String?
  public var tlsMode: TLSMode
  public var rootCertificatePath: String?
  public var connectTimeout: Duration
  public var poolSize: Int

  static let knownParameters: Set<String> = ["sslmode", "sslrootcert", "connect_timeout", "pool_size"]

  /// Reads the URL; every problem names the part (never the password).
  public static func parse(_ text: String) throws(StateURLError) -> PostgresStateLocation {
    guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
      scheme == "postgres" || scheme == "postgresql"
    else {
      throw StateURLError(url: text, part: "url", "not a postgres:// URL (postgres://USER@HOST[:PORT]/DATABASE)")
    }
    guard let host = components.host, !host.isEmpty else {
      throw StateURLError(url: text, part: "host", "missing (postgres://USER@HOST/DATABASE)")
    }
    guard let user = components.user, !user.isEmpty else {
      throw StateURLError(url: text, part: "user", "missing (postgres://USER@HOST/DATABASE)")
    }
    let database = String(components.path.drop(while: { $0 == "/" }))
    guard !database.isEmpty, !database.contains("/") else {
      throw StateURLError(url: text, part: "database", "missing or not one name (postgres://USER@HOST/DATABASE)")
    }
    var location = PostgresStateLocation(
      host: host, port: components.port ?? 5432, user: user, database: database, urlPassword: components.password,
      tlsMode: .prefer, rootCertificatePath: nil, connectTimeout: .seconds(10), poolSize: 10)
    guard (1...65535).contains(location.port) else {
      throw StateURLError(url: text, part: "port", "\(location.port) is not a TCP port")
    }
    for item in components.queryItems ?? [] {
      let value = item.value ?? ""
      switch item.name {
      case "sslmode":
        guard let mode = TLSMode(rawValue: value) else {
          throw StateURLError(
            url: text, part: "sslmode",
            "'\(value)' is not one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        location.tlsMode = mode
      case "sslrootcert":
        guard !value.isEmpty else { throw StateURLError(url: text, part: "sslrootcert", "empty") }
        location.rootCertificatePath = value
      case "connect_timeout":
        guard let seconds = Int(value), seconds > 0 else {
          throw StateURLError(url: text, part: "connect_timeout", "'\(value)' is not a positive number of seconds")
        }
        location.connectTimeout = .seconds(seconds)
      case "pool_size":
        guard let size = Int(value), (1...1000).contains(size) else {
          throw StateURLError(url: text, part: "pool_size", "'\(value)' is not a number of connections (1-1000)")
        }
        location.poolSize = size
      default:
        throw StateURLError(
          url: text, part: item.name,
          "unknown parameter (known: \(knownParameters.sorted().joined(separator: ", ")))")
      }
    }
    if location.rootCertificatePath != nil, location.tlsMode == .disable {
      throw StateURLError(url: text, part: "sslrootcert", "given with sslmode=disable")
    }
    return location
  }

  /// The URL with the password left out.
  public var description: String {
    var components = URLComponents()
    components.scheme = "postgres"
    components.user = user
    components.host = host
    components.port = port
    components.path = "/" + database
    var items: [URLQueryItem] = []
    if tlsMode != .prefer { items.append(URLQueryItem(name: "sslmode", value: tlsMode.rawValue)) }
    if let rootCertificatePath { items.append(URLQueryItem(name: "sslrootcert", value: rootCertificatePath)) }
    components.queryItems = items.isEmpty ? nil : items
    return components.string ?? "postgres://\(user)@\(host):\(port)/\(database)"
  }

  /// `text` with the password of a `scheme://user:password@host` URL replaced by `***`.
  static func redacting(_ text: String) -> String {
    guard let components = URLComponents(string: text), let password = components.password, !password.isEmpty,
      let range = text.range(of: ":" + (components.percentEncodedPassword ?? password) + "@")
    else { return text }
    return text.replacingCharacters(in: range, with: ":***@")
  }
}
