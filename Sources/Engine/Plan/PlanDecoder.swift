import CloudTemplate
import Foundation
import Secrets
import VRAModels

/// Turns a `PlanNode` document into a `Plan`, collecting every structural problem (unknown keys with a
/// suggestion, wrong types, bad values) instead of stopping at the first.
///
/// Template stages come out with an empty placeholder template and their path in `templatePaths`;
/// `PlanLoader` parses the templates.
struct PlanDecoder {
  struct Output {
    var plan: Plan
    /// Template stages: the path as written and where, by stage name.
    var templatePaths: [String: (path: String, location: SourceLocation)]
    /// Stages whose source could not be decoded (they stay in the plan so references to them are not "unknown").
    var unusableStages: Set<String>
    var diagnostics: [PlanDiagnostic]
  }

  static let topLevelKeys = ["name", "description", "environment", "defaults", "stages"]
  static let defaultsKeys = [
    "project", "parallelism", "perProjectLimit", "onFailure", "rollback", "timeout", "approvalTimeout", "retries",
    "org", "region", "constraintTags",
  ]
  static let stageKeys = [
    "template", "blueprint", "catalogItem", "action", "check", "deploymentName", "inputs", "secrets", "dependsOn",
    "project",
    "org", "region", "constraintTags", "timeout", "approvalTimeout", "retries", "description",
  ]
  static let sourceKeys = ["template", "blueprint", "catalogItem", "action", "check"]
  static let actionKeys = ["stage", "deployment", "id", "resource", "reason", "inputs"]

  let file: String
  let defaultName: String
  private(set) var diagnostics: [PlanDiagnostic] = []

  init(file: String, defaultName: String) {
    self.file = file
    self.defaultName = defaultName
  }

  mutating func decode(_ root: PlanNode?) -> Output {
    var plan = Plan(name: defaultName, stages: [], file: file)
    var templatePaths: [String: (path: String, location: SourceLocation)] = [:]
    var unusable: Set<String> = []
    guard let root else {
      error(.notAMapping, "the plan is empty; it needs at least a 'stages' mapping", at: .startOfFile, path: "")
      return Output(plan: plan, templatePaths: [:], unusableStages: [], diagnostics: diagnostics)
    }
    guard let entries = root.entries else {
      error(
        .notAMapping, "a plan must be a mapping (name, defaults, stages), found \(root.kindDescription)",
        at: root.location, path: "")
      return Output(plan: plan, templatePaths: [:], unusableStages: [], diagnostics: diagnostics)
    }
    var sawStages = false
    for entry in entries {
      let path = JSONPointer.appending(entry.key, to: "")
      switch entry.key {
      case "name":
        if let name = string(entry.value, path: path, field: "name") { plan.name = name }
      case "description":
        _ = string(entry.value, path: path, field: "description")
      case "environment":
        if let name = string(entry.value, path: path, field: "environment") {
          if let problem = EnvironmentName.problem(with: name) {
            error(.invalidValue, problem, at: entry.value.textLocation, path: path)
          } else {
            plan.environment = name
            plan.environmentLocation = entry.value.textLocation
          }
        }
      case "defaults":
        plan.defaults = defaults(entry.value, path: path)
      case "stages":
        sawStages = true
        guard let stageEntries = mapping(entry.value, path: path, field: "stages", expecting: "stage names") else {
          continue
        }
        if stageEntries.isEmpty {
          error(.missingField, "'stages' lists no stage", at: entry.keyLocation, path: path)
        }
        for stageEntry in stageEntries {
          let decoded = stage(stageEntry, planName: plan.name, path: JSONPointer.appending(stageEntry.key, to: path))
          plan.stages.append(decoded.stage)
          if let templatePath = decoded.templatePath { templatePaths[decoded.stage.name] = templatePath }
          if decoded.unusable { unusable.insert(decoded.stage.name) }
        }
      default:
        unknownKey(entry, path: path, among: Self.topLevelKeys, in: "the plan")
      }
    }
    if !sawStages {
      error(.missingField, "a plan needs a 'stages' mapping", at: root.location, path: "/stages")
    }
    // The default deployment name uses the plan name, which may be written after the stages.
    for index in plan.stages.indices
    where plan.stages[index].deploymentName
      == PlanStage.defaultDeploymentName(plan: defaultName, stage: plan.stages[index].name)
      && plan.stages[index].valueLocations["/deploymentName"] == nil
    {
      plan.stages[index].deploymentName = PlanStage.defaultDeploymentName(
        plan: plan.name, stage: plan.stages[index].name)
    }
    return Output(plan: plan, templatePaths: templatePaths, unusableStages: unusable, diagnostics: diagnostics)
  }

