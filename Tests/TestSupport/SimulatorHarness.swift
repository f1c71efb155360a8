import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import VRAModels
import VRASimulator

/// A simulator started for one test, on 127.0.0.1 with an ephemeral port, with a plain HTTP caller.
///
/// Every JSON body the simulator sends, to any client, is checked against the vRA specs; `stop()`
/// (which `with` calls) records an issue for each distinct problem.
public struct SimulatorHarness: Sendable {
  public let server: SimulatorServer
  public let http: APICaller
  public let fidelity: FidelityRecorder
  let sourceLocation: SourceLocation

  public static func start(
    _ configure: (inout SimulatorConfiguration) -> Void = { _ in },
    fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
  ) async throws
    -> SimulatorHarness
  {
    // Plain literals, not `#_sourceLocation`: callers' modules need not import Testing.
    let sourceLocation = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
    var configuration = SimulatorConfiguration()
    configuration.host = "127.0.0.1"
    configuration.port = 0
    configuration.timeScale = 0.01
    configure(&configuration)
    let fidelity = FidelityRecorder()
    let server = try await SimulatorServer.start(configuration: configuration, responseObserver: fidelity.observer)
    return SimulatorHarness(
      server: server, http: APICaller(baseURL: server.baseURL, checksEachAnswer: false), fidelity: fidelity,
      sourceLocation: sourceLocation)
  }

  /// Stops the simulator, then fails the test for every spec problem any of its answers had.
  public func stop() async {
    await server.stop()
    await fidelity.recordIssues(sourceLocation: sourceLocation)
  }

  /// Runs `body` with a fresh simulator and always stops it.
  public static func with<T: Sendable>(
    _ configure: (inout SimulatorConfiguration) -> Void = { _ in },
    fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column,
    _ body: (SimulatorHarness) async throws -> T
  ) async throws -> T {
    let harness = try await start(configure, fileID: fileID, filePath: filePath, line: line, column: column)
    do {
      let result = try await body(harness)
      await harness.stop()
      return result
    } catch {
      await harness.stop()
      throw error
    }
  }
}

/// One HTTP answer, decoded leniently.
public struct APIResponse: Sendable {
  public var status: Int
  public var headers: [(String, String)]
  public var body: Data

  public var json: JSONValue { (try? JSONDecoder().decode(JSONValue.self, from: body)) ?? .null }
  public func header(_ name: String) -> String? {
    headers.first { $0.0.lowercased() == name.lowercased() }?.1
  }
  public func decode<T: Decodable>(_ type: T.Type) throws -> T {
    try VRAJSON.makeDecoder().decode(T.self, from: body)
  }
}

/// A deliberately plain HTTP caller for simulator tests: no retries, no token
/// refresh, so each test sees exactly what the simulator answered.
public struct APICaller: Sendable {
  public let baseURL: String
  /// Whether `call` checks each answer against the specs itself; off for a harness's caller, whose
  /// simulator already hands every answer to the harness's `FidelityRecorder`.
  public let checksEachAnswer: Bool

  public init(baseURL: String, checksEachAnswer: Bool = true) {
    self.baseURL = baseURL
    self.checksEachAnswer = checksEachAnswer
  }

  public func call(
    _ method: HTTPMethod, _ path: String, token: String? = nil, json: JSONValue? = nil, form: String? = nil,
    headers extra: [(String, String)] = [], checkFidelity: Bool = true,
    sourceLocation: SourceLocation = #_sourceLocation
  ) async throws -> APIResponse {
    var request = HTTPClientRequest(url: baseURL + path)
    request.method = method
    request.headers.add(name: "Accept", value: "application/json")
    if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
    if let json {
      request.headers.add(name: "Content-Type", value: "application/json")
      request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(json)))
    } else if let form {
      request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
      request.body = .bytes(ByteBuffer(string: form))
    }
    for (name, value) in extra { request.headers.add(name: name, value: value) }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
    let result = APIResponse(
      status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
      body: Data(buffer: body))
    if checkFidelity && checksEachAnswer {
      let problems = Fidelity.problems(method: method.rawValue, path: path, status: result.status, body: result.body)
      #expect(
        problems.isEmpty, "simulator answer does not follow the vRA spec: \(problems)", sourceLocation: sourceLocation)
    }
    return result
  }

  /// Logs in as the seeded admin and returns `(accessToken, refreshToken)`.
  public func login(
    username: String = "admin", password: String = "VMware1!", domain: String = "vsphere.local"
  ) async throws -> (access: String, refresh: String) {
    let response = try await call(
      .POST, "/csp/gateway/am/api/login?access_token",
      json: ["username": .string(username), "password": .string(password), "domain": .string(domain)])
    let tokens = try response.decode(CSPTokenResponse.self)
    return (tokens.accessToken, tokens.refreshToken ?? "")
  }

  /// Polls `check` until it returns a value or the deadline passes (no fixed sleeps).
  public func poll<T: Sendable>(
    timeout: Duration = .seconds(20), every interval: Duration = .milliseconds(20),
    _ check: () async throws -> T?
  ) async throws -> T {
    try await pollForValue(timeout: timeout, every: interval, check)
  }
}

/// Polls `check` every `interval` until it returns a value; throws `PollTimeout` at the deadline.
/// For tests that wait on something other than the simulator (a state file, another process).
public func pollForValue<T: Sendable>(
  timeout: Duration = .seconds(20), every interval: Duration = .milliseconds(20), _ check: () async throws -> T?
) async throws -> T {
  let deadline = ContinuousClock.now + timeout
  while ContinuousClock.now < deadline {
    if let value = try await check() { return value }
    try await Task.sleep(for: interval)  // the poll step
  }
  throw PollTimeout(timeout: timeout)
}

/// Polls `condition` every few milliseconds until it holds or `timeout` passes; false on timeout
/// (for model tests that record a missed deadline as a violation instead of throwing).
public func pollUntil(timeout: Duration, _ condition: () async throws -> Bool) async rethrows -> Bool {
  let deadline = ContinuousClock.now + timeout
  while ContinuousClock.now < deadline {
    if try await condition() { return true }
    try? await Task.sleep(for: .milliseconds(5))  // the poll step
  }
  return try await condition()
}

public struct PollTimeout: Error, CustomStringConvertible {
  public var timeout: Duration
  public init(timeout: Duration) { self.timeout = timeout }
  public var description: String { "condition not met within \(timeout)" }
}
