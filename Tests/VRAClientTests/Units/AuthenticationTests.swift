import Credentials
import Foundation
import TestSupport
import Testing

@testable import VRAClient

@Suite("Authentication.auto")
struct AuthenticationTests {
  static let token: Secret = "auto-token-value"

  @Test(
    "an on-prem endpoint uses the refresh-token login",
    arguments: [
      "https://vra.corp.example.com", "https://10.0.0.12", "http://127.0.0.1:8080",
      "https://cloud.vmware.com.attacker.example",
    ])
  func onPrem(endpoint: String) throws {
    let resolved = Authentication.auto(token: Self.token).resolved(for: try #require(URL(string: endpoint)))
    guard case .refreshToken(let token) = resolved else {
      Issue.record("\(endpoint): expected .refreshToken, got \(resolved)")
      return
    }
    #expect(token == Self.token)
    #expect(resolved.makeProvider() is RefreshTokenProvider)
  }

  @Test(
    "a vRA Cloud host uses the CSP API-token flow at the CSP console",
    arguments: [
      "https://api.mgmt.cloud.vmware.com", "https://de.api.mgmt.cloud.vmware.com", "https://API.MGMT.CLOUD.VMWARE.COM",
    ])
  func cloud(endpoint: String) throws {
    let resolved = Authentication.auto(token: Self.token).resolved(for: try #require(URL(string: endpoint)))
    guard case .apiToken(let token, let identityURL) = resolved else {
      Issue.record("\(endpoint): expected .apiToken, got \(resolved)")
      return
    }
    #expect(token == Self.token)
    #expect(identityURL?.absoluteString == "https://console.cloud.vmware.com")
    let provider = try #require(resolved.makeProvider() as? CSPAPITokenProvider)
    #expect(provider.identityURL?.host == "console.cloud.vmware.com")
  }

  @Test("a given identity URL is kept; other cases are not changed")
  func explicitIdentityURL() throws {
    let identity = try #require(URL(string: "https://console-stg.cloud.vmware.com"))
    let cloud = try #require(URL(string: "https://api.mgmt.cloud.vmware.com"))
    guard
      case .apiToken(_, let kept) = Authentication.auto(token: Self.token, identityURL: identity).resolved(for: cloud)
    else {
      Issue.record("expected .apiToken")
      return
    }
    #expect(kept == identity)
    guard case .refreshToken = Authentication.refreshToken(Self.token).resolved(for: cloud) else {
      Issue.record("an explicit .refreshToken must stay one, whatever the host")
      return
    }
  }

  @Test("VRAClient resolves .auto when it is made")
  func clientResolves() throws {
    let client = try VRAClient(
      configuration: VRAClientConfiguration(
        endpoint: try #require(URL(string: "https://api.mgmt.cloud.vmware.com")),
        authentication: .auto(token: Self.token),
        logger: ClientFixture.quietLogger))
    guard case .apiToken = client.configuration.authentication else {
      Issue.record("expected .apiToken, got \(client.configuration.authentication)")
      return
    }
  }

  @Test("against an on-prem simulator, .auto logs in at /iaas/api/login and never at the CSP endpoint")
  func autoAgainstSimulator() async throws {
    try await SimulatorHarness.with { harness in
      let token = try await ClientFixture.refreshToken(harness)
      let client = try VRAClient(
        configuration: ClientFixture.configuration(harness, authentication: .auto(token: token)))
      #expect(try await !client.iaasProjects().content.isEmpty)
      let stats = await harness.server.stats()
      #expect(stats.count("POST /iaas/api/login", status: 200) == 1)
      #expect(stats.count("POST /csp/gateway/am/api/auth/api-tokens/authorize") == 0)
    }
  }
}
