import Foundation
import Hummingbird
import Logging
import Synchronization
import Testing
import VRAModels
import VRASimulator

@testable import EngineServer

@Suite("OIDC JWTs")
struct OIDCVerifierTests {
  static let settings = OIDCSettings(
    issuer: "https://ci.example/", audience: "vra-engine", keys: .file("/unused"), claimValue: "team-a")

  /// A verifier of tenant team-a reading `issuer`'s keys from a file.
  static func fileVerifier(
    _ issuer: TestIssuer, settings: OIDCSettings = settings, now: @escaping @Sendable () -> Date = { Date() }
  ) throws -> OIDCVerifier {
    let fixture = try ConfigDirectory()
    var settings = settings
    settings.keys = .file(try fixture.write("jwks.json", issuer.jwks()))
    return OIDCVerifier(tenant: "team-a", settings: settings, now: now)
  }

  @Test("a valid token proves the tenant, with its sub as the principal")
  func valid() async throws {
    let issuer = await TestIssuer.make()
    let verifier = try Self.fileVerifier(issuer)
    let identity = try await verifier.verify(issuer.token(subject: "repo:corp/app")).get()
    #expect(identity == TenantIdentity(tenant: "team-a", method: .oidc, principal: "repo:corp/app"))
    // aud may be a list that contains the audience.
    let listed = try await issuer.token(audience: ["other", "vra-engine"])
    #expect(try await verifier.verify(listed).get().tenant == "team-a")
  }