  // MARK: Sections

  private mutating func defaults(_ node: PlanNode, path: String) -> PlanDefaults {
    var defaults = PlanDefaults()
    guard let entries = mapping(node, path: path, field: "defaults", expecting: "settings") else { return defaults }
    for entry in entries {
      let keyPath = JSONPointer.appending(entry.key, to: path)
      switch entry.key {
      case "project":
        defaults.project = string(entry.value, path: keyPath, field: "project")
      case "parallelism":
        if let value = integer(entry.value, path: keyPath, field: "parallelism", minimum: 1) {
          defaults.parallelism = value
        }
      case "perProjectLimit":
        defaults.perProjectLimit = integer(entry.value, path: keyPath, field: "perProjectLimit", minimum: 1)
      case "onFailure":
        if let value = choice(entry.value, path: keyPath, field: "onFailure", as: FailurePolicy.self) {
          defaults.onFailure = value
        }
      case "rollback":
        if let value = choice(entry.value, path: keyPath, field: "rollback", as: RollbackPolicy.self) {
          defaults.rollback = value
        }
      case "timeout":
        defaults.timeout = duration(entry.value, path: keyPath, field: "timeout")
      case "approvalTimeout":
        defaults.approvalTimeout = duration(entry.value, path: keyPath, field: "approvalTimeout")
      case "retries":
        if let value = integer(entry.value, path: keyPath, field: "retries", minimum: 0) { defaults.retries = value }
      case "org", "region", "constraintTags":
        context(entry, path: keyPath, into: &defaults.placement)
      default:
        unknownKey(entry, path: keyPath, among: Self.defaultsKeys, in: "'defaults'")
      }
    }
    return defaults
  }

  private struct DecodedStage {
    var stage: PlanStage
    var templatePath: (path: String, location: SourceLocation)?
    var unusable: Bool
  }

