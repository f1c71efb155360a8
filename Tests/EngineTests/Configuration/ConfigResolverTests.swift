import Configuration
import Engine
import Foundation
import Testing

@Suite("Layered configuration: flags > environment > profile > file")
struct ConfigResolverTests {
  static let text = """
    defaultProfile = "lab"
    [polling]
    min = "200ms"
    max = "20s"
    [retry]
    maxAttempts = 3
    [profiles.lab]
    endpoint.url = "https://vra.lab.local"
    auth.refreshToken = "vault:secret/vra#token"
    polling.max = "5s"
    [profiles.prod]
    endpoint.url = "https://vra.corp.local"
    auth.username = "svc"
    auth.password = "Canary-Literal-Password-77"
    """

  /// Layers `text` as a real file through `ConfigurationLoader` (the provider `apply` uses).
  static func resolve(
    flags: [SettingKey: (flag: String, value: String)] = [:], environment: [String: String] = [:],
    profile: String? = nil,
    text: String = text
  ) async throws -> ResolvedConfiguration {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("vra-engine.toml").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    let loader = ConfigurationLoader(
      configFlag: path, profileFlag: profile, flags: flags, environment: environment, currentDirectory: directory.path)
    return try await loader.load().configuration
  }

  @Test func eachLayerWinsOverTheNextAndNamesItself() async throws {
    let resolved = try await Self.resolve(
      flags: [.pollingMin: ("--poll-min", "1s")], environment: ["VRA_ENGINE_RETRY_MAX_ATTEMPTS": "7"])
    #expect(resolved.profile == "lab", "the file's defaultProfile")
    #expect(resolved.duration(.pollingMin) == .seconds(1))
    #expect(resolved.values[.pollingMin]?.source == .flag("--poll-min"))
    #expect(resolved.number(.retryMaxAttempts) == 7)
    #expect(resolved.values[.retryMaxAttempts]?.source == .environment("VRA_ENGINE_RETRY_MAX_ATTEMPTS"))
    #expect(resolved.duration(.pollingMax) == .seconds(5), "the profile beats the top level")
    guard case .file(_, "lab", let location)? = resolved.values[.pollingMax]?.source else {
      Issue.record("\(String(describing: resolved.values[.pollingMax]))")
      return
    }
    #expect(location.line == 10)
    #expect(resolved.text(.endpointURL) == "https://vra.lab.local")
  }

  @Test func anotherProfileAndTheTopLevelFillIn() async throws {
    let resolved = try await Self.resolve(profile: "prod")
    #expect(resolved.duration(.pollingMax) == .seconds(20), "prod has none: the top level's")
    #expect(resolved.number(.retryMaxAttempts) == 3)
    #expect(resolved.displayValue(.authPassword) == "<redacted>")
    let lab = try await Self.resolve(profile: "lab")
    #expect(lab.displayValue(.authRefreshToken) == "vault:secret/vra#token", "a reference is shown as written")
  }

  @Test func theTerraformVariablesAndEveryVRAEngineVariableAreRead() throws {
    for spec in ConfigCatalog.keys {
      let value: String =
        switch spec.kind {
        case .url: "https://vra.env.local"
        case .bool: "true"
        case .duration: "3s"
        case .integer(let range): String(range.lowerBound)
        case .choice(let values): values[values.count - 1]
        default: "value-\(spec.key)"
        }
      let resolved = try ConfigResolver.resolve(
        flags: [:], environment: [spec.environmentName: value], file: nil, profile: nil)
      #expect(resolved.values[spec.key]?.source == .environment(spec.environmentName), "\(spec.key)")
      #expect(resolved.values.count == 1, "\(spec.environmentName) sets \(spec.key) only")
    }
    #expect(ConfigCatalog.spec("endpoint.url")?.environmentName == "VRA_URL")
    #expect(ConfigCatalog.spec("log.level")?.environmentName == "VRA_ENGINE_LOG_LEVEL")
    #expect(ConfigCatalog.spec("telemetry.metricsPort")?.environmentName == "VRA_ENGINE_TELEMETRY_METRICS_PORT")
  }

  @Test("each typed key has its own spec, found by the key or by the name a file writes")
  func typedKeysAndTheirSpecs() {
    #expect(ConfigCatalog.keys.map(\.key) == SettingKey.allCases, "config show lists the keys in declaration order")
    for key in SettingKey.allCases {
      #expect(key.spec.key == key, "\(key)")
      #expect(ConfigCatalog.spec(key.rawValue)?.key == key, "\(key)")
    }
    #expect(SettingKey.pollingMin.rawValue == "polling.min" && SettingKey.pollingMin.section == "polling")
    #expect(ConfigCatalog.spec("polling.minimum") == nil)
  }

