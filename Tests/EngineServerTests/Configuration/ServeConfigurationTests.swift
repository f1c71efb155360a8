import Foundation
import Testing

@testable import EngineServer

@Suite("serve.yaml")
struct ServeConfigurationTests {
  static let hashA = APIToken.hashLine(of: "vre_token-of-team-a")
  static let hashB = APIToken.hashLine(of: "vre_token-of-team-b")

  @Test("a complete file: values, defaults, and paths resolved against the file's directory")
  func complete() async throws {
    let fixture = try ConfigDirectory()
    let issuer = await TestIssuer.make()
    try fixture.write("certs/server.pem", "cert")
    try fixture.write("certs/server.key", "key")
    try fixture.write("certs/ca.pem", "ca")
    try fixture.write("vra-ca.pem", "ca")
    try fixture.write("jwks.json", issuer.jwks())
    let path = try fixture.writeConfig(
      """
      listen: 0.0.0.0:8443
      state: {url: "sqlite:data/state.db"}
      tls: {certificate: certs/server.pem, privateKey: certs/server.key, clientCA: certs/ca.pem}
      limits: {maxFiles: 50}
      tenants:
        - name: team-a
          tokens: ["\(Self.hashA)"]
          vra: {url: https://vra.corp.local, username: svc-a, password: "vault:secret/team-a#vra", domain: corp,
                caFile: vra-ca.pem}
          projects: [Development, 6f1c2a]
          regions: [eu-west]
          maxConcurrentRuns: 2
          oidc: {issuer: https://ci.example/, audience: vra-engine, jwksFile: jwks.json}
        - name: team-b
          tokens: ["\(Self.hashB)"]
          maxQueuedRuns: 0
          oidc: {issuer: https://ci.example/, audience: vra-engine, jwksURL: "https://ci.example/jwks",
                 claim: team, claimValue: b}
      """)

    let configuration = try ServeConfiguration.load(path: path)

    #expect(configuration.listen == .init(host: "0.0.0.0", port: 8443))
    #expect(configuration.statePath == fixture.path("data/state.db"))
    #expect(
      configuration.tls
        == .init(
          certificate: fixture.path("certs/server.pem"), privateKey: fixture.path("certs/server.key"),
          clientCA: fixture.path("certs/ca.pem")))
    #expect(configuration.limits == .init(maxBodyBytes: 8_388_608, maxFiles: 50, maxFileBytes: 1_048_576))
    #expect(configuration.tenants.map(\.name) == ["team-a", "team-b"])

    let teamA = try #require(configuration.tenant(named: "team-a"))
    #expect(teamA.tokenHashes == [Self.hashA])
    #expect(teamA.vra?.url.absoluteString == "https://vra.corp.local")
    #expect(teamA.vra?.username == "svc-a")
    #expect(teamA.vra?.password?.exposed == "vault:secret/team-a#vra")
    #expect(teamA.vra?.domain == "corp")
    #expect(teamA.vra?.caFile == fixture.path("vra-ca.pem"))
    #expect(teamA.vra?.insecureSkipVerify == false)
    #expect(teamA.maxConcurrentRuns == 2)
    #expect(teamA.maxQueuedRuns == TenantConfiguration.defaultMaxQueuedRuns)
    #expect(teamA.oidc?.keys == .file(fixture.path("jwks.json")))
    #expect(teamA.oidc?.claim == "tenant")
    #expect(teamA.oidc?.claimValue == "team-a")
    #expect(teamA.allowsProject("development"))
    #expect(teamA.allowsProject("6f1c2a"))
    #expect(!teamA.allowsProject("Production"))
    #expect(teamA.allowsRegion("EU-West"))
    #expect(!teamA.allowsRegion("us-east"))

