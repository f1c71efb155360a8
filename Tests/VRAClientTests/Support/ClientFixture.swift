import Credentials
import Foundation
import Logging
import TestSupport
import VRAClient
import VRAModels
import VRASimulator

/// Builds clients against a test simulator.
enum ClientFixture {
  /// A refresh token for the seeded admin, obtained with the plain harness caller.
  static func refreshToken(_ harness: SimulatorHarness) async throws -> Secret {
    Secret(try await harness.http.login().refresh)
  }

  static func configuration(
    _ harness: SimulatorHarness, authentication: Authentication, retry: RetryPolicy = fastRetry,
    tls: TLSOptions = .systemTrust, logger: Logger = quietLogger
  ) -> VRAClientConfiguration {
    VRAClientConfiguration(
      endpoint: URL(string: harness.server.baseURL)!, organization: "vsphere.local", authentication: authentication,
      tls: tls, retry: retry, logger: logger)
  }

  /// A client logged in with a fresh refresh token (each test gets its own token cache).
  static func client(
    _ harness: SimulatorHarness, retry: RetryPolicy = fastRetry, logger: Logger = quietLogger
  ) async throws -> VRAClient {
    let token = try await refreshToken(harness)
    return try VRAClient(
      configuration: configuration(harness, authentication: .refreshToken(token), retry: retry, logger: logger))
  }

  /// Short delays so retry tests stay fast; the budget still bounds every call.
  static let fastRetry = RetryPolicy(
    maxAttempts: 4, baseDelay: .milliseconds(20), maxDelay: .milliseconds(200), totalBudget: .seconds(20))

  static var quietLogger: Logger {
    var logger = Logger(label: "test.vra-client")
    logger.logLevel = .critical
    return logger
  }

  /// Starts a simulator with faults enabled (rules are added per test).
  static func withFaultySimulator<T: Sendable>(
    _ configure: @escaping (inout SimulatorConfiguration) -> Void = { _ in },
    _ body: (SimulatorHarness) async throws -> T
  ) async throws -> T {
    try await SimulatorHarness.with(
      { configuration in
        configuration.faults.enabled = true
        configure(&configuration)
      }, body)
  }

  /// A template that deploys quickly in the simulator.
  static let template = """
    formatVersion: 1
    inputs:
      size:
        type: string
        default: small
    resources:
      net:
        type: Cloud.Network
        properties:
          networkType: existing
    """

  static func developmentProjectId(_ client: VRAClient) async throws -> String {
    let projects = try await client.projects().collect()
    guard let project = projects.first(where: { $0.name == "Development" }) ?? projects.first else {
      throw FixtureError.noProject
    }
    return project.id
  }

  enum FixtureError: Error { case noProject }
}

/// Measures how long a block takes.
func measure<T>(_ body: () async throws -> T) async rethrows -> (T, Duration) {
  let start = ContinuousClock.now
  let value = try await body()
  return (value, ContinuousClock.now - start)
}

/// Runs `body` and returns the `VRAError` it throws (nil if it did not throw one).
func vraError(_ body: () async throws -> Void) async -> VRAError? {
  do {
    try await body()
    return nil
  } catch let error as VRAError {
    return error
  } catch {
    return nil
  }
}
