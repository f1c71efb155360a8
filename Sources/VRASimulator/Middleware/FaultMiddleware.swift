import Foundation
import HTTPTypes
import Hummingbird

/// Applies injected faults to vRA API calls and health URLs, only when faults are enabled: an error
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
    // The admin API is never faulted (a test must be able to clear its faults); the health URLs
    // under it stand for applications, which a fault rule may break like any API.
    guard !path.hasPrefix("/_sim/") || path.hasPrefix(AppURLs.pathPrefix) else {
      return try await next(request, context)
    }
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
    if let rule = await services.state.takeFaultRule(method: request.method.rawValue, path: path) {
      rules.append(rule)
    }
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

  /// The first configured rule, in the order given, that matches a call and has uses left; one of
  /// its `times` is used up. Rules on the same calls therefore apply one after the other: `503 times 2`
  /// then `dropAfterCommit times 2` fails two calls, then drops two. A used-up rule stays listed
  /// (`GET /_sim/faults`) with `times: 0`.
  func takeFaultRule(method: String, path: String) -> FaultRule? {
    guard configuration.faults.enabled else { return nil }
    guard
      let index = configuration.faults.rules.firstIndex(where: { rule in
        rule.matches(method: method, path: path) && rule.times.map { $0 > 0 } ?? true
      })
    else { return nil }
    let rule = configuration.faults.rules[index]
    if let times = rule.times { configuration.faults.rules[index].times = times - 1 }
    return rule
  }

  /// Every configured rule, in order, each with the uses it has left (`times`; nil: unlimited).
  var faultRules: [FaultRule] { configuration.faults.rules }

  func addFaultRule(_ rule: FaultRule) throws {
    guard configuration.faults.enabled else {
      throw APIError.badRequest("faults are disabled; start the simulator with faults.enabled: true or --faults")
    }
    configuration.faults.rules.append(rule)
  }

  func clearFaultRules() { configuration.faults.rules = [] }
}
