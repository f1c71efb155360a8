import Engine
import Foundation
import Testing
import VRAClient

@Suite struct EndpointSettingsTests {
  @Test func nothingConfiguredMeansTheEmbeddedSimulator() throws {
    #expect(try EndpointSettings.resolve(endpointFlag: nil, insecure: false, environment: [:]) == nil)
  }

  @Test func flagBeatsEnvironmentAndRefreshTokenBeatsPassword() throws {
    let settings = try #require(
      try EndpointSettings.resolve(
        endpointFlag: "https://vra.flag.local", insecure: true,
        environment: [
          "VRA_URL": "https://vra.env.local", "VRA_REFRESH_TOKEN": "canary-refresh", "VRA_USERNAME": "u",
          "VRA_PASSWORD": "p",
        ]))
    #expect(settings.endpoint.host == "vra.flag.local")
    #expect(settings.insecureSkipVerify)
    guard case .auto(let token, _) = settings.authentication else {
      Issue.record("expected the refresh token, got \(settings.authentication)")
      return
    }
    #expect(token.exposed == "canary-refresh")
    #expect(!"\(settings.authentication)".contains("canary-refresh"), "credentials never print")
  }

  @Test func passwordNeedsBothHalves() {
    #expect(throws: EndpointSettingsError.self) {
      _ = try EndpointSettings.resolve(
        endpointFlag: nil, insecure: false, environment: ["VRA_URL": "https://v.local", "VRA_USERNAME": "admin"])
    }
  }

  @Test(arguments: [
    ["VRA_URL": "https://v.local"],
    ["VRA_URL": "ftp://v.local", "VRA_ACCESS_TOKEN": "t"],
    ["VRA_URL": "not a url", "VRA_ACCESS_TOKEN": "t"],
    ["VRA_REFRESH_TOKEN": "orphan"],
  ])
  func halfAConfigurationIsAnError(_ environment: [String: String]) {
    #expect(throws: EndpointSettingsError.self) {
      _ = try EndpointSettings.resolve(endpointFlag: nil, insecure: false, environment: environment)
    }
  }
}