  @Test func badValuesFromAnyLayerAreReportedTogetherWithTheirSource() async {
    do {
      _ = try await Self.resolve(
        flags: [.pollingMin: ("--poll-min", "soon")],
        environment: [
          "VRA_ENGINE_CONCURRENCY_PARALLELISM": "0", "VRA_URL": "vra.no-scheme", "VRA_ENGINE_LOG_LEVEL": "",
        ],
        profile: "nope")
      Issue.record("resolved")
    } catch let error as ConfigError {
      let text = error.description
      #expect(error.problems.count == 4, "\(text)")
      #expect(text.contains("--poll-min: polling.min") && text.contains("VRA_ENGINE_CONCURRENCY_PARALLELISM"))
      #expect(text.contains("VRA_URL: endpoint.url") && text.contains("no such profile"))
    } catch {
      Issue.record("\(error)")
    }
  }

  @Test func aFileWithProblemsIsRefusedWhole() async {
    do {
      _ = try await Self.resolve(text: Self.text + "\n[polling]\n")
      Issue.record("resolved")
    } catch let error as ConfigError {
      #expect(error.problems.first?.source.hasSuffix("vra-engine.toml") == true, "\(error)")
    } catch {
      Issue.record("\(error)")
    }
  }

  @Test func aShortestPollLongerThanTheLongestIsRefusedWhateverTheLayers() async {
    do {
      _ = try await Self.resolve(flags: [.pollingMin: ("--poll-min", "30s")], profile: "lab")
      Issue.record("resolved")
    } catch let error as ConfigError {
      #expect(error.description.contains("flag --poll-min: polling.min: 30s is longer than polling.max 5s"), "\(error)")
      #expect(error.description.contains("(profile lab)"))
    } catch {
      Issue.record("\(error)")
    }
  }

  @Test func aProfileWithoutAFileIsAnError() {
    #expect(throws: ConfigError.self) {
      try ConfigResolver.resolve(flags: [:], environment: [:], file: nil, profile: "lab")
    }
  }

  @Test func endpointSettingsComeFromTheProfile() async throws {
    let resolved = try await Self.resolve(
      environment: ["VRA_ENGINE_TLS_INSECURE": "true", "VRA_ENGINE_ENDPOINT_ORG": "acme"], profile: "prod")
    let settings = try #require(try EndpointSettings.resolve(from: resolved))
    #expect(settings.endpoint.host == "vra.corp.local")
    #expect(settings.insecureSkipVerify && settings.organization == "acme")
    #expect(settings.retry.maxAttempts == 3)
    guard case .password(let user, let password, _) = settings.authentication else {
      Issue.record("\(settings.authentication)")
      return
    }
    #expect(user == "svc" && password.exposed == "Canary-Literal-Password-77")
  }

  @Test func flavorAndMethodPickTheLogin() async throws {
    let cloud = try #require(
      try EndpointSettings.resolve(
        from: try await Self.resolve(
          environment: ["VRA_ENGINE_ENDPOINT_FLAVOR": "cloud", "VRA_REFRESH_TOKEN": "api-token-1234"], profile: "lab")))
    guard case .apiToken(let token, _) = cloud.authentication else {
      Issue.record("\(cloud.authentication)")
      return
    }
    #expect(token.exposed == "api-token-1234")
    let onprem = try #require(
      try EndpointSettings.resolve(
        from: try await Self.resolve(environment: ["VRA_ENGINE_ENDPOINT_FLAVOR": "onprem"], profile: "lab")))
    guard case .refreshToken = onprem.authentication else {
      Issue.record("\(onprem.authentication)")
      return
    }
    // An explicit method whose credentials are missing is an error, not a fallback to another login.
    let mismatch = try await Self.resolve(environment: ["VRA_ENGINE_AUTH_METHOD": "accessToken"], profile: "lab")
    #expect(throws: EndpointSettingsError.self) { try EndpointSettings.resolve(from: mismatch) }
    let halfTLS = try await Self.resolve(environment: ["VRA_ENGINE_TLS_CLIENT_KEY": "/k.pem"], profile: "lab")
    #expect(throws: EndpointSettingsError.self) { try EndpointSettings.resolve(from: halfTLS) }
  }
}
