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
/// The token's life is a `CredentialLifecycle` of `VaultTokenLease`s, which this actor drives:
/// ```
/// none ──first use──► acquiring ──► ready ──renewAt (the idle timer, or the first use after it)──► renewing
///                        │  ▲                                                                          │
///                        │  └── renew-self; AppRole: a new login when renewal is refused or capped ◄───┘
///                        └─ failure: the previous lease stays in use while it is valid (the next renewal
///                           halfway to its expiry), else none (the error is thrown to every waiter)
/// ```
/// One acquisition at a time: concurrent callers share it (single flight). While a renewal runs,
/// callers keep using the current token until it expires. The time comes from `clock`, so tests
/// drive the schedule with a manual clock.
///
/// Values are returned as `Secret`s and kept nowhere by this client: no cache, no log line, no
/// error message holds one. `SecretResolver` caches reads in memory.
public actor VaultClient {
  typealias Lifecycle = CredentialLifecycle<VaultTokenLease>

  public nonisolated let configuration: VaultConfiguration
  private let httpClient: HTTPClient
  private let logger: Logger
  private let tlsConfiguration: TLSConfiguration?
  private let clock: CredentialClock

  /// A failed renewal is tried again halfway to the token's expiry, at least this much later.
  static let renewalRetryDelay: Duration = .milliseconds(250)

  private var lifecycle = Lifecycle(
    configuration: .init(
      renewsWhileIdle: true, retryDelay: VaultClient.renewalRetryDelay, retryShareOfRemainingLifetime: 0.5))
  private var waiters: [Lifecycle.WaiterID: CheckedContinuation<VaultTokenLease, any Error>] = [:]
  private var nextWaiter: UInt64 = 0
  private var renewalTimer: Task<Void, Never>?
  public private(set) var statistics = VaultClientStatistics()

  /// - Parameters:
  ///   - httpClient: `VaultHTTPClient.shared` by default; a client passed in stays the caller's to shut down.
  ///   - clock: what the token schedule runs on (tests pass a manual clock).
  /// - Throws: `invalidConfiguration` when the CA file cannot be read.
  public init(
    configuration: VaultConfiguration, httpClient: HTTPClient = VaultHTTPClient.shared,
    logger: Logger = Logger(label: "vra-engine.vault"), clock: CredentialClock = .continuous
  ) throws(VaultError) {
    self.configuration = configuration
    self.httpClient = httpClient
    self.clock = clock
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
    logger: Logger = Logger(label: "vra-engine.vault"), clock: CredentialClock = .continuous
  ) throws(VaultError) {
    try self.init(
      configuration: .fromEnvironment(environment), httpClient: httpClient, logger: logger, clock: clock)
  }

  deinit { renewalTimer?.cancel() }

  /// Stops the background renewal. The token is left as it is (not revoked); a use after its
  /// renewal time still renews it.
  public func shutdown() {
    perform(lifecycle.stopRenewingWhileIdle())
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
    let lease = try await obtainLease { lifecycle, waiter, now in lifecycle.credentialNeeded(by: waiter, now: now) }
    let response = try await send(method, apiPath, token: lease.token)
    guard response.status == 403 else { return response }
    guard try await isRejected(lease.token) else { return response }
    logger.info(
      "vault token rejected; obtaining a new one", metadata: ["vault.auth": "\(configuration.authentication)"])
    let fresh = try await obtainLease { lifecycle, waiter, now in
      lifecycle.credentialRejected(lease, by: waiter, now: now)
    }
    return try await send(method, apiPath, token: fresh.token)
  }

  /// Feeds one caller's event to the lifecycle and does what it says: hand out the current
  /// lease, start a renewal, or wait (cancellably) for the one in flight.
  private func obtainLease(
    _ event: (inout Lifecycle, Lifecycle.WaiterID, ContinuousClock.Instant) -> Lifecycle.RequestAction
  ) async throws(VaultError) -> VaultTokenLease {
    nextWaiter += 1
    let waiter = Lifecycle.WaiterID(nextWaiter)
    do {
      return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
          // One turn of the actor: a renewal cannot end between the event and the registration.
          guard !Task.isCancelled else { return continuation.resume(throwing: VaultError.cancelled) }
          switch event(&lifecycle, waiter, clock.now) {
          case .use(let lease):
            continuation.resume(returning: lease)
          case .useAndStartRefresh(let lease, let refresh):
            continuation.resume(returning: lease)
            start(refresh)
          case .wait(let refresh):
            waiters[waiter] = continuation
            if let refresh { start(refresh) }
          }
        }
      } onCancel: {
        Task { await self.cancel(waiter) }
      }
    } catch let error as VaultError {
      throw error
    } catch {
      throw .cancelled
    }
  }

  private func cancel(_ waiter: Lifecycle.WaiterID) {
    guard lifecycle.waiterCancelled(waiter) == .failWithCancellation else { return }
    waiters.removeValue(forKey: waiter)?.resume(throwing: VaultError.cancelled)
  }

  /// Runs `refresh` in a task of its own: it outlives any one (possibly cancelled) caller.
  private func start(_ refresh: Lifecycle.Refresh) {
    Task {
      let result = await self.obtain(replacing: refresh.replacing, forceLogin: refresh.forcesLogin)
      self.complete(result)
    }
  }

  private func complete(_ result: Result<VaultTokenLease, VaultError>) {
    let now = clock.now
    let action =
      switch result {
      case .success(let lease): lifecycle.refreshSucceeded(with: lease, now: now)
      case .failure: lifecycle.refreshFailed(now: now)
      }
    switch action {
    case .resumeWaiters(let ids, let lease, let timer):
      perform(timer)
      for id in ids { waiters.removeValue(forKey: id)?.resume(returning: lease) }
    case .failWaiters(let ids, let kept, let timer):
      if kept != nil, case .failure(let error) = result {
        logger.warning(
          "vault token renewal failed; the current token stays in use until it expires",
          metadata: ["error.class": "\(error.code)", "error.message": "\(error.message)"])
      }
      perform(timer)
      for id in ids { waiters.removeValue(forKey: id)?.resume(with: result.mapError { $0 as any Error }) }
    }
  }

  /// Arms or cancels the timer that renews the token of an idle client.
  private func perform(_ timer: Lifecycle.TimerAction) {
    switch timer {
    case .none:
      break
    case .cancel:
      renewalTimer?.cancel()
      renewalTimer = nil
    case .schedule(let instant):
      renewalTimer?.cancel()
      renewalTimer = Task { [weak self, clock] in
        do {
          try await clock.sleep(until: instant)
        } catch {
          return  // cancelled: replaced by a newer timer, or shut down
        }
        await self?.renewalTimerFired()
      }
    }
  }

  private func renewalTimerFired() {
    switch lifecycle.renewalTimerFired(now: clock.now) {
    case .none: break
    case .startRefresh(let refresh): start(refresh)
    case .schedule(let instant): perform(.schedule(at: instant))
    }
  }

  /// The renew / login / lookup exchange behind an acquisition: renews `current` while it is
  /// renewable (AppRole: logs in again when renewal is refused or capped); `forceLogin` after
  /// the server refused it.
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
    if let lease = lifecycle.current { known.append(lease.token.exposed) }
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
    let started = ContinuousClock.now
    do {
      let response = try await httpClient.execute(request, timeout: TimeAmount(configuration.requestTimeout))
      let buffer = try await response.body.collect(upTo: 4 * 1024 * 1024)
      let status = Int(response.status.code)
      logger.debug(
        "vault request",
        metadata: [
          "http.method": "\(method.rawValue)", "vault.api_path": "\(apiPath)", "http.status": "\(status)",
          "http.duration_ms": "\((ContinuousClock.now - started).milliseconds)",
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

extension CredentialLifecycle.Refresh where Credential == VaultTokenLease {
  /// After a refusal, renewing the token cannot help: log in again (or look the token up).
  var forcesLogin: Bool {
    if case .replaceRejected = self { return true }
    return false
  }
}
