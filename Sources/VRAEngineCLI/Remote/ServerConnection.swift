import Credentials
import EngineRuntime
import Foundation

/// Where a `--server` command sends its requests and how it proves who it is: the server's base
/// URL (`--server` or `VRA_ENGINE_SERVER`), the bearer token (`VRA_ENGINE_TOKEN` only: a token
/// given as a flag value would stay in the shell's history and show in `ps`), and the CA that
/// signed the server's certificate when it is not a publicly trusted one (`--server-ca FILE` or
/// `VRA_ENGINE_SERVER_CA`).
///
/// The token is registered with the process's redactor as soon as it is read, so no error, log
/// line or report can print it.
struct ServerConnection: Sendable {
  static let serverVariable = "VRA_ENGINE_SERVER"
  static let tokenVariable = "VRA_ENGINE_TOKEN"
  static let caVariable = "VRA_ENGINE_SERVER_CA"

  /// The base URL, without a trailing slash (`https://engine.example.com`, or with a path prefix
  /// behind a proxy: `https://example.com/vra-engine`).
  var baseURL: String
  var token: Secret
  /// A PEM file of the CA certificates to trust instead of the system's.
  var caFile: String?

  /// The URL of an API path (`/api/v1/runs`).
  func url(_ path: String) -> String { baseURL + path }

  /// The connection `--server`/`--server-ca` and the environment ask for; nil when neither the
  /// flag nor `VRA_ENGINE_SERVER` names a server (the command works locally).
  ///
  /// - Throws: a `RuntimeError` (exit 2) for a URL that is not http(s), a missing token, or a CA
  ///   file that cannot be read.
  static func resolve(
    server: String?, caFile: String?, environment: [String: String]
  ) throws(RuntimeError) -> ServerConnection? {
    guard let server = nonEmpty(server) ?? nonEmpty(environment[serverVariable]) else { return nil }
    guard let components = URLComponents(string: server), let scheme = components.scheme?.lowercased(),
      ["http", "https"].contains(scheme), components.host?.isEmpty == false, components.query == nil
    else {
      throw .error(
        "the server URL '\(server)' is not an http(s) URL", hint: "for example --server https://engine.example.com",
        status: .usageOrValidation)
    }
    guard let token = nonEmpty(environment[tokenVariable]) else {
      throw .error(
        "\(tokenVariable) is not set: a command run through a server needs its API token",
        hint:
          "export \(tokenVariable)=<token> (an API token of your tenant, or an OIDC access token); it is never a "
          + "flag, so it stays out of the shell's history and of ps", status: .usageOrValidation)
    }
    let secret = Secret(token)
    OutputRedaction.redactor.register(secret)
    let ca = nonEmpty(caFile) ?? nonEmpty(environment[caVariable])
    if let ca, !FileManager.default.isReadableFile(atPath: ca) {
      throw .error("cannot read the server CA file \(ca)", status: .usageOrValidation)
    }
    var base = server
    while base.hasSuffix("/") { base.removeLast() }
    return ServerConnection(baseURL: base, token: secret, caFile: ca)
  }

  private static func nonEmpty(_ text: String?) -> String? {
    guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
    return text
  }
}
