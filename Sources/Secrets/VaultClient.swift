import AsyncHTTPClient
import Credentials
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import VRAModels

/// A client of Vault or OpenBao: logs in, keeps its token alive, reads KV v2 secrets.
///
/// Token lifecycle (the states of `TokenState`):
/// ```
/// none ──first use──► acquiring ──► ready ──renewAt (background timer, or the first use after it)──► acquiring
///                        │  ▲                                                                          │
///                        │  └── renew-self; AppRole: a new login when renewal is refused or capped ◄───┘
///                        └─ failure: back to the previous lease while it is valid, else none (error thrown)
/// ```
/// One acquisition at a time: concurrent callers share it (single flight). While a renewal runs,
/// callers keep using the current token until it expires.
///
/// Values are returned as `Secret`s and kept nowhere by this client: no cache, no log line, no
/// error message holds one. `SecretResolver` caches reads in memory.
public actor VaultClient {
  public nonisolated let configuration: VaultConfiguration
  private let httpClient: HTTPClient
  private let logger: Logger
  private let tlsConfiguration: TLSConfiguration?
  private let clock = ContinuousClock()

  private enum TokenState {
    case none
    case ready(VaultTokenLease)
    /// `previous` stays usable until it expires.
    case acquiring(Task<Result<VaultTokenLease, VaultError>, Never>, previous: VaultTokenLease?)
  }

  private var state = TokenState.none
  private var renewalTimer: Task<Void, Never>?
  public private(set) var statistics = VaultClientStatistics()

  /// - Parameters:
  ///   - httpClient: `VaultHTTPClient.shared` by default; a client passed in stays the caller's to shut down.
  /// - Throws: `invalidConfiguration` when the CA file cannot be read.
  public init(
    configuration: VaultConfiguration, httpClient: HTTPClient = VaultHTTPClient.shared,
    logger: Logger = Logger(label: "vra-engine.vault")
  ) throws(VaultError) {
    self.configuration = configuration
    self.httpClient = httpClient
    var logger = logger
    logger[metadataKey: "vault.address"] = "\(configuration.address.absoluteString)"
    self.logger = logger
    if let path = configuration.caCertificatePath {
      do {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
        tlsConfiguration = tls
      } catch {
        throw .invalidConfiguration(reason: "cannot load the CA certificate file '\(path)' (VAULT_CACERT): \(error)")
      }
    } else {
      tlsConfiguration = nil
    }
  }

  /// A client configured from `VAULT_*` / `BAO_*` variables (see `VaultConfiguration.fromEnvironment`).
  public init(
    environment: [String: String], httpClient: HTTPClient = VaultHTTPClient.shared,
    logger: Logger = Logger(label: "vra-engine.vault")
  ) throws(VaultError) {
    try self.init(configuration: .fromEnvironment(environment), httpClient: httpClient, logger: logger)
  }

  deinit { renewalTimer?.cancel() }

  /// Stops the background renewal. The token is left as it is (not revoked).
  public func shutdown() {
    renewalTimer?.cancel()
    renewalTimer = nil
  }

  // MARK: - Reading

  /// The latest version of the KV v2 secret at `path`.
  public func read(_ path: VaultSecretPath) async throws(VaultError) -> VaultSecretData {
    let operation = "read"
    let response = try await authorized(.GET, path.dataAPIPath, operation: operation)
    switch response.status {
    case 200:
      guard let json = response.json, let data = json["data"]?["data"]?.objectValue else {
        throw .invalidResponse(operation: "read \(path)", reason: "no data.data object (is '\(path.mount)' KV v2?)")
      }
      statistics.reads += 1
      logger.debug(
        "vault secret read",
        metadata: ["vault.path": "\(path)", "vault.keys": "\(data.keys.sorted().joined(separator: ","))"])
      return VaultSecretData(
        path: path, version: json["data"]?["metadata"]?["version"]?.vaultInt,
        values: data.mapValues { Secret($0.secretText) })
    case 404:
      let mountMissing = response.errors.contains { $0.contains("no handler for route") }
      throw .secretNotFound(path: path, mountMissing: mountMissing)
    default:
      throw failure(response, operation: operation, path: path.dataAPIPath)
    }
  }

  /// One key of the KV v2 secret at `path`.
  public func read(_ path: VaultSecretPath, key: String) async throws(VaultError) -> Secret {
    try await read(path).value(forKey: key)
  }

  /// What the server says about the client's current token (obtaining one first if needed).
  public func tokenStatus() async throws(VaultError) -> VaultTokenStatus {
    let response = try await authorized(.GET, "/v1/auth/token/lookup-self", operation: "look up")
    guard response.status == 200 else {
      throw failure(response, operation: "look up", path: "auth/token/lookup-self")
    }
    return try Self.tokenStatus(response)
  }

  // MARK: - Token lifecycle

  /// Sends a request with a valid token. A 403 that the token's own lookup also refuses means the
  /// token died under us (revoked, or expired sooner than its TTL said): with AppRole the client
  /// logs in again and sends the request once more.
  private func authorized(
    _ method: HTTPMethod, _ apiPath: String, operation: String
  ) async throws(VaultError)
    -> VaultResponse
  {
    let lease = try await currentLease()
    let response = try await send(method, apiPath, token: lease.token)
    guard response.status == 403 else { return response }
    guard try await isRejected(lease.token) else { return response }
    logger.info(
      "vault token rejected; obtaining a new one", metadata: ["vault.auth": "\(configuration.authentication)"])
    let fresh = try await acquire(replacing: lease, forceLogin: true)
    return try await send(method, apiPath, token: fresh.token)
  }

  /// The lease to use now: the current one while valid (starting a background renewal once it is
  /// due), else the result of an acquisition (shared with concurrent callers).
  private func currentLease() async throws(VaultError) -> VaultTokenLease {
    let now = clock.now
    switch state {
    case .ready(let lease) where !lease.isExpired(at: now):
      if lease.isDueForRenewal(at: now) {
        Task { _ = try? await self.acquire(replacing: lease, forceLogin: false) }
      }
      return lease
    case .acquiring(_, let previous?) where !previous.isExpired(at: now):
      return previous
    case .ready(let lease):
      return try await acquire(replacing: lease, forceLogin: false)
    case .acquiring(let task, _):
      return try await task.value.get()
    case .none:
      return try await acquire(replacing: nil, forceLogin: false)
    }
  }

  /// Renews or replaces `current` (nil: obtains the first token), single flight: when an
  /// acquisition is already running its result is shared.
  private func acquire(
    replacing current: VaultTokenLease?, forceLogin: Bool
  ) async throws(VaultError)
    -> VaultTokenLease
  {
    switch state {
    case .acquiring(let task, _):
      return try await task.value.get()
    case .ready(let lease) where current == nil || lease.token != current?.token:
      return lease  // someone else already replaced the token this caller saw
    default:
      break
    }
    let task = Task { await self.obtain(replacing: current, forceLogin: forceLogin) }
    state = .acquiring(task, previous: current)
    let result = await task.value
    let now = clock.now
    switch result {
    case .success(let lease):
      state = .ready(lease)
      scheduleRenewal(of: lease)
    case .failure(let error):
      if let current, !current.isExpired(at: now), !forceLogin {
        logger.warning(
          "vault token renewal failed; the current token stays in use until it expires",
          metadata: ["error.class": "\(error.code)", "error.message": "\(error.message)"])
        let postponed = current.postponed(from: now)
        state = .ready(postponed)
        scheduleRenewal(of: postponed)
      } else {
        state = .none
      }
    }
    return try result.get()
  }

  /// The renew / login / lookup exchange behind an acquisition.
  private func obtain(
    replacing current: VaultTokenLease?, forceLogin: Bool
  ) async -> Result<VaultTokenLease, VaultError> {
    do throws(VaultError) {
      switch configuration.authentication {
      case .token(let token):
        if let current, current.renewable, !forceLogin {
          return .success(try await renew(current))
        }
        return .success(try await lookUp(token))
      case .appRole(let roleID, let secretID, let mount):
        if let current, current.renewable, !current.isCapped, !forceLogin {
          do {
            let renewed = try await renew(current)
            if !renewed.isCapped { return .success(renewed) }
            logger.info(
              "vault token renewal capped by its max TTL; logging in again",
              metadata: ["vault.ttl_seconds": "\(renewed.ttlSeconds)"])
          } catch {
            switch error {
            case .unreachable, .sealed, .cancelled: throw error
            default:
              logger.info(
                "vault token renewal refused; logging in again",
                metadata: ["error.class": "\(error.code)", "error.message": "\(error.message)"])
            }
          }
        }
        return .success(try await logIn(roleID: roleID, secretID: secretID, mount: mount))
      }
    } catch {
      return .failure(error)
    }
  }

  /// Wakes up at the lease's renewal time so an idle client keeps its token alive too.
  private func scheduleRenewal(of lease: VaultTokenLease) {
    renewalTimer?.cancel()
    renewalTimer = nil
    guard let renewAt = lease.renewAt else { return }
    renewalTimer = Task { [weak self, clock] in
      try? await Task.sleep(until: renewAt, clock: clock)
      guard !Task.isCancelled else { return }
      await self?.renewFromTimer(lease)
    }
  }

  private func renewFromTimer(_ lease: VaultTokenLease) async {
    guard case .ready(let current) = state, current.token == lease.token else { return }
    _ = try? await acquire(replacing: current, forceLogin: false)
  }

  private func renew(_ lease: VaultTokenLease) async throws(VaultError) -> VaultTokenLease {
    let sentAt = clock.now
    let response = try await send(.POST, "/v1/auth/token/renew-self", token: lease.token, body: Data("{}".utf8))
    guard response.status == 200 else {
      if response.status == 403 { throw .tokenInvalid(authentication: "\(configuration.authentication)") }
      throw failure(response, operation: "renew", path: "auth/token/renew-self")
    }
    let renewed = try makeLease(
      from: response, operation: "renew", sentAt: sentAt, creationTTL: lease.creationTTLSeconds)
    statistics.renewals += 1
    logger.info(
      "vault token renewed",
      metadata: ["vault.ttl_seconds": "\(renewed.ttlSeconds)", "vault.renewable": "\(renewed.renewable)"])
    return renewed
  }

  private func logIn(roleID: Secret, secretID: Secret, mount: String) async throws(VaultError) -> VaultTokenLease {
    let sentAt = clock.now
    let body = try? JSONEncoder().encode(["role_id": roleID.exposed, "secret_id": secretID.exposed])
    let response = try await send(.POST, "/v1/auth/\(mount)/login", token: nil, body: body)
    switch response.status {
    case 200:
      let lease = try makeLease(from: response, operation: "AppRole login", sentAt: sentAt, creationTTL: nil)
      statistics.logins += 1
      logger.info(
        "vault AppRole login",
        metadata: ["vault.auth_mount": "\(mount)", "vault.ttl_seconds": "\(lease.ttlSeconds)"])
      return lease
    case 400, 403:
      throw .appRoleLoginFailed(mount: mount, status: response.status)
    case 404 where response.errors.contains(where: { $0.contains("no handler for route") }):
      throw .invalidConfiguration(reason: "no AppRole auth method is enabled at auth/\(mount)")
    default:
      throw failure(response, operation: "AppRole login", path: "auth/\(mount)/login")
    }
  }

  /// The lease of a token given from outside, learnt from its lookup.
  private func lookUp(_ token: Secret) async throws(VaultError) -> VaultTokenLease {
    let sentAt = clock.now
    let response = try await send(.GET, "/v1/auth/token/lookup-self", token: token)
    switch response.status {
    case 200:
      let status = try Self.tokenStatus(response)
      logger.debug(
        "vault token looked up",
        metadata: ["vault.ttl_seconds": "\(status.ttl)", "vault.renewable": "\(status.renewable)"])
      return VaultTokenLease(
        token: token, ttlSeconds: status.ttl, renewable: status.renewable, creationTTLSeconds: status.creationTTL,
        obtainedAt: sentAt, renewalFraction: configuration.renewalFraction)
    case 403:
      throw .tokenInvalid(authentication: "\(configuration.authentication)")
    default:
      throw failure(response, operation: "look up", path: "auth/token/lookup-self")
    }
  }

  /// Whether the server refuses `token` itself (as opposed to a path its policies do not allow).
  private func isRejected(_ token: Secret) async throws(VaultError) -> Bool {
    try await send(.GET, "/v1/auth/token/lookup-self", token: token).status == 403
  }

  private func makeLease(
    from response: VaultResponse, operation: String, sentAt: ContinuousClock.Instant, creationTTL: Int?
  )
    throws(VaultError) -> VaultTokenLease
  {
    guard let auth = response.json?["auth"], let token = auth["client_token"]?.stringValue,
      let ttl = auth["lease_duration"]?.vaultInt
    else {
      throw .invalidResponse(operation: operation, reason: "no auth.client_token and auth.lease_duration")
    }
    return VaultTokenLease(
      token: Secret(token), ttlSeconds: ttl, renewable: auth["renewable"]?.boolValue ?? false,
      creationTTLSeconds: creationTTL, obtainedAt: sentAt, renewalFraction: configuration.renewalFraction)
  }

  private static func tokenStatus(_ response: VaultResponse) throws(VaultError) -> VaultTokenStatus {
    guard let data = response.json?["data"], let ttl = data["ttl"]?.vaultInt else {
      throw .invalidResponse(operation: "look up", reason: "no data.ttl")
    }
    return VaultTokenStatus(
      ttl: ttl, creationTTL: data["creation_ttl"]?.vaultInt ?? ttl, renewable: data["renewable"]?.boolValue ?? false,
      policies: data["policies"]?.arrayValue?.compactMap(\.stringValue) ?? [],
      lastRenewal: data["last_renewal_time"]?.vaultInt.map { Date(timeIntervalSince1970: TimeInterval($0)) })
  }

  // MARK: - HTTP

  /// The error for an answer no caller handled: sealed, permission, or an unexpected status.
  private func failure(_ response: VaultResponse, operation: String, path: String) -> VaultError {
    switch response.status {
    case 503 where response.saysSealed: .sealed(address: configuration.address.absoluteString)
    case 403: .permissionDenied(path: path.hasPrefix("/v1/") ? String(path.dropFirst(4)) : path, operation: operation)
    default:
      .unexpectedStatus(
        operation: "\(operation) \(path)", status: response.status, serverMessages: scrubbed(response.errors))
    }
  }

  /// Server messages without any credential this client knows, cut to a readable length.
  private func scrubbed(_ messages: [String]) -> [String] {
    var known = configuration.authentication.secretValues.map(\.exposed)
    if case .ready(let lease) = state { known.append(lease.token.exposed) }
    return messages.prefix(5).map { message in
      // Vault wraps messages as "1 error occurred:\n\t* ...": one line reads better in a log.
      var text = message.split(whereSeparator: \.isWhitespace).joined(separator: " ")
      text = String(text.prefix(300))
      for secret in known where secret.count >= 4 { text = text.replacingOccurrences(of: secret, with: "<redacted>") }
      return text
    }
  }

  private func send(
    _ method: HTTPMethod, _ apiPath: String, token: Secret?, body: Data? = nil
  ) async throws(VaultError)
    -> VaultResponse
  {
    let address = configuration.address.absoluteString
    let base = address.hasSuffix("/") ? String(address.dropLast()) : address
    var request = HTTPClientRequest(url: base + apiPath)
    request.method = method
    request.headers.add(name: "X-Vault-Request", value: "true")
    request.headers.add(name: "Accept", value: "application/json")
    if let token { request.headers.add(name: "X-Vault-Token", value: token.exposed) }
    if let namespace = configuration.namespace { request.headers.add(name: "X-Vault-Namespace", value: namespace) }
    if let body {
      request.headers.add(name: "Content-Type", value: "application/json")
      request.body = .bytes(ByteBuffer(bytes: body))
    }
    request.tlsConfiguration = tlsConfiguration
    let started = clock.now
    do {
      let response = try await httpClient.execute(request, timeout: TimeAmount(configuration.requestTimeout))
      let buffer = try await response.body.collect(upTo: 4 * 1024 * 1024)
      let status = Int(response.status.code)
      logger.debug(
        "vault request",
        metadata: [
          "http.method": "\(method.rawValue)", "vault.api_path": "\(apiPath)", "http.status": "\(status)",
          "http.duration_ms": "\((clock.now - started).milliseconds)",
        ])
      return VaultResponse(status: status, body: Data(buffer.readableBytesView))
    } catch {
      if Task.isCancelled || error is CancellationError { throw .cancelled }
      logger.debug(
        "vault request failed",
        metadata: ["http.method": "\(method.rawValue)", "vault.api_path": "\(apiPath)", "error.class": "unreachable"])
      throw .unreachable(address: address, reason: String(describing: error))
    }
  }
}

/// What a `VaultClient` has done, for tests and diagnostics.
public struct VaultClientStatistics: Sendable, Hashable {
  public var logins = 0
  public var renewals = 0
  public var reads = 0
}
