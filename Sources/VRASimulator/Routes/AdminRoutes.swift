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

  struct OutsideChange: Decodable { var properties: [String: JSONValue] }

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
    // `["web-*"]`: updates of deployments with these names fail (faults must be enabled); `[]` stops it.
    router.put("/_sim/faults/fail-updates") { request, _ -> Response in
      try await services.state.setFailUpdates(try await request.decodeJSON([String].self))
      return JSONResponse.empty(.noContent)
    }
    router.get("/_sim/faults/fail-updates") { _, _ -> Response in
      try JSONResponse.make(await services.state.failUpdates)
    }
    // `["web-*"]`: health URLs of deployments with these names answer 500 (faults must be enabled).
    router.put("/_sim/faults/unhealthy-apps") { request, _ -> Response in
      try await services.state.setUnhealthyApps(try await request.decodeJSON([String].self))
      return JSONResponse.empty(.noContent)
    }
    router.get("/_sim/faults/unhealthy-apps") { _, _ -> Response in
      try JSONResponse.make(await services.state.unhealthyApps)
    }
    // Changes made outside vRA: a resource deleted, or its properties changed (`{"properties": {...}}`).
    router.delete("/_sim/deployments/{deploymentId}/resources/{resourceId}") { _, context -> Response in
      await services.state.advance()
      try await services.state.removeResourceOutside(
        try context.pathParameter("resourceId"), of: try context.pathParameter("deploymentId"), org: nil)
      return JSONResponse.empty(.noContent)
    }
    router.patch("/_sim/deployments/{deploymentId}/resources/{resourceId}") { request, context -> Response in
      let body = try await request.decodeJSON(OutsideChange.self)
      await services.state.advance()
      let resource = try await services.state.changeResourceOutside(
        try context.pathParameter("resourceId"), of: try context.pathParameter("deploymentId"),
        properties: body.properties, org: nil)
      return try JSONResponse.make(await services.state.render(resource))
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
