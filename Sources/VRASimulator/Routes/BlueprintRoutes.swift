import CloudTemplate
import Hummingbird
import VRAModels

/// Cloud templates: CRUD, versions and release, inputs schema and validation.
enum BlueprintRoutes {
  static func register(on router: Router<SimulatorContext>, services: SimulatorServices) {
    let state = services.state
    let base = "/blueprint/api/blueprints"

    // `search` matches the name and the description; `$orderby` and `$select` as the spec lists them.
    // Like vRA, the list leaves out each blueprint's `content` unless `$select` asks for it.
    router.get(RouterPath(base)) { request, context -> Response in
      let org = try context.caller().orgId
      let paging = try Paging(request)
      let query = request.query
      let list = try ListQuery(query, filtering: false)
      let name = query.get("name")
      let search = query.get("search")?.lowercased()
      let projects = Set(query.list("projects"))
      let releasedOnly = query.bool("released") ?? false
      let withContent = list.selects("content")
      var rendered: [JSONValue] = []
      for blueprint in await state.listBlueprints(org: org) {
        if let name, blueprint.name != name { continue }
        if let search, !blueprint.name.lowercased().contains(search),
          !(blueprint.description?.lowercased().contains(search) ?? false)
        {
          continue
        }
        if !projects.isEmpty, !projects.contains(blueprint.projectId) { continue }
        if releasedOnly, blueprint.releasedVersions.isEmpty { continue }
        var summary = await state.render(blueprint)
        if !withContent { summary.content = nil }
        rendered.append(try JSONValue(rendering: summary))
      }
      return try JSONResponse.make(paging.page(list.apply(to: rendered).map(list.project)))
    }
    router.post(RouterPath(base)) { request, context -> Response in
      let caller = try context.caller()
      let body = try await request.decodeJSON(Blueprint.self)
      let blueprint = try await state.createBlueprint(body, org: caller.orgId, user: caller.user)
      return try JSONResponse.make(await state.render(blueprint), status: .created)
    }
    router.get("\(base)/{blueprintId}") { _, context -> Response in
      let org = try context.caller().orgId
      let blueprint = try await state.blueprint(try context.pathParameter("blueprintId"), org: org)
      return try JSONResponse.make(await state.render(blueprint))
    }
    router.put("\(base)/{blueprintId}") { request, context -> Response in
      let caller = try context.caller()
      let body = try await request.decodeJSON(Blueprint.self)
      let blueprint = try await state.updateBlueprint(
        try context.pathParameter("blueprintId"), with: body, org: caller.orgId, user: caller.user)
      return try JSONResponse.make(await state.render(blueprint))
    }
    router.delete("\(base)/{blueprintId}") { _, context -> Response in
      try await state.deleteBlueprint(try context.pathParameter("blueprintId"), org: try context.caller().orgId)
      return JSONResponse.empty(.noContent)
    }
    router.get("\(base)/{blueprintId}/inputs-schema") { _, context -> Response in
      let blueprint = try await state.blueprint(
        try context.pathParameter("blueprintId"), org: try context.caller().orgId)
      return try JSONResponse.make(try inputsSchema(blueprint.content))
    }
    router.get("\(base)/{blueprintId}/versions") { request, context -> Response in
      let blueprint = try await state.blueprint(
        try context.pathParameter("blueprintId"), org: try context.caller().orgId)
      let paging = try Paging(request)
      var rendered: [BlueprintVersion] = []
      for version in blueprint.versions.reversed() { rendered.append(await state.render(version, of: blueprint)) }
      return try JSONResponse.make(paging.page(rendered))
    }
    router.post("\(base)/{blueprintId}/versions") { request, context -> Response in
      let caller = try context.caller()
      let id = try context.pathParameter("blueprintId")
      let body = try await request.decodeJSON(BlueprintVersionRequest.self)
      let version = try await state.createVersion(id, request: body, org: caller.orgId, user: caller.user)
      let blueprint = try await state.blueprint(id, org: caller.orgId)
      return try JSONResponse.make(await state.render(version, of: blueprint), status: .created)
    }
    router.get("\(base)/{blueprintId}/versions/{version}") { _, context -> Response in
      let blueprint = try await state.blueprint(
        try context.pathParameter("blueprintId"), org: try context.caller().orgId)
      let label = try context.pathParameter("version")
      guard let version = blueprint.version(label) else {
        throw APIError.notFound("Blueprint version", label)
      }
      return try JSONResponse.make(await state.render(version, of: blueprint))
    }
    router.get("\(base)/{blueprintId}/versions/{version}/inputs-schema") { _, context -> Response in
      let blueprint = try await state.blueprint(
        try context.pathParameter("blueprintId"), org: try context.caller().orgId)
      let label = try context.pathParameter("version")
      guard let version = blueprint.version(label) else {
        throw APIError.notFound("Blueprint version", label)
      }
      return try JSONResponse.make(try inputsSchema(version.content))
    }
    for (action, released) in [("release", true), ("unrelease", false)] {
      router.post("\(base)/{blueprintId}/versions/{version}/actions/\(action)") { _, context -> Response in
        let org = try context.caller().orgId
        let id = try context.pathParameter("blueprintId")
        let version = try await state.setReleased(
          id, version: try context.pathParameter("version"), released: released, org: org)
        return try JSONResponse.make(await state.render(version, of: try await state.blueprint(id, org: org)))
      }
    }
    router.post("/blueprint/api/blueprint-validation") { request, context -> Response in
      let org = try context.caller().orgId
      let body = try await request.decodeJSON(BlueprintValidationRequest.self)
      var content = body.content
      if content == nil, let id = body.blueprintId { content = try await state.blueprint(id, org: org).content }
      guard let content else { throw APIError.badRequest("Either blueprintId or content is required") }
      var messages = SimulatorState.validate(content: content)
      if let inputs = body.inputs, let template = try? TemplateParser.parse(content, fileName: "blueprint.yaml") {
        messages += InputValidator.validate(inputs, against: template).violations.map {
          BlueprintValidationMessage(message: $0.message, path: $0.path, type: .error, metadata: ["rule": $0.rule])
        }
      }
      return try JSONResponse.make(
        BlueprintValidationResponse(valid: !messages.contains { $0.type == .error }, validationMessages: messages))
    }
  }

  /// The inputs JSON Schema of a template, as `/inputs-schema` returns it.
  static func inputsSchema(_ content: String) throws -> JSONValue {
    do {
      return InputsSchema.jsonSchema(for: try TemplateParser.parse(content, fileName: "blueprint.yaml"))
    } catch {
      let messages = error.diagnostics.map(\.validationMessage)
      throw APIError(
        .badRequest, "Blueprint content is invalid: " + messages.compactMap(\.message).joined(separator: "; "),
        errorCode: 10400, validationMessages: messages)
    }
  }
}
