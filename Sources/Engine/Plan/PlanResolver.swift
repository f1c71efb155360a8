import CloudTemplate
import Credentials
import VRAClient
import VRAModels

/// Replaces the `${...}` references of stage values with what they name.
///
/// Typing rule: a string that is exactly one `${...}` becomes the referenced value with its JSON type
/// (`"${stages.db.outputs.port}"` → `5432`); a reference inside other text is interpolated as text
/// (strings as they are, other values as compact JSON). Arrays and objects are resolved element by element.
public enum PlanResolver {
  /// Resolves one value; `stage` and `field` name where it is written, for error messages.
  public static func resolve(
    _ value: JSONValue, in context: ResolutionContext, stage: String, field: String
  ) throws(PlanResolutionError) -> JSONValue {
    switch value {
    case .string(let text):
      return try resolve(string: text, in: context, stage: stage, field: field)
    case .array(let elements):
      var resolved: [JSONValue] = []
      resolved.reserveCapacity(elements.count)
      for (index, element) in elements.enumerated() {
        resolved.append(try resolve(element, in: context, stage: stage, field: "\(field)[\(index)]"))
      }
      return .array(resolved)
    case .object(let object):
      var resolved: [String: JSONValue] = [:]
      for key in object.keys.sorted() {
        resolved[key] = try resolve(object[key]!, in: context, stage: stage, field: "\(field).\(key)")
      }
      return .object(resolved)
    default:
      return value
    }
  }

  /// The stage's inputs with every reference resolved.
  public static func resolveInputs(
    of stage: PlanStage, in context: ResolutionContext
  ) throws(PlanResolutionError) -> [String: JSONValue] {
    var resolved: [String: JSONValue] = [:]
    for name in stage.inputs.keys.sorted() {
      resolved[name] = try resolve(stage.inputs[name]!, in: context, stage: stage.name, field: "inputs.\(name)")
    }
    return resolved
  }

  /// The stage's deployment name with every reference resolved.
  public static func resolveDeploymentName(
    of stage: PlanStage, in context: ResolutionContext
  ) throws(PlanResolutionError) -> String {
    let value = try resolve(string: stage.deploymentName, in: context, stage: stage.name, field: "deploymentName")
    return text(of: value)
  }

  /// The value one reference names.
  public static func value(
    of reference: PlanReference, in context: ResolutionContext, stage: String, field: String, expression: String
  ) throws(PlanResolutionError) -> JSONValue {
    func failure(_ code: PlanResolutionError.Code, _ reason: String, hint: String? = nil) -> PlanResolutionError {
      PlanResolutionError(code: code, stage: stage, field: field, reference: expression, reason: reason, hint: hint)
    }
    switch reference {
    case .runID:
      return .string(context.runId.rawValue)
    case .environment(let name):
      guard let value = context.environment[name] else {
        throw failure(
          .missingEnvironmentVariable, "environment variable '\(name)' is not set",
          hint: NameSuggester.suggestion(for: name, among: context.environment.keys).map { "did you mean '\($0)'?" })
      }
      return .string(value)
    case .output(let source, let name, let path):
      let result = try finished(source, context: context, failure: failure)
      guard let output = result.outputs[name] else {
        throw failure(
          .missingOutput, "stage '\(source)' has no output '\(name)'",
          hint: available(name, among: result.outputs.keys, kind: "outputs"))
      }
      return try navigate(output, path: path, from: "output '\(name)'", failure: failure)
    case .resource(let source, let name, let index, let property):
      let result = try finished(source, context: context, failure: failure)
      let key = index.map { "\(name)[\($0)]" } ?? name
      if let properties = result.resources[key] ?? (index == 0 ? result.resources[name] : nil) {
        return try navigate(.object(properties), path: property, from: "resource '\(key)'", failure: failure)
      }
      // `R.prop` on a resource with `count`: every instance's value, in index order (what vRA gives).
      let instances = instances(of: name, in: result)
      guard index == nil, !instances.isEmpty else {
        throw failure(
          .missingResource, "stage '\(source)' has no resource '\(key)'",
          hint: available(key, among: result.resources.keys, kind: "resources"))
      }
      var values: [JSONValue] = []
      for (instance, properties) in instances {
        values.append(
          try navigate(.object(properties), path: property, from: "resource '\(instance)'", failure: failure))
      }
      return .array(values)
    case .deployment(let source, let field):
      let result = try finished(source, context: context, failure: failure)
      return .string(field == .id ? result.deploymentId : result.deploymentName)
    }
  }