  private mutating func stage(_ entry: PlanNode.Entry, planName: String, path: String) -> DecodedStage {
    let name = entry.key
    var stage = PlanStage(
      name: name, source: .blueprint(name: "", version: nil),
      deploymentName: PlanStage.defaultDeploymentName(plan: defaultName, stage: name), location: entry.keyLocation)
    var result = DecodedStage(stage: stage, templatePath: nil, unusable: true)
    if !Self.isValidStageName(name) {
      error(
        .invalidValue, "stage name '\(name)' may only hold letters, digits, '_' and '-'", at: entry.keyLocation,
        path: path, stage: name)
    }
    guard let entries = mapping(entry.value, path: path, field: "stage '\(name)'", expecting: "stage settings") else {
      return result
    }
    var sources: [PlanNode.Entry] = []
    for field in entries {
      let keyPath = JSONPointer.appending(field.key, to: path)
      switch field.key {
      case "template", "blueprint", "catalogItem", "action", "check":
        sources.append(field)
      case "deploymentName":
        if let text = string(field.value, path: keyPath, field: "deploymentName", stage: name) {
          stage.deploymentName = text
          stage.valueLocations["/deploymentName"] = field.value.textLocation
        }
      case "inputs":
        guard let inputs = mapping(field.value, path: keyPath, field: "inputs", expecting: "input names", stage: name)
        else { continue }
        stage.valueLocations["/inputs"] = field.keyLocation
        for input in inputs {
          var locations: [String: SourceLocation] = [:]
          let pointer = JSONPointer.appending(input.key, to: "/inputs")
          stage.inputs[input.key] = input.value.jsonValue(pointer: pointer, locations: &locations)
          stage.inputLocations[input.key] = input.keyLocation
          stage.valueLocations.merge(locations) { $1 }
        }
      case "secrets":
        secretEntries(field, path: keyPath, into: &stage)
      case "dependsOn":
        let elements: [PlanNode] =
          if case .sequence(let list) = field.value.content { list } else { [field.value] }
        for (index, element) in elements.enumerated() {
          let elementPath =
            if case .sequence = field.value.content { JSONPointer.appending(index, to: keyPath) } else { keyPath }
          if let target = string(element, path: elementPath, field: "dependsOn entries", stage: name) {
            stage.dependsOn.append(target)
            stage.dependsOnLocations.append(element.textLocation)
          }
        }
      case "project":
        stage.project = string(field.value, path: keyPath, field: "project", stage: name)
      case "org", "region", "constraintTags":
        context(field, path: keyPath, into: &stage.placement, stage: name)
      case "timeout":
        stage.timeout = duration(field.value, path: keyPath, field: "timeout", stage: name)
        stage.valueLocations["/timeout"] = field.value.location
      case "approvalTimeout":
        stage.approvalTimeout = duration(field.value, path: keyPath, field: "approvalTimeout", stage: name)
        stage.valueLocations["/approvalTimeout"] = field.value.location
      case "retries":
        stage.retries = integer(field.value, path: keyPath, field: "retries", minimum: 0, stage: name)
        stage.valueLocations["/retries"] = field.value.location
      case "description":
        _ = string(field.value, path: keyPath, field: "description", stage: name)
      default:
        unknownKey(field, path: keyPath, among: Self.stageKeys, in: "stage '\(name)'", stage: name)
      }
    }
    for secret in stage.secrets.keys.sorted() where stage.inputs[secret] != nil {
      error(
        .conflictingFields, "stage '\(name)' sets '\(secret)' under both 'inputs' and 'secrets'",
        at: stage.location(of: JSONPointer.appending(secret, to: "/secrets")),
        path: JSONPointer.appending(secret, to: path + "/secrets"),
        hint: "keep one: 'secrets' for a value read from Vault, the environment or a file, 'inputs' for a literal",
        stage: name)
    }
    if sources.isEmpty {
      error(
        .missingField, "stage '\(name)' says nothing to deploy", at: entry.keyLocation, path: path,
        hint: "add one of 'template: FILE', 'blueprint: {name, version}', 'catalogItem: {name, version}' or "
          + "'action: {stage, id}' or 'check: {http: {url}}'",
        stage: name)
    } else if sources.count > 1 {
      error(
        .conflictingFields,
        "stage '\(name)' sets \(sources.map { "'\($0.key)'" }.joined(separator: " and ")); a stage deploys exactly one",
        at: sources[1].keyLocation, path: JSONPointer.appending(sources[1].key, to: path), stage: name)
    } else {
      let source = sources[0]
      let keyPath = JSONPointer.appending(source.key, to: path)
      switch source.key {
      case "action":
        if let action = action(source, path: keyPath, into: &stage) {
          stage.source = .action(action)
          result.unusable = false
        }
      case "check":
        if let check = check(source, path: keyPath, into: &stage) {
          stage.source = .check(check)
          result.unusable = false
        }
      case "template":
        if let file = string(source.value, path: keyPath, field: "template", stage: name) {
          if file.isEmpty {
            error(.invalidValue, "'template' is empty", at: source.value.location, path: keyPath, stage: name)
          } else {
            result.templatePath = (file, source.value.textLocation)
            result.unusable = false
          }
        }
      default:
        if let (catalogName, version) = catalogReference(source, path: keyPath, stage: name) {
          stage.source =
            source.key == "blueprint"
            ? .blueprint(name: catalogName, version: version) : .catalogItem(name: catalogName, version: version)
          result.unusable = false
        }
      }
    }
    result.stage = stage
    return result
  }

