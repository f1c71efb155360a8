import Foundation
import Hummingbird
import VRAModels

/// The simulator's own controls under `/_sim/`, kept apart from every vRA path:
/// counters, reset, fault rules and token revocation.
enum AdminRoutes {
  struct RevokeRequest: Decodable {
    var refreshToken: String?
    var accessToken: String?
    var user: String?
  }

  struct RevokeResponse: Encodable { var revoked: Int }

  static func register(on router: Router<SimulatorContext>, services: SimulatorServices) {
    router.get("/_sim/stats") { _, _ -> Response in
      try JSONResponse.make(await services.snapshot())
    }
    router.get("/_sim/calls") { _, _ -> Response in
      try JSONResponse.make(await services.stats.recentCalls())
    }
    router.post("/_sim/reset") { _, _ -> Response in
      await services.state.reset()
      await services.stats.reset()
      await services.tokens.reset()
      return JSONResponse.empty(.noContent)
    }
    router.post("/_sim/faults") { request, _ -> Response in
      let rule = try await request.decodeJSON(FaultRule.self)
      try await services.state.addFaultRule(rule)
      return JSONResponse.empty(.created)
    }
    router.get("/_sim/faults") { _, _ -> Response in
      try JSONResponse.make(await services.state.faultRules)
    }
    router.delete("/_sim/faults") { _, _ -> Response in
      await services.state.clearFaultRules()
      return JSONResponse.empty(.noContent)
    }
    router.post("/_sim/tokens/revoke") { request, _ -> Response in
      let body = try await request.decodeJSON(RevokeRequest.self)
      var count = 0
      if let token = body.refreshToken, await services.tokens.revoke(refreshToken: token) { count += 1 }
      if let token = body.accessToken, await services.tokens.revoke(accessToken: token) { count += 1 }
      if let user = body.user { count += await services.tokens.revokeAll(user: user) }
      return try JSONResponse.make(RevokeResponse(revoked: count))
    }
  }
}

extension SimulatorServices {
  func snapshot() async -> SimulatorStatsSnapshot {
    await state.advance()
    return await stats.snapshot(
      deploymentsLive: await state.liveDeploymentCount(),
      duplicateDeploymentNames: await state.duplicateDeploymentNameCount())
  }
}