  // MARK: Helpers

  private static func resolve(
    string text: String, in context: ResolutionContext, stage: String, field: String
  ) throws(PlanResolutionError) -> JSONValue {
    let occurrences = PlanReferenceScanner.scan(text)
    guard !occurrences.isEmpty else { return .string(text) }
    var values: [JSONValue] = []
    for occurrence in occurrences {
      guard let reference = occurrence.reference else {
        throw PlanResolutionError(
          code: .invalidReference, stage: stage, field: field, reference: occurrence.expression,
          reason: occurrence.problem ?? "not a valid reference", hint: occurrence.hint)
      }
      let resolved = try value(
        of: reference, in: context, stage: stage, field: field, expression: occurrence.expression)
      if resolved == .string(Redactor.mask) {
        // Passing the mask on would deploy "<redacted>" as, say, a password.
        throw PlanResolutionError(
          code: .redactedValue, stage: stage, field: field, reference: occurrence.expression,
          reason: "the value is a secret, and the state database keeps secrets only redacted",
          hint: "a stage finished by an earlier attempt of the run cannot pass a secret on; "
            + "give the input its own entry under 'secrets' instead")
      }
      values.append(resolved)
    }
    let scalars = Array(text.unicodeScalars)
    if occurrences.count == 1, occurrences[0].scalarRange == 0..<scalars.count { return values[0] }
    var result = ""
    var cursor = 0
    for (occurrence, value) in zip(occurrences, values) {
      result.unicodeScalars.append(contentsOf: scalars[cursor..<occurrence.scalarRange.lowerBound])
      result += self.text(of: value)
      cursor = occurrence.scalarRange.upperBound
    }
    result.unicodeScalars.append(contentsOf: scalars[cursor...])
    return .string(result)
  }

  /// How a value reads inside text: strings as they are, everything else as compact JSON.
  static func text(of value: JSONValue) -> String {
    if case .string(let text) = value { return text }
    return JSONText.render(value)
  }

  private static func finished(
    _ stage: String, context: ResolutionContext,
    failure: (PlanResolutionError.Code, String, String?) -> PlanResolutionError
  ) throws(PlanResolutionError) -> StageOutputs {
    guard let result = context.stageResults[stage] else {
      throw failure(
        .stageNotFinished, "stage '\(stage)' has no result yet",
        "a stage can only read stages that finished before it; the graph orders them by their references")
    }
    return result
  }

  private static func navigate(
    _ value: JSONValue, path: [String], from origin: String,
    failure: (PlanResolutionError.Code, String, String?) -> PlanResolutionError
  ) throws(PlanResolutionError) -> JSONValue {
    var current = value
    var walked = origin
    for segment in path {
      if let object = current.objectValue, let next = object[segment] {
        current = next
        walked += ".\(segment)"
      } else if let array = current.arrayValue, let index = Int(segment), array.indices.contains(index) {
        current = array[index]
        walked += "[\(index)]"
      } else {
        let keys = current.objectValue.map { Array($0.keys) } ?? []
        throw failure(
          .missingProperty, "\(walked) has no '\(segment)' (\(walked) is of type \(current.typeName))",
          available(segment, among: keys, kind: "keys"))
      }
    }
    return current
  }

  private static func instances(of name: String, in result: StageOutputs) -> [(String, [String: JSONValue])] {
    let prefix = name + "["
    return result.resources.compactMap { key, properties -> (Int, String, [String: JSONValue])? in
      guard key.hasPrefix(prefix), key.hasSuffix("]"), let index = Int(key.dropFirst(prefix.count).dropLast()) else {
        return nil
      }
      return (index, key, properties)
    }
    .sorted { $0.0 < $1.0 }
    .map { ($0.1, $0.2) }
  }

  private static func available(_ name: String, among names: some Collection<String>, kind: String) -> String? {
    if let suggestion = NameSuggester.suggestion(for: name, among: names) { return "did you mean '\(suggestion)'?" }
    guard !names.isEmpty else { return nil }
    return "available \(kind): \(names.sorted().joined(separator: ", "))"
  }
}