  @Test("expired tokens are refused beyond the 30 s leeway, accepted within it; nbf likewise")
  func expiry() async throws {
    let issuer = await TestIssuer.make()
    let verifier = try Self.fileVerifier(issuer)
    await #expect(throws: AuthFailure.expired) { try await verifier.verify(issuer.token(expiresIn: -45)).get() }
    #expect(try await verifier.verify(issuer.token(expiresIn: -10)).get().tenant == "team-a")
    let later = Int(Date().timeIntervalSince1970) + 120
    await #expect(throws: AuthFailure.notYetValid) {
      try await verifier.verify(issuer.token(overrides: ["nbf": .int(later)])).get()
    }
    await #expect(throws: AuthFailure.missingClaim("exp")) {
      try await verifier.verify(issuer.token(overrides: ["exp": .null])).get()
    }
  }

  @Test("a token for another issuer, audience or tenant is refused, each for its reason")
  func wrongClaims() async throws {
    let issuer = await TestIssuer.make()
    let verifier = try Self.fileVerifier(issuer)
    await #expect(throws: AuthFailure.wrongIssuer) {
      try await verifier.verify(issuer.token(overrides: ["iss": "https://ci.example"])).get()
    }
    await #expect(throws: AuthFailure.wrongAudience) {
      try await verifier.verify(issuer.token(audience: "other")).get()
    }
    await #expect(throws: AuthFailure.wrongAudience) {
      try await verifier.verify(issuer.token(overrides: ["aud": .null])).get()
    }
    await #expect(throws: AuthFailure.claimMismatch) { try await verifier.verify(issuer.token(tenant: "team-b")).get() }
    await #expect(throws: AuthFailure.claimMismatch) {
      try await verifier.verify(issuer.token(overrides: ["tenant": .null])).get()
    }
    await #expect(throws: AuthFailure.missingClaim("sub")) {
      try await verifier.verify(issuer.token(overrides: ["sub": .null])).get()
    }
  }

  @Test("a token signed with another key under a published kid fails its signature")
  func badSignature() async throws {
    let issuer = await TestIssuer.make()
    let impostor = await TestIssuer.make()
    let verifier = try Self.fileVerifier(issuer)
    await #expect(throws: AuthFailure.badSignature) { try await verifier.verify(impostor.token()).get() }
    // Tampered claims: the signature no longer matches.
    let token = try await issuer.token()
    var parts = token.split(separator: ".").map(String.init)
    let claims = try #require(Base64URL.decode(parts[1]))
    let forged = String(decoding: claims, as: UTF8.self).replacingOccurrences(of: "team-a", with: "team-b")
    parts[1] = Base64URL.encode(Data(forged.utf8))
    await #expect(throws: AuthFailure.badSignature) { try await verifier.verify(parts.joined(separator: ".")).get() }
    await #expect(throws: AuthFailure.malformedJWT) { try await verifier.verify("a.b.c").get() }
  }

  @Test("an unknown kid is refused; from a JWKS URL, fetched again at most once a minute, so a rotation is found")
  func unknownKeyThenRotation() async throws {
    let issuer = await TestIssuer.make(keyIDs: ["key-1", "key-2"])
    try await JWKSServer.with(serving: issuer.jwks(["key-1"])) { server in
      let clock = Mutex(Date())
      let verifier = OIDCVerifier(
        tenant: "team-a",
        settings: OIDCSettings(
          issuer: issuer.issuer, audience: "vra-engine", keys: .url(server.url), claimValue: "team-a"),
        now: { clock.withLock { $0 } })

      #expect(try await verifier.verify(issuer.token(keyID: "key-1")).get().tenant == "team-a")
      #expect(server.requests == 1)
      // Cached: no fetch for a known key.
      #expect(try await verifier.verify(issuer.token(keyID: "key-1")).get().tenant == "team-a")
      #expect(server.requests == 1)

      // The issuer rotates to key-2. Within the minute, an unknown kid does not fetch again.
      server.serve(issuer.jwks(["key-2"]))
      clock.withLock { $0 += 10 }
      let rotated = try await issuer.token(keyID: "key-2", now: clock.withLock { $0 })
      await #expect(throws: AuthFailure.unknownKey) { try await verifier.verify(rotated).get() }
      await #expect(throws: AuthFailure.unknownKey) { try await verifier.verify(issuer.token(keyID: "made-up")).get() }
      #expect(server.requests == 1)

      // A minute after the last fetch it does, and the new key verifies; the old one is gone.
      clock.withLock { $0 += 51 }
      #expect(try await verifier.verify(rotated).get().tenant == "team-a")
      #expect(server.requests == 2)
      await #expect(throws: AuthFailure.unknownKey) {
        try await verifier.verify(issuer.token(keyID: "key-1", now: clock.withLock { $0 })).get()
      }
      #expect(server.requests == 2)
    }
  }

  @Test("a JWKS file with unknown kid: refused without any fetch")
  func unknownKeyFromFile() async throws {
    let issuer = await TestIssuer.make(keyIDs: ["key-1", "key-2"])
    let fixture = try ConfigDirectory()
    let verifier = OIDCVerifier(
      tenant: "team-a",
      settings: OIDCSettings(
        issuer: issuer.issuer, audience: "vra-engine",
        keys: .file(try fixture.write("jwks.json", issuer.jwks(["key-1"]))),
        claimValue: "team-a"))
    await #expect(throws: AuthFailure.unknownKey) { try await verifier.verify(issuer.token(keyID: "key-2")).get() }
    #expect(try await verifier.verify(issuer.token(keyID: "key-1")).get().tenant == "team-a")
  }

  @Test("the authenticator sends a JWT to the tenants trusting its issuer, and no further")
  func authenticatorRouting() async throws {
    let issuer = await TestIssuer.make()
    let fixture = try ConfigDirectory()
    try fixture.write("jwks.json", issuer.jwks())
    let configuration = try ServeConfiguration.parse(
      """
      tenants:
        - name: team-a
          oidc: {issuer: "\(issuer.issuer)", audience: vra-engine, jwksFile: jwks.json}
        - name: team-b
          oidc: {issuer: "\(issuer.issuer)", audience: vra-engine, jwksFile: jwks.json, claim: team, claimValue: b}
      """, file: fixture.configPath)
    let authenticator = TenantAuthenticator(directory: TenantDirectory(configuration))

    let teamA = try await authenticator.authenticate(authorization: "Bearer \(issuer.token())").get()
    #expect(teamA.tenant == "team-a" && teamA.method == .oidc)
    let teamB = try await issuer.token(tenant: "x", overrides: ["team": "b"])
    #expect(try await authenticator.authenticate(authorization: "Bearer \(teamB)").get().tenant == "team-b")

    let both = try await issuer.token(overrides: ["team": "b"])
    await #expect(throws: AuthFailure.ambiguousTenant) {
      try await authenticator.authenticate(authorization: "Bearer \(both)").get()
    }
    await #expect(throws: AuthFailure.claimMismatch) {
      try await authenticator.authenticate(authorization: "Bearer \(issuer.token(tenant: "team-c"))").get()
    }
    await #expect(throws: AuthFailure.expired) {
      try await authenticator.authenticate(authorization: "Bearer \(issuer.token(expiresIn: -300))").get()
    }
    let foreign = try await TestIssuer.make(issuer: "https://elsewhere.example/").token()
    await #expect(throws: AuthFailure.unknownIssuer) {
      try await authenticator.authenticate(authorization: "Bearer \(foreign)").get()
    }
    let notJSON = "eyJhbGciOiJFUzI1NiJ9.bm90LWpzb24.c2ln"
    await #expect(throws: AuthFailure.malformedJWT) {
      try await authenticator.authenticate(authorization: "Bearer \(notJSON)").get()
    }
  }
}

/// A tiny issuer endpoint serving a JWKS document that the test can replace, counting fetches.
final class JWKSServer: Sendable {
  private let document: Mutex<(jwks: String, requests: Int)>
  let url: URL

  private init(jwks: String, port: Int) {
    document = Mutex((jwks, 0))
    url = URL(string: "http://127.0.0.1:\(port)/.well-known/jwks.json")!
  }

  /// Serves `jwks` on 127.0.0.1 (any free port) while `body` runs.
  static func with(serving jwks: String, _ body: (JWKSServer) async throws -> Void) async throws {
    let box = Mutex<JWKSServer?>(nil)
    let router = Router()
    router.get(".well-known/jwks.json") { _, _ -> Response in
      let text = box.withLock { $0 }?.document.withLock { document in
        document.requests += 1
        return document.jwks
      }
      return Response(
        status: .ok, headers: [.contentType: "application/json"],
        body: .init(byteBuffer: ByteBuffer(string: text ?? "")))
    }
    try await BackgroundServer.serving(
      router: router, host: "127.0.0.1", port: 0, logger: Logger(label: "jwks-server")
    ) { port in
      let server = JWKSServer(jwks: jwks, port: port)
      box.withLock { $0 = server }
      try await body(server)
    }
  }

  var requests: Int { document.withLock { $0.requests } }

  func serve(_ jwks: String) { document.withLock { $0.jwks = jwks } }
}
