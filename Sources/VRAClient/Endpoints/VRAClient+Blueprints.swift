import VRAModels

extension VRAClient {
  static let blueprints = "/blueprint/api/blueprints"

  /// `GET /blueprint/api/blueprints`, every page.
  public func blueprints(
    name: String? = nil, search: String? = nil, projects: [String] = [], releasedOnly: Bool = false,
    pageSize: Int = 100
  ) -> PagedSequence<Blueprint> {
    var filter = Query.optional("name", name) + Query.optional("search", search) + Query.list("projects", projects)
    if releasedOnly { filter.append(("released", "true")) }
    return PagedSequence(pageSize: pageSize) { [filter] skip, top in
      try await self.get(Self.blueprints, query: filter + Query.paging(skip: skip, top: top), as: Page<Blueprint>.self)
    }
  }

  /// `GET /blueprint/api/blueprints/{id}`.
  public func blueprint(id: String) async throws -> Blueprint {
    try await get("\(Self.blueprints)/\(Query.segment(id))", route: "\(Self.blueprints)/{id}")
  }

  /// `POST /blueprint/api/blueprints`. After an ambiguous failure the blueprint is looked
  /// up by name and project before it is created again.
  public func createBlueprint(_ blueprint: Blueprint) async throws -> Blueprint {
    try await createOnce(
      what: "blueprint",
      create: { try await self.send(.POST, Self.blueprints, body: blueprint, safety: .creating, as: Blueprint.self) },
      lookup: {
        guard let name = blueprint.name else { return nil }
        let candidates = try await self.blueprints(
          name: name, projects: blueprint.projectId.map { [$0] } ?? []
        ).collect()
        return candidates.first { $0.name == name }
      })
  }

  /// `PUT /blueprint/api/blueprints/{id}`.
  public func updateBlueprint(id: String, _ blueprint: Blueprint) async throws -> Blueprint {
    try await send(
      .PUT, "\(Self.blueprints)/\(Query.segment(id))", route: "\(Self.blueprints)/{id}", body: blueprint,
      safety: .idempotent)
  }

  /// `DELETE /blueprint/api/blueprints/{id}`.
  public func deleteBlueprint(id: String) async throws {
    try await sendIgnoringAnswer(
      .DELETE, "\(Self.blueprints)/\(Query.segment(id))", route: "\(Self.blueprints)/{id}", body: NoBody?.none,
      safety: .idempotent)
  }

  /// `GET /blueprint/api/blueprints/{id}/versions`, every page.
  public func blueprintVersions(blueprintId: String, pageSize: Int = 100) -> PagedSequence<BlueprintVersion> {
    PagedSequence(pageSize: pageSize) { skip, top in
      try await self.get(
        "\(Self.blueprints)/\(Query.segment(blueprintId))/versions", route: "\(Self.blueprints)/{id}/versions",
        query: Query.paging(skip: skip, top: top), as: Page<BlueprintVersion>.self)
    }
  }

  /// `GET /blueprint/api/blueprints/{id}/versions/{version}`.
  public func blueprintVersion(blueprintId: String, version: String) async throws -> BlueprintVersion {
    try await get(
      "\(Self.blueprints)/\(Query.segment(blueprintId))/versions/\(Query.segment(version))",
      route: "\(Self.blueprints)/{id}/versions/{version}")
  }

  /// `POST /blueprint/api/blueprints/{id}/versions`: freezes the current content as a version.
  public func createBlueprintVersion(
    blueprintId: String, _ request: BlueprintVersionRequest
  ) async throws
    -> BlueprintVersion
  {
    try await createOnce(
      what: "blueprint version",
      create: {
        try await self.send(
          .POST, "\(Self.blueprints)/\(Query.segment(blueprintId))/versions", route: "\(Self.blueprints)/{id}/versions",
          body: request, safety: .creating, as: BlueprintVersion.self)
      },
      lookup: {
        do {
          return try await self.blueprintVersion(blueprintId: blueprintId, version: request.version)
        } catch let error as VRAError where error.errorClass == .notFound {
          return nil
        }
      })
  }

  /// `POST /blueprint/api/blueprints/{id}/versions/{version}/actions/release`.
  public func releaseBlueprintVersion(blueprintId: String, version: String) async throws -> BlueprintVersion {
    try await versionAction("release", blueprintId: blueprintId, version: version)
  }

  /// `POST /blueprint/api/blueprints/{id}/versions/{version}/actions/unrelease`.
  public func unreleaseBlueprintVersion(blueprintId: String, version: String) async throws -> BlueprintVersion {
    try await versionAction("unrelease", blueprintId: blueprintId, version: version)
  }

  private func versionAction(_ action: String, blueprintId: String, version: String) async throws -> BlueprintVersion {
    try await send(
      .POST, "\(Self.blueprints)/\(Query.segment(blueprintId))/versions/\(Query.segment(version))/actions/\(action)",
      route: "\(Self.blueprints)/{id}/versions/{version}/actions/\(action)", body: NoBody?.none, safety: .idempotent)
  }

  /// `GET /blueprint/api/blueprints/{id}/inputs-schema`, or of one version: the inputs as JSON Schema.
  public func blueprintInputsSchema(blueprintId: String, version: String? = nil) async throws -> JSONValue {
    if let version {
      return try await get(
        "\(Self.blueprints)/\(Query.segment(blueprintId))/versions/\(Query.segment(version))/inputs-schema",
        route: "\(Self.blueprints)/{id}/versions/{version}/inputs-schema")
    }
    return try await get(
      "\(Self.blueprints)/\(Query.segment(blueprintId))/inputs-schema", route: "\(Self.blueprints)/{id}/inputs-schema")
  }

  /// `POST /blueprint/api/blueprint-validation`: vRA's own check of a template and inputs.
  public func validateBlueprint(_ request: BlueprintValidationRequest) async throws -> BlueprintValidationResponse {
    try await send(.POST, "/blueprint/api/blueprint-validation", body: request, safety: .idempotent)
  }
}