  /// `action: {stage: S | deployment: NAME, id: ACTION, resource: R, reason: TEXT, inputs: {...}}`;
  /// its inputs become the stage's inputs (resolved and redacted like any stage's).
  private mutating func action(_ entry: PlanNode.Entry, path: String, into stage: inout PlanStage) -> StageAction? {
    let name = stage.name
    guard
      let entries = mapping(
        entry.value, path: path, field: "action", expecting: "'stage' or 'deployment', 'id' and optionally 'inputs'",
        stage: name)
    else { return nil }
    if stage.valueLocations["/deploymentName"] != nil {
      error(
        .conflictingFields, "stage '\(name)' runs an action and sets 'deploymentName'; an action deploys nothing",
        at: stage.location(of: "/deploymentName"), path: String(path.dropLast("/action".count)) + "/deploymentName",
        hint: "name the deployment to act on with 'action: {deployment: NAME}'", stage: name)
    }
    var targets: [(StageAction.Target, PlanNode.Entry)] = []
    var actionId: String?
    var resource: String?
    var reason: String?
    for field in entries {
      let keyPath = JSONPointer.appending(field.key, to: path)
      let pointer = "/action/\(field.key)"
      switch field.key {
      case "stage", "deployment":
        guard let text = string(field.value, path: keyPath, field: field.key, stage: name) else { continue }
        stage.valueLocations[pointer] = field.value.textLocation
        targets.append((field.key == "stage" ? .stage(text) : .deployment(text), field))
      case "id":
        actionId = string(field.value, path: keyPath, field: "id", stage: name)
        stage.valueLocations[pointer] = field.value.textLocation
      case "resource":
        resource = string(field.value, path: keyPath, field: "resource", stage: name)
        stage.valueLocations[pointer] = field.value.textLocation
      case "reason":
        reason = string(field.value, path: keyPath, field: "reason", stage: name)
      case "inputs":
        guard let inputs = mapping(field.value, path: keyPath, field: "inputs", expecting: "input names", stage: name)
        else { continue }
        for input in inputs {
          guard stage.inputs[input.key] == nil else {
            error(
              .conflictingFields, "stage '\(name)' sets input '\(input.key)' both under 'inputs' and 'action.inputs'",
              at: input.keyLocation, path: JSONPointer.appending(input.key, to: keyPath), stage: name)
            continue
          }
          var locations: [String: SourceLocation] = [:]
          stage.inputs[input.key] = input.value.jsonValue(
            pointer: JSONPointer.appending(input.key, to: "/inputs"), locations: &locations)
          stage.inputLocations[input.key] = input.keyLocation
          stage.valueLocations.merge(locations) { $1 }
        }
      default:
        unknownKey(field, path: keyPath, among: Self.actionKeys, in: "the action of stage '\(name)'", stage: name)
      }
    }
    if targets.count > 1 {
      error(
        .conflictingFields, "the action of stage '\(name)' sets both 'stage' and 'deployment'; it acts on one",
        at: targets[1].1.keyLocation, path: JSONPointer.appending(targets[1].1.key, to: path), stage: name)
      return nil
    }
    guard let target = targets.first?.0 else {
      error(
        .missingField, "the action of stage '\(name)' names no deployment", at: entry.keyLocation, path: path,
        hint: "add 'stage: STAGE' (a stage of this plan) or 'deployment: NAME' (one outside it)", stage: name)
      return nil
    }
    guard let actionId, !actionId.isEmpty else {
      error(
        .missingField, "the action of stage '\(name)' needs an 'id' (vRA's action id, e.g. Deployment.PowerOff)",
        at: entry.keyLocation, path: path + "/id", hint: "list them with `vra-engine actions DEPLOYMENT`", stage: name)
      return nil
    }
    return StageAction(target: target, actionId: actionId, resource: resource, reason: reason)
  }

