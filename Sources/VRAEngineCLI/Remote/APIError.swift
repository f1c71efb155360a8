import EngineRuntime
import EngineServer
import Foundation

/// Why a call to the server did not give the answer asked for: the server answered a problem
/// document (or some other error status), or no HTTP answer came at all.
///
/// `exitStatus` is the CLI's documented code for it, the same as for the local command: a refused
/// token or tenant, a quota, an unreachable or failing server are 3; an unknown run, an invalid
/// plan or bundle, a conflict with the run's state are 2.
enum APIError: Error, Sendable {
  /// An error status with its problem document (`application/problem+json`).
  case problem(Problem, retryAfterSeconds: Int?)
  /// An error status without a problem document (a proxy's page), or a success whose body did not
  /// decode as documented.
  case unexpected(status: Int, body: String)
  /// No HTTP answer: refused, timed out, TLS, reset. `mayHaveReachedServer` is false when it
  /// certainly did not (a refused connection, a TLS handshake).
  case transport(detail: String, hint: String?, mayHaveReachedServer: Bool)

  var status: Int? {
    switch self {
    case .problem(let problem, _): problem.statusCode
    case .unexpected(let status, _): status
    case .transport: nil
    }
  }

  /// The problem's type slug (`invalid-plan`), if the server sent a problem document.
  var problemSlug: String? {
    guard case .problem(let problem, _) = self else { return nil }
    let prefix = "urn:vra-engine:problem:"
    return problem.type.hasPrefix(prefix) ? String(problem.type.dropFirst(prefix.count)) : problem.type
  }

  /// The problem's `detail`, if the server sent one.
  var detail: String? {
    if case .problem(let problem, _) = self { return problem.detail }
    return nil
  }

  var exitStatus: ExitStatus {
    guard let status else { return .authOrConnectivity }
    switch status {
    case 401, 403, 407, 429: return .authOrConnectivity
    case 400..<500: return .usageOrValidation
    default: return .authOrConnectivity
    }
  }

  /// True for a failure that a retry of an idempotent request can get past: no answer, or a 5xx
  /// (the server or a proxy in front of it failed; 501 does not get better).
  var isRetryable: Bool {
    switch self {
    case .transport: true
    case .problem, .unexpected: (status.map { $0 >= 500 && $0 != 501 }) ?? false
    }
  }

  /// The error worded for a person, with its exit status. `run` names the run a 404 is about.
  func runtimeError(server: String, run: String? = nil) -> RuntimeError {
    switch self {
    case .transport(let detail, let hint, _):
      return .error(
        "cannot reach the vra-engine server at \(server): \(detail)",
        hint: hint ?? "check --server (or \(ServerConnection.serverVariable)) and that the server is up",
        status: exitStatus)
    case .unexpected(let status, let body):
      let excerpt = body.trimmingCharacters(in: .whitespacesAndNewlines).prefix(300)
      return .error(
        "the server at \(server) answered \(status)\(excerpt.isEmpty ? "" : ": \(excerpt)")", status: exitStatus)
    case .problem(let problem, let retryAfter):
      let detail = problem.detail.map { ": \($0)" } ?? ""
      switch problem.statusCode {
      case 401:
        return .error(
          "the server at \(server) refused the token\(detail)",
          hint: "set \(ServerConnection.tokenVariable) to a current API token of your tenant (or an OIDC access token)",
          status: exitStatus)
      case 403:
        return .error("not allowed for your tenant\(detail)", status: exitStatus)
      case 404 where run != nil:
        return .error(
          "no run \(run ?? "") on \(server)", hint: "`vra-engine runs --server \(server)` lists your tenant's runs",
          status: exitStatus)
      case 429:
        let wait = retryAfter ?? problem.retryAfterSeconds
        return .error(
          "\(problem.title)\(detail)", hint: wait.map { "try again in \($0) seconds" } ?? "try again later",
          status: exitStatus)
      default:
        var lines = ["error: \(problem.title)\(detail)"]
        for item in problem.errors ?? [] { lines.append(ServerDiagnostics.line(item, severity: .error)) }
        for item in problem.warnings ?? [] { lines.append(ServerDiagnostics.line(item, severity: .warning)) }
        return RuntimeError(lines.joined(separator: "\n"), status: exitStatus)
      }
    }
  }
}
