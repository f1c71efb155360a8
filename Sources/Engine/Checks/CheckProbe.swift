import Foundation
import VRAModels

/// A check's probe with every reference resolved: what one attempt does.
enum CheckProbe: Sendable {
  case http(HTTPProbe)
  case tcp(TCPProbe)
  case command(CommandProbe)

  /// Builds the probe from the check and its resolved settings; a value that resolved to something
  /// unusable (a URL that is not one, a port out of range) fails the stage before any attempt.
  /// `environment`: extra variables for a command (the stage's secrets), `directory`: where it runs.
  init(
    _ check: StageCheck, settings: [String: JSONValue], environment: [String: String], directory: URL
  ) throws(StageFailure) {
    func invalid(_ problem: StageCheck.SettingProblem) -> StageFailure {
      StageFailure(message: "the check's \(problem.message)", hint: problem.hint, errorClass: .validation)
    }
    func text(_ key: String) -> String { settings[key].map { PlanResolver.text(of: $0) } ?? "" }
    func pairs(_ key: String) -> [String: String] {
      (settings[key]?.objectValue ?? [:]).mapValues { PlanResolver.text(of: $0) }
    }
    switch check.kind {
    case .http:
      let written = text("url")
      if let problem = StageCheck.problem(url: written) { throw invalid(problem) }
      guard let url = URL(string: written) else {
        throw invalid(StageCheck.SettingProblem(message: "'url' is not a URL: '\(written)'"))
      }
      let body = settings["expectBody"].map { PlanResolver.text(of: $0) }
      self = .http(HTTPProbe(url: url, expectStatus: check.expectStatus, expectBody: body, headers: pairs("headers")))
    case .tcp:
      let host = text("host")
      guard !host.isEmpty else { throw invalid(StageCheck.SettingProblem(message: "'host' resolved to nothing")) }
      let (port, problem) = StageCheck.port(from: settings["port"] ?? .null)
      if let problem { throw invalid(problem) }
      self = .tcp(TCPProbe(host: host, port: port ?? 0))
    case .command:
      let run = text("run")
      guard !run.trimmingCharacters(in: .whitespaces).isEmpty else {
        throw invalid(StageCheck.SettingProblem(message: "'run' resolved to nothing"))
      }
      self = .command(
        CommandProbe(
          run: run, environment: pairs("env").merging(environment) { _, secret in secret }, directory: directory))
    }
  }

  /// Where the probe goes, for messages and the report (redacted by the caller).
  var target: String {
    switch self {
    case .http(let probe): probe.url.absoluteString
    case .tcp(let probe): "\(probe.host):\(probe.port)"
    case .command(let probe): probe.run
    }
  }

  /// One attempt, within `timeout`; never throws for what the checked thing answered (that is a
  /// failed attempt), only for a cancel.
  func attempt(timeout: Duration) async throws -> ProbeResult {
    switch self {
    case .http(let probe): try await probe.attempt(timeout: timeout)
    case .tcp(let probe): try await probe.attempt(timeout: timeout)
    case .command(let probe): try await probe.attempt(timeout: timeout)
    }
  }
}

/// What one attempt saw.
struct ProbeResult: Sendable, Hashable {
  var passed: Bool
  /// `HTTP 200`, `HTTP 503, expected 200`, `connection refused`, `exit status 1`, ...
  var summary: String
  /// The HTTP status or the command's exit status, when there is one.
  var code: Int?
  /// The answer's body (http) or the command's output, cut to its last few KiB; not yet redacted.
  var output: String?
}
