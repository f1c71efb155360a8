import Foundation
import Testing

@testable import EngineServer

@Suite("API tokens")
struct APITokenTests {
  @Test("a generated token is vre_ and 32 random bytes in base64url, different every time")
  func generate() {
    let tokens = (0..<50).map { _ in APIToken.generate() }
    #expect(Set(tokens).count == tokens.count)
    for token in tokens {
      #expect(token.hasPrefix("vre_"))
      let body = token.dropFirst(4)
      #expect(body.count == 43)
      #expect(Base64URL.isAlphabet(body))
      #expect(Base64URL.decode(body)?.count == 32)
      #expect(!UnverifiedJWT.isJWTShaped(token))
    }
  }

  @Test("the hash line is sha256: and the token's SHA-256 in lowercase hex")
  func hashLine() {
    #expect(
      APIToken.hashLine(of: "abc") == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    let token = APIToken.generate()
    #expect(APIToken.checkHashLine(APIToken.hashLine(of: token)) == .valid)
    #expect(APIToken.digest(ofHashLine: APIToken.hashLine(of: token)) == APIToken.digest(of: token))
    #expect(APIToken.checkHashLine(token) == .rawToken)
    #expect(
      APIToken.checkHashLine(
        APIToken.hashLine(of: token).uppercased().replacingOccurrences(of: "SHA256", with: "sha256")) == .uppercase)
    #expect(APIToken.checkHashLine("sha256:abc") == .malformed)
  }

  @Test("constant-time comparison: equal only for the same bytes and length")
  func constantTime() {
    #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
    #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
    #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
    #expect(ConstantTime.equals([], []))
  }

  @Test("a configured token proves its tenant; any other token, or no Bearer header, proves none")
  func matchAndMismatch() async throws {
    let tokenA = APIToken.generate()
    let tokenB = APIToken.generate()
    let stranger = APIToken.generate()
    let directory = TenantDirectory(
      ServeConfiguration(
        file: "/serve.yaml", listen: .init(host: "127.0.0.1", port: 0), statePath: "/state.db",
        tenants: [
          TenantConfiguration(name: "team-a", tokenHashes: [APIToken.hashLine(of: tokenA)]),
          TenantConfiguration(
            name: "team-b", tokenHashes: [APIToken.hashLine(of: "old"), APIToken.hashLine(of: tokenB)]),
        ]))
    let authenticator = TenantAuthenticator(directory: directory)

    let identityA = try await authenticator.authenticate(authorization: "Bearer \(tokenA)").get()
    let prefixA = String(APIToken.hashLine(of: tokenA).dropFirst("sha256:".count).prefix(8))
    #expect(identityA == TenantIdentity(tenant: "team-a", method: .apiToken, principal: "token:\(prefixA)"))
    #expect(try await authenticator.authenticate(authorization: "bearer  \(tokenB)").get().tenant == "team-b")

    for (header, expected) in [
      ("Bearer \(stranger)", AuthFailure.unknownToken),
      ("Bearer \(tokenA)x", .unknownToken),
      ("Basic \(tokenA)", .malformedHeader),
      ("Bearer", .malformedHeader),
      ("Bearer \(tokenA) \(tokenA)", .malformedHeader),
    ] {
      let result = await authenticator.authenticate(authorization: header)
      #expect(throws: expected) { try result.get() }
      if case .failure(let failure) = result {
        #expect(!failure.message.contains(tokenA) && !failure.message.contains(stranger))
      }
    }
    await #expect(throws: AuthFailure.missingCredentials) {
      try await authenticator.authenticate(authorization: nil).get()
    }

    // A reload that drops team-a's token takes effect on the next request.
    var edited = directory.current
    edited.tenants[0].tokenHashes = []
    directory.replace(with: edited)
    await #expect(throws: AuthFailure.unknownToken) {
      try await authenticator.authenticate(authorization: "Bearer \(tokenA)").get()
    }
  }
}
