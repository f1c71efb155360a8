/// One finding of blueprint validation (`BlueprintValidationMessage`).
public struct BlueprintValidationMessage: Codable, Sendable, Hashable {
  public var message: String?
  public var path: String?
  public var resourceName: String?
  public var type: ValidationMessageType?
  public var metadata: [String: String]?

  public init(
    message: String?, path: String? = nil, resourceName: String? = nil, type: ValidationMessageType?,
    metadata: [String: String]? = nil
  ) {
    self.message = message
    self.path = path
    self.resourceName = resourceName
    self.type = type
    self.metadata = metadata
  }
}

/// `INFO`, `WARNING`, `ERROR`.
public struct ValidationMessageType: OpenEnum {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public static let info: Self = "INFO"
  public static let warning: Self = "WARNING"
  public static let error: Self = "ERROR"
  public static let documented: [Self] = [.info, .warning, .error]
}

/// Body of `POST /blueprint/api/blueprint-validation` (`BlueprintValidationRequest`).
public struct BlueprintValidationRequest: Codable, Sendable {
  public var blueprintId: String?
  public var content: String?
  public var inputs: [String: JSONValue]?
  public var projectId: String?

  public init(
    blueprintId: String? = nil, content: String?, inputs: [String: JSONValue]? = nil, projectId: String?
  ) {
    self.blueprintId = blueprintId
    self.content = content
    self.inputs = inputs
    self.projectId = projectId
  }
}

/// Answer of blueprint validation (`BlueprintValidationResponse`).
public struct BlueprintValidationResponse: Codable, Sendable {
  public var valid: Bool?
  public var validationMessages: [BlueprintValidationMessage]?

  public init(valid: Bool?, validationMessages: [BlueprintValidationMessage]?) {
    self.valid = valid
    self.validationMessages = validationMessages
  }
}