  /// `secrets: {NAME: REFERENCE}`: every value must be a `vault:`, `env:` or `file:` reference, checked
  /// here (offline) so `validate` reports a malformed one with its line.
  private mutating func secretEntries(_ field: PlanNode.Entry, path: String, into stage: inout PlanStage) {
    guard
      let entries = mapping(
        field.value, path: path, field: "secrets", expecting: "input names to secret references", stage: stage.name)
    else { return }
    for entry in entries {
      let keyPath = JSONPointer.appending(entry.key, to: path)
      let pointer = JSONPointer.appending(entry.key, to: "/secrets")
      stage.valueLocations[pointer] = entry.value.textLocation
      guard let text = string(entry.value, path: keyPath, field: "secret '\(entry.key)'", stage: stage.name) else {
        continue
      }
      do {
        stage.secrets[entry.key] = try SecretReference(parsing: text)
      } catch let problem {
        // Kept under its name so the validator does not also call the input missing; the error
        // below rejects the plan, so this placeholder never reaches a run.
        stage.secrets[entry.key] = .environment(name: "")
        error(
          .invalidSecretReference,
          "secret '\(entry.key)' of stage '\(stage.name)': \(problem.message) (\(problem.code))",
          at: entry.value.textLocation, path: keyPath, hint: problem.hint, stage: stage.name)
      }
    }
  }

  /// `blueprint: NAME` or `blueprint: {name: NAME, version: V}` (the same for `catalogItem`).
  private mutating func catalogReference(
    _ entry: PlanNode.Entry, path: String, stage: String
  ) -> (String, String?)? {
    if case .scalar = entry.value.content {
      guard let name = string(entry.value, path: path, field: entry.key, stage: stage) else { return nil }
      return (name, nil)
    }
    guard
      let entries = mapping(
        entry.value, path: path, field: entry.key, expecting: "'name' and optionally 'version'", stage: stage)
    else { return nil }
    var name: String?
    var version: String?
    for field in entries {
      let keyPath = JSONPointer.appending(field.key, to: path)
      switch field.key {
      case "name": name = string(field.value, path: keyPath, field: "name", stage: stage)
      case "version": version = string(field.value, path: keyPath, field: "version", allowNumbers: true, stage: stage)
      default: unknownKey(field, path: keyPath, among: ["name", "version"], in: "'\(entry.key)'", stage: stage)
      }
    }
    guard let name else {
      if !entries.contains(where: { $0.key == "name" }) {
        error(
          .missingField, "'\(entry.key)' needs a 'name' (the \(entry.key) name or id)", at: entry.keyLocation,
          path: path, stage: stage)
      }
      return nil
    }
    return (name, version)
  }

  private mutating func context(
    _ entry: PlanNode.Entry, path: String, into context: inout StagePlacement, stage: String? = nil
  ) {
    switch entry.key {
    case "org": context.org = string(entry.value, path: path, field: "org", stage: stage)
    case "region": context.region = string(entry.value, path: path, field: "region", stage: stage)
    default:
      switch entry.value.content {
      case .sequence(let elements):
        for (index, element) in elements.enumerated() {
          if let tag = string(
            element, path: JSONPointer.appending(index, to: path), field: "constraintTags entries", stage: stage)
          {
            context.constraintTags.append(tag)
          }
        }
      case .mapping(let tags):
        for tag in tags {
          if let value = string(
            tag.value, path: JSONPointer.appending(tag.key, to: path), field: "constraint tag '\(tag.key)'",
            allowNumbers: true, stage: stage)
          {
            context.constraintTags.append("\(tag.key):\(value)")
          }
        }
      case .scalar:
        if let tag = string(entry.value, path: path, field: "constraintTags", stage: stage) {
          context.constraintTags.append(tag)
        }
      }
    }
  }

  // MARK: Typed values