    let teamB = try #require(configuration.tenant(named: "team-b"))
    #expect(teamB.vra == nil)
    #expect(teamB.projects == nil && teamB.allowsProject("anything"))
    #expect(teamB.allowsRegion("anywhere"))
    #expect(teamB.maxConcurrentRuns == 5)
    #expect(teamB.maxQueuedRuns == 0)
    #expect(teamB.oidc?.keys == .url(URL(string: "https://ci.example/jwks")!))
    #expect(teamB.oidc?.claim == "team")
    #expect(teamB.oidc?.claimValue == "b")
    #expect(configuration.tenant(named: "team-c") == nil)
  }

  @Test("the least file: listen, state and limits take their defaults")
  func defaults() throws {
    let fixture = try ConfigDirectory()
    let configuration = try ServeConfiguration.parse("tenants: [{name: solo}]", file: fixture.configPath)
    #expect(configuration.listen.description == "127.0.0.1:8088")
    #expect(configuration.statePath == fixture.path(".vra-engine/state.db"))
    #expect(configuration.tls == nil)
    #expect(configuration.limits == .standard)
    #expect(configuration.tenants == [TenantConfiguration(name: "solo")])
  }

  @Test("a PostgreSQL state: the URL as written, the password a reference, each problem named by part")
  func postgresState() throws {
    let fixture = try ConfigDirectory()
    let configuration = try ServeConfiguration.parse(
      """
      state: {url: "postgres://vra@db.corp.local:5433/vra_engine?sslmode=verify-full", password: "vault:secret/db#password"}
      tenants: [{name: solo}]
      """, file: fixture.configPath)
    #expect(configuration.statePath == "postgres://vra@db.corp.local:5433/vra_engine?sslmode=verify-full")
    #expect(configuration.statePassword?.exposed == "vault:secret/db#password")

    let error = #expect(throws: ServeConfigurationError.self) {
      try ServeConfiguration.parse(
        """
        state: {url: "postgres://vra:pw-canary@db/vra_engine?sslmode=maybe"}
        tenants: [{name: solo}]
        """, file: fixture.configPath)
    }
    let text = try #require(error).description
    #expect(text.contains("\(fixture.configPath):1:14: state.url: sslmode:"), "\(text)")
    #expect(!text.contains("pw-canary"))

    let sqliteWithPassword = #expect(throws: ServeConfigurationError.self) {
      try ServeConfiguration.parse(
        "state: {url: data/state.db, password: x}\ntenants: [{name: solo}]", file: fixture.configPath)
    }
    #expect(sqliteWithPassword?.description.contains("state.password: only a postgres:// state has a password") == true)
  }

  @Test("every problem of the file at once, each with its line, column and field")
  func everyProblemAtOnce() throws {
    let fixture = try ConfigDirectory()
    let text = """
      listen: 127.0.0.1:http
      limits: {maxBodyBytes: 0}
      tenants:
        - name: Team_A
          tokens: ["sha256:abc"]
          maxConcurentRuns: 3
          oidc: {issuer: "https://ci.example/", audience: vra-engine}
        - name: team-b
          vra: {url: "ftp://vra.corp.local", username: svc-b}
          regions: []
          maxQueuedRuns: many
      """
    let error = #expect(throws: ServeConfigurationError.self) {
      try ServeConfiguration.parse(text, file: fixture.configPath)
    }
    let file = fixture.configPath
    let lines = try #require(error).description.split(separator: "\n").map(String.init)
    #expect(
      lines == [
        "\(file):1:9: listen: expected HOST:PORT such as 127.0.0.1:8088 or [::1]:8088",
        "\(file):2:24: limits.maxBodyBytes: must be at least 1, found 0",
        "\(file):4:11: tenants[0].name: 'Team_A' is not a tenant name: lowercase letters, digits and '-', "
          + "starting with a letter or digit, at most 63 characters ([a-z0-9][a-z0-9-]*)",
        "\(file):5:14: tenants[0].tokens[0]: expected sha256: followed by 64 lowercase hex digits, "
          + "as `vra-engine serve token create` prints",
        "\(file):6:5: tenants[0].maxConcurentRuns: unknown key; did you mean 'maxConcurrentRuns'?",
        "\(file):7:11: tenants[0].oidc.jwksFile: required: jwksFile or jwksURL (the issuer's signing keys)",
        "\(file):9:10: tenants[1].vra.password: required with username",
        "\(file):9:16: tenants[1].vra.url: expected an http(s) URL such as https://vra.corp.local",
        "\(file):10:14: tenants[1].regions: an empty list allows no region; leave the key out to allow any",
        "\(file):11:20: tenants[1].maxQueuedRuns: expected a whole number, found a string",
      ])
    #expect(error?.problems.allSatisfy { $0.file == file && $0.line > 0 && $0.column > 0 } == true)
  }

  @Test("an unknown key names the nearest known one, or lists them when none is near")
  func unknownKeySuggestion() throws {
    let fixture = try ConfigDirectory()
    let error = #expect(throws: ServeConfigurationError.self) {
      try ServeConfiguration.parse(
        """
        tenant:
          - name: a
        tenants:
          - name: b
            vra: {url: "https://vra", refreshTokn: "env:VRA_TOKEN", zzz: 1}
        """, file: fixture.configPath)
    }
    let descriptions = error?.problems.map(\.description) ?? []
    #expect(descriptions.contains { $0.hasSuffix(":1:1: tenant: unknown key; did you mean 'tenants'?") })
    #expect(
      descriptions.contains {
        $0.hasSuffix(":5:31: tenants[0].vra.refreshTokn: unknown key; did you mean 'refreshToken'?")
      })
    #expect(
      descriptions.contains {
        $0.hasSuffix(
          ":5:61: tenants[0].vra.zzz: unknown key; known keys: url, username, password, domain, refreshToken, org, "
            + "caFile, insecureSkipVerify")
      })
    // The misspelled refreshToken does not count as credentials.
    #expect(descriptions.contains { $0.contains(":5:10: tenants[0].vra: no credentials") })
  }

  @Test("a tenant declared twice, and one token hash listed for two tenants, are refused")
  func duplicates() throws {
    let fixture = try ConfigDirectory()
    let error = #expect(throws: ServeConfigurationError.self) {
      try ServeConfiguration.parse(
        """
        tenants:
          - name: team-a
            tokens: ["\(Self.hashA)"]
          - name: team-b
            tokens: ["\(Self.hashB)", "\(Self.hashA)", "\(Self.hashB)"]
          - name: team-a
        """, file: fixture.configPath)
    }
    let descriptions = error?.problems.map(\.description) ?? []
    #expect(descriptions.count == 3)
    #expect(
      descriptions.contains {
        $0.hasSuffix(
          ":5:89: tenants[1].tokens[1]: this token hash is also listed for tenant 'team-a'; "
            + "one token must prove one tenant")
      })
    #expect(descriptions.contains { $0.hasSuffix(":5:164: tenants[1].tokens[2]: this hash is listed twice") })
    #expect(
      descriptions.contains {
        $0.hasSuffix(":6:11: tenants[2].name: tenant 'team-a' is already declared at line 2; names must be unique")
      })
  }

  @Test("two tenants accepting the same issuer's tokens with the same claim value are refused")
  func ambiguousOIDC() throws {
    let fixture = try ConfigDirectory()
    let error = #expect(throws: ServeConfigurationError.self) {
      try ServeConfiguration.parse(
        """
        tenants:
          - name: team-a
            oidc: {issuer: "https://ci/", audience: x, jwksURL: "https://ci/jwks", claimValue: shared}
          - name: team-b
            oidc: {issuer: "https://ci/", audience: y, jwksURL: "https://ci/jwks", claimValue: shared}
        """, file: fixture.configPath)
    }
    #expect(
      error?.problems.map(\.field) == ["tenants[1].oidc"]
        && error?.problems.first?.message.contains("tenant 'team-a' already accepts") == true)
  }

  @Test("a secret's value never appears in a problem, whatever is wrong around it")
  func secretsNeverInProblems() throws {
    let canary = "Canary-Serve-9d41f07b"
    let fixture = try ConfigDirectory()
    let text = """
      tenants:
        - name: team-a
          tokens: ["vre_\(canary)", "\(canary)"]
          vra: {url: "https://admin:\(canary)@vra.corp.local", password: "\(canary)"}
        - name: team-b
          vra: {url: "https://vra", username: u, password: ["\(canary)"], refreshToken: {value: "\(canary)"}}
        - name: team-c
          vra: {url: "https://vra", username: u, password: "", pasword: "\(canary)"}
        - name: team-d
          vra: {url: "https://vra", refreshToken: "vault:\(canary)"}
        - name: team-e
          vra: {url: "not a url \(canary)", refreshToken: "env:\(canary)-x"}
      """
    let error = #expect(throws: ServeConfigurationError.self) {
      try ServeConfiguration.parse(text, file: fixture.configPath)
    }
    let problems = try #require(error).problems
    #expect(problems.count >= 10)
    for problem in problems {
      if problem.field == "tenants[4].vra.refreshToken" || problem.field == "tenants[3].vra.refreshToken" {
        // A reference says where the secret is, not what it is: it may be quoted (as the CLI does).
        continue
      }
      #expect(!problem.description.contains(canary), "\(problem.field) quotes the canary")
    }
    #expect(problems.contains { $0.field == "tenants[0].tokens[0]" && $0.message.contains("API token itself") })
    #expect(problems.contains { $0.field == "tenants[0].vra.url" && $0.message.contains("do not belong in the URL") })
    #expect(problems.contains { $0.field == "tenants[0].vra.username" })
    #expect(problems.contains { $0.field == "tenants[1].vra.password" && $0.message.contains("found a list") })
    #expect(problems.contains { $0.field == "tenants[1].vra.refreshToken" && $0.message.contains("found a mapping") })
    #expect(problems.contains { $0.field == "tenants[2].vra.password" && $0.message == "must not be empty" })
    #expect(problems.contains { $0.field == "tenants[3].vra.refreshToken" && $0.message.contains("#KEY") })

    // A valid configuration with a literal password never prints it either.
    let valid = try ServeConfiguration.parse(
      """
      tenants:
        - name: team-a
          vra: {url: "https://vra", username: u, password: "\(canary)", refreshToken: "\(canary)"}
      """, file: fixture.configPath)
    #expect(valid.tenants[0].vra?.password?.exposed == canary)
    #expect(!String(describing: valid).contains(canary))
    #expect(!String(reflecting: valid).contains(canary))
  }

  @Test("YAML syntax errors, missing files and unreadable files are positioned problems")
  func fileLevelProblems() throws {
    let fixture = try ConfigDirectory()
    let syntax = #expect(throws: ServeConfigurationError.self) {
      try ServeConfiguration.parse("tenants:\n  - name: [a\n", file: fixture.configPath)
    }
    #expect(syntax?.problems.count == 1)
    #expect(syntax?.problems.first?.line == 3)
    #expect(syntax?.problems.first?.message.contains("YAML syntax error") == true)

    let missing = #expect(throws: ServeConfigurationError.self) {
      try ServeConfiguration.load(path: fixture.path("nowhere.yaml"))
    }
    #expect(missing?.problems.count == 1)
    #expect(missing?.description.hasPrefix(fixture.path("nowhere.yaml")) == true)

    let files = #expect(throws: ServeConfigurationError.self) {
      try ServeConfiguration.parse(
        """
        tls: {certificate: missing.pem}
        tenants:
          - name: a
            oidc: {issuer: i, audience: a, jwksFile: jwks.json, jwksURL: "https://i/jwks"}
          - name: b
            oidc: {issuer: i, audience: a, jwksFile: no-such.json}
        """, file: fixture.configPath)
    }
    #expect(
      files?.problems.map(\.description) == [
        "\(fixture.configPath):1:6: tls.privateKey: required: the PEM private key file",
        "\(fixture.configPath):1:20: tls.certificate: no file at \(fixture.path("missing.pem"))",
        "\(fixture.configPath):4:66: tenants[0].oidc.jwksURL: give jwksFile or jwksURL, not both",
        "\(fixture.configPath):6:46: tenants[1].oidc.jwksFile: no file at \(fixture.path("no-such.json"))",
      ])
  }

  @Test("a jwksFile that is not a key set is refused when the file is read")
  func invalidJWKS() throws {
    let fixture = try ConfigDirectory()
    try fixture.write("jwks.json", #"{"keys": "none"}"#)
    let error = #expect(throws: ServeConfigurationError.self) {
      try ServeConfiguration.parse(
        "tenants: [{name: a, oidc: {issuer: i, audience: a, jwksFile: jwks.json}}]", file: fixture.configPath)
    }
    #expect(error?.problems.first?.message.contains("is not a JWKS document") == true)
  }
}
