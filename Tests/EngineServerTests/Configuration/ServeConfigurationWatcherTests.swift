import Foundation
import InMemoryLogging
import Logging
import Testing

@testable import EngineServer

@Suite("serve.yaml hot reload")
struct ServeConfigurationWatcherTests {
  static let canary = "Canary-Reload-3e8a91c4"

  /// Runs a watcher on `fixture`'s serve.yaml (polling every 20 ms) while `body` edits it.
  static func watching(
    _ fixture: ConfigDirectory, _ body: (TenantDirectory, InMemoryLogHandler) async throws -> Void
  ) async throws {
    let directory = TenantDirectory(try ServeConfiguration.load(path: fixture.configPath))
    let logs = InMemoryLogHandler()
    var logger = Logger(label: "vra-engine.serve.config") { _ in logs }
    logger.logLevel = .trace
    let watcher = ServeConfigurationWatcher(
      path: fixture.configPath, directory: directory, pollInterval: .milliseconds(20), logger: logger)
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { try await watcher.run() }
      defer { group.cancelAll() }
      try await body(directory, logs)
    }
  }

  static let initial = """
    listen: 127.0.0.1:8088
    tenants:
      - name: team-a
        tokens: ["\(APIToken.hashLine(of: "a"))"]
      - name: team-b
        vra: {url: "https://vra.corp.local", username: svc-b, password: "\(canary)"}
    """

  @Test("a valid edit is put in effect: tenants added, removed and changed; listen waits for a restart")
  func validEdit() async throws {
    let fixture = try ConfigDirectory()
    try fixture.writeConfig(Self.initial)
    try await Self.watching(fixture) { directory, logs in
      #expect(directory.generation == 0)
      try fixture.writeConfig(
        """
        listen: 127.0.0.1:9999
        limits: {maxFiles: 10}
        tenants:
          - name: team-a
            tokens: ["\(APIToken.hashLine(of: "a"))", "\(APIToken.hashLine(of: "a2"))"]
          - name: team-c
        """)
      #expect(await eventually { directory.generation == 1 })
      let current = directory.current
      #expect(current.tenants.map(\.name) == ["team-a", "team-c"])
      #expect(directory.tenant(named: "team-a")?.tokenHashes.count == 2)
      #expect(directory.tenant(named: "team-b") == nil)
      #expect(current.limits.maxFiles == 10)
      // The server still listens where it started.
      #expect(current.listen.port == 8088)

      let reloaded = try #require(logs.entries.first { "\($0.message)" == "serve.yaml reloaded" })
      #expect(reloaded.metadata["tenants.added"] == "team-c")
      #expect(reloaded.metadata["tenants.removed"] == "team-b")
      #expect(reloaded.metadata["tenants.changed"] == "team-a")
      let restart = try #require(logs.entries.first { $0.level == .warning })
      #expect("\(restart.message)".contains("only after a restart"))
      #expect(restart.metadata["config.fields"] == "listen")
      // Nothing more happens until the next edit.
      #expect(directory.generation == 1)
    }
  }

  @Test("an edit with problems is refused whole and logged without secrets; a fix is then taken")
  func invalidEdit() async throws {
    let fixture = try ConfigDirectory()
    try fixture.writeConfig(Self.initial)
    try await Self.watching(fixture) { directory, logs in
      try fixture.writeConfig(
        """
        tenants:
          - name: team-a
            tokens: ["\(Self.canary)"]
          - name: team-b
            vra: {url: "https://vra.corp.local", password: "\(Self.canary)"}
          - name: team-new
        """)
      #expect(await eventually { logs.entries.contains { $0.level == .error } })
      #expect(directory.generation == 0)
      #expect(directory.tenant(named: "team-new") == nil)
      #expect(directory.tenant(named: "team-b")?.vra?.username == "svc-b")
      let refused = try #require(logs.entries.first { $0.level == .error })
      let problems = "\(refused.metadata["config.problems"] ?? "")"
      #expect(problems.contains("tenants[0].tokens[0]"))
      #expect(problems.contains("tenants[1].vra.username: required with password"))
      let everything = logs.entries.map { "\($0.message) \($0.metadata)" }.joined()
      #expect(!everything.contains(Self.canary))
      // Reported once, not on every poll.
      let errorCount = logs.entries.filter { $0.level == .error }.count

      try fixture.writeConfig(Self.initial.replacingOccurrences(of: "team-a", with: "team-z"))
      #expect(await eventually { directory.generation == 1 })
      #expect(directory.tenant(named: "team-z") != nil && directory.tenant(named: "team-a") == nil)
      #expect(logs.entries.filter { $0.level == .error }.count == errorCount)
    }
  }

  @Test("replacing a tenant's jwksFile is a reload too: the authenticator reads the new keys")
  func jwksFileRotation() async throws {
    let fixture = try ConfigDirectory()
    let old = await TestIssuer.make(keyIDs: ["old"])
    let new = await TestIssuer.make(keyIDs: ["new"])
    try fixture.write("jwks.json", old.jwks())
    try fixture.writeConfig(
      """
      tenants:
        - name: team-a
          oidc: {issuer: "\(old.issuer)", audience: vra-engine, jwksFile: jwks.json}
      """)
    try await Self.watching(fixture) { directory, _ in
      let authenticator = TenantAuthenticator(directory: directory)
      #expect(
        try await authenticator.authenticate(authorization: "Bearer \(old.token(keyID: "old"))").get().tenant
          == "team-a")
      try fixture.write("jwks.json", new.jwks())
      #expect(await eventually { directory.generation == 1 })
      #expect(
        try await authenticator.authenticate(authorization: "Bearer \(new.token(keyID: "new"))").get().tenant
          == "team-a")
      await #expect(throws: AuthFailure.unknownKey) {
        try await authenticator.authenticate(authorization: "Bearer \(old.token(keyID: "old"))").get()
      }
    }
  }
}