  mutating func mapping(
    _ node: PlanNode, path: String, field: String, expecting: String, stage: String? = nil
  ) -> [PlanNode.Entry]? {
    if let entries = node.entries { return entries }
    if node.isNull { return [] }
    error(
      .invalidFieldType, "\(field) must be a mapping of \(expecting), found \(node.kindDescription)",
      at: node.location, path: path, stage: stage)
    return nil
  }

  mutating func string(
    _ node: PlanNode, path: String, field: String, allowNumbers: Bool = false, stage: String? = nil
  ) -> String? {
    switch node.scalar {
    case .string(let text)?: return text
    case .int(let number)? where allowNumbers: return String(number)
    case .double(let number)? where allowNumbers: return String(number)
    default:
      error(
        .invalidFieldType, "'\(field)' must be a string, found \(node.kindDescription)", at: node.location,
        path: path, stage: stage)
      return nil
    }
  }

  mutating func integer(
    _ node: PlanNode, path: String, field: String, minimum: Int, stage: String? = nil
  ) -> Int? {
    guard case .int(let value)? = node.scalar else {
      error(
        .invalidFieldType, "'\(field)' must be a whole number, found \(node.kindDescription)", at: node.location,
        path: path, stage: stage)
      return nil
    }
    guard value >= minimum else {
      error(
        .invalidValue, "'\(field)' must be at least \(minimum), found \(value)", at: node.location, path: path,
        stage: stage)
      return nil
    }
    return value
  }

  private mutating func choice<Choice: RawRepresentable & CaseIterable>(
    _ node: PlanNode, path: String, field: String, as type: Choice.Type
  ) -> Choice? where Choice.RawValue == String {
    guard let text = string(node, path: path, field: field) else { return nil }
    if let value = Choice(rawValue: text) { return value }
    let allowed = Choice.allCases.map(\.rawValue)
    error(
      .invalidValue,
      "'\(field)' must be one of \(allowed.map { "'\($0)'" }.joined(separator: ", ")), found '\(text)'",
      at: node.location, path: path,
      hint: NameSuggester.suggestion(for: text, among: allowed).map { "did you mean '\($0)'?" })
    return nil
  }

  mutating func duration(
    _ node: PlanNode, path: String, field: String, stage: String? = nil
  ) -> Duration? {
    let text: String
    switch node.scalar {
    case .int(let seconds)? where seconds >= 0: return .seconds(seconds)
    case .string(let written)?: text = written
    default:
      error(
        .invalidFieldType, "'\(field)' must be a duration such as \"30m\", found \(node.kindDescription)",
        at: node.location, path: path, stage: stage)
      return nil
    }
    guard let duration = PlanDurationParser.parse(text), duration > .zero else {
      error(
        .invalidValue, "'\(field)' is not a duration: '\(text)'", at: node.location, path: path,
        hint: "write a number with a unit: 90s, 30m, 1h30m, 2d", stage: stage)
      return nil
    }
    return duration
  }

  // MARK: Diagnostics

  mutating func unknownKey(
    _ entry: PlanNode.Entry, path: String, among known: [String], in container: String, stage: String? = nil
  ) {
    let suggestion = NameSuggester.suggestion(for: entry.key, among: known)
    error(
      .unknownKey, "unknown key '\(entry.key)' in \(container)", at: entry.keyLocation, path: path,
      hint: suggestion.map { "did you mean '\($0)'?" }
        ?? "known keys: \(known.joined(separator: ", "))",
      stage: stage)
  }

  mutating func error(
    _ code: PlanDiagnosticCode, _ message: String, at location: SourceLocation, path: String, hint: String? = nil,
    stage: String? = nil
  ) {
    diagnostics.append(
      PlanDiagnostic(
        code: code, message: message, file: file, location: location, path: path, hint: hint, stage: stage))
  }

  static func isValidStageName(_ name: String) -> Bool {
    !name.isEmpty
      && name.unicodeScalars.allSatisfy { scalar in
        scalar.isASCII
          && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_"
            || scalar == "-")
      }
  }
}
