import CloudTemplate
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
    // The released versions, newest first; a version's id is the label a request's `version` takes.
    router.get("/catalog/api/items/{id}/versions") { request, context -> Response in
      let blueprint = try await catalogBlueprint(try context.pathParameter("id"), context: context, state: state)
      let versions = blueprint.releasedVersions.reversed().map(catalogItemVersion)
      return try JSONResponse.make(try Paging(request).page(versions))
    }
    router.get("/catalog/api/items/{id}/versions/{versionId}") { _, context -> Response in
      let id = try context.pathParameter("id")
      let blueprint = try await catalogBlueprint(id, context: context, state: state)
      let versionId = try context.pathParameter("versionId")
      guard let version = blueprint.version(versionId), version.released else {
        throw APIError.notFound("Catalog item version", "\(id):\(versionId)")
      }
      return try JSONResponse.make(catalogItemVersion(version))
    }
    router.post("/catalog/api/items/{id}/request") { request, context -> Response in
      let caller = try context.caller()
      let id = try context.pathParameter("id")
      let blueprint = try await catalogBlueprint(id, context: context, state: state)
      let body = try await request.decodeJSON(CatalogItemRequest.self)
      let requested = body.version ?? blueprint.releasedVersions.last!.version
      guard let version = blueprint.version(requested).flatMap({ $0.released ? $0.version : nil }) else {
        throw APIError.notFound("Catalog item version", "\(id):\(requested)")
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

  private static func catalogItemVersion(_ version: BlueprintVersionRecord) -> CatalogItemVersion {
    let schema = (try? TemplateParser.parse(version.content, fileName: "blueprint.yaml")).map(InputsSchema.jsonSchema)
    return CatalogItemVersion(
      id: version.version, description: version.description, schema: schema, createdAt: version.createdAt)
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
