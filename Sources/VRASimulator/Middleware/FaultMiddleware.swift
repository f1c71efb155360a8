import Foundation
import HTTPTypes
import Hummingbird

/// Applies injected faults to vRA API calls, only when faults are enabled: an error
/// answered before anything happens, a slow answer, or a connection dropped after
/// the handler committed its change.
struct FaultMiddleware: RouterMiddleware {
  typealias Context = SimulatorContext
  let services: SimulatorServices
  static let faultHeader = HTTPField.Name("X-Sim-Fault")!
  static let failResourceHeader = HTTPField.Name("X-Sim-Fail-Resource")!

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws
    -> Response
  {
    let path = request.uri.path
    guard !path.hasPrefix("/_sim/") else { return try await next(request, context) }
    var context = context
    var rules: [FaultRule] = []
    if let header = request.headers[Self.faultHeader] {
      guard await services.state.faultsEnabled else {
        throw APIError.badRequest("X-Sim-Fault is accepted only when the simulator runs with faults enabled")
      }
      guard let rule = FaultRule.parseHeader(header) else {
        throw APIError.badRequest("malformed X-Sim-Fault header '\(header)'")
      }
      rules.append(rule)
    }
    // Like X-Sim-Fault: refused, not silently ignored, when faults are off, so a test that relies on
    // a fault never passes against a simulator that would not inject it.
    if let resource = request.headers[Self.failResourceHeader] {
      guard await services.state.faultsEnabled else {
        throw APIError.badRequest("X-Sim-Fail-Resource is accepted only when the simulator runs with faults enabled")
      }
      context.failResources.insert(resource)
    }
    rules += await services.state.takeFaultRules(method: request.method.rawValue, path: path)
    guard !rules.isEmpty else { return try await next(request, context) }
    await services.stats.faultInjected()

    if let delay = rules.compactMap(\.delaySeconds).max(), delay > 0 {
      try await Task.sleep(for: .seconds(delay))
    }
    if let rule = rules.first(where: { $0.status != nil }), let status = rule.status {
      var error = APIError(
        HTTPResponse.Status(code: status), "Simulated fault: \(status)", errorCode: status,
        messageId: "simulator.fault", shouldRetry: rule.shouldRetry ?? (status >= 500 || status == 429))
      if let retryAfter = rule.retryAfterSeconds { error.headers[.retryAfter] = String(retryAfter) }
      throw error
    }
    var response = try await next(request, context)
    if let delay = rules.compactMap(\.delayAfterCommitSeconds).max(), delay > 0 {
      try await Task.sleep(for: .seconds(delay))
    }
    if rules.contains(where: { $0.dropAfterCommit == true }) {
      await services.stats.connectionDropped()
      response.headers[ConnectionDropHandler.dropConnectionHeader] = "1"
    }
    return response
  }
}

extension SimulatorState {
  var faultsEnabled: Bool { configuration.faults.enabled }

  /// The configured rules matching a call, using up one of each rule's `times`.
  func takeFaultRules(method: String, path: String) -> [FaultRule] {
    guard configuration.faults.enabled else { return [] }
    var matched: [FaultRule] = []
    var remaining: [FaultRule] = []
    for var rule in configuration.faults.rules {
      if rule.matches(method: method, path: path), rule.times.map({ $0 > 0 }) ?? true {
        matched.append(rule)
        if let times = rule.times { rule.times = times - 1 }
      }
      if rule.times.map({ $0 > 0 }) ?? true { remaining.append(rule) }
    }
    configuration.faults.rules = remaining
    return matched
  }

  func addFaultRule(_ rule: FaultRule) throws {
    guard configuration.faults.enabled else {
      throw APIError.badRequest("faults are disabled; start the simulator with faults.enabled: true or --faults")
    }
    configuration.faults.rules.append(rule)
  }

  func clearFaultRules() { configuration.faults.rules = [] }
}
