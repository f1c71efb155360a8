import Hummingbird
import VRAModels

/// Service Broker catalog: every blueprint with a released version is an item.
enum CatalogRoutes {
  static func register(on router: Router<SimulatorContext>, services: SimulatorServices) {
    let state = services.state
    router.get("/catalog/api/items") { request, context -> Response in
      let org = try context.caller().orgId
      let paging = try Paging(request)
      let projects = Set(request.query.list("projects"))
      let search = request.query.get("search")?.lowercased()
      var items: [CatalogItem] = []
      for blueprint in await state.listBlueprints(org: org) where !blueprint.releasedVersions.isEmpty {
        let item = await state.renderCatalogItem(blueprint)
        if !projects.isEmpty, projects.isDisjoint(with: item.projectIds) { continue }
        if let search, !item.name.lowercased().contains(search) { continue }
        items.append(item)
      }
      return try JSONResponse.make(paging.page(items))
    }
    router.get("/catalog/api/items/{id}") { _, context -> Response in
      let id = try context.pathParameter("id")
      let blueprint = try await catalogBlueprint(id, context: context, state: state)
      return try JSONResponse.make(await state.renderCatalogItem(blueprint))
    }
    router.post("/catalog/api/items/{id}/request") { request, context -> Response in
      let caller = try context.caller()
      let id = try context.pathParameter("id")
      let blueprint = try await catalogBlueprint(id, context: context, state: state)
      let body = try await request.decodeJSON(CatalogItemRequest.self)
      let version = body.version ?? blueprint.releasedVersions.last!.version
      guard blueprint.releasedVersions.contains(where: { $0.version == version }) else {
        throw APIError.notFound("Catalog item version", "\(id):\(version)")
      }
      if let count = body.bulkRequestCount, count != 1 {
        throw APIError.badRequest("bulkRequestCount must be 1 for this item (bulkRequestLimit is 1)")
      }
      let order = SimulatorState.CreateOrder(
        projectId: body.projectId, deploymentName: body.deploymentName, reason: body.reason, blueprintId: blueprint.id,
        blueprintVersion: version, inputs: body.inputs ?? [:], catalogItemId: blueprint.id,
        failResources: context.failResources)
      let record = try await state.createBlueprintRequest(order, org: caller.orgId, user: caller.user)
      await services.stats.deploymentCreated()
      return try JSONResponse.make(
        [CatalogItemRequestResponse(deploymentId: record.deploymentId, deploymentName: record.deploymentName)])
    }
  }

  private static func catalogBlueprint(
    _ id: String, context: SimulatorContext, state: SimulatorState
  ) async throws
    -> BlueprintRecord
  {
    let org = try context.caller().orgId
    guard let blueprint = try? await state.blueprint(id, org: org), !blueprint.releasedVersions.isEmpty else {
      throw APIError.notFound("Catalog item", id)
    }
    return blueprint
  }
}
