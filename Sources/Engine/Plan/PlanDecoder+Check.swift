import CloudTemplate
import Foundation
import VRAModels

/// `check: {http|tcp|command: {...}}`: a check stage's probe, its repetition and its limits, every
/// mistake reported with its line like the rest of the plan.
extension PlanDecoder {
  static let checkKeys: [StageCheck.Kind: [String]] = [
    .http: ["url", "expectStatus", "expectBody", "headers"] + repetitionKeys,
    .tcp: ["host", "port"] + repetitionKeys,
    .command: ["run", "env"] + repetitionKeys,
  ]
  static let repetitionKeys = ["times", "interval", "timeout", "attemptTimeout"]
  /// Stage keys that mean nothing for a check (it has no deployment, inputs or request in vRA).
  static let keysCheckStagesRefuse = ["deploymentName", "inputs", "retries", "approvalTimeout", "timeout"]

  mutating func check(_ entry: PlanNode.Entry, path: String, into stage: inout PlanStage) -> StageCheck? {
    let name = stage.name
    let kinds = StageCheck.Kind.allCases.map(\.rawValue)
    guard
      let entries = mapping(
        entry.value, path: path, field: "check", expecting: "one of \(kinds.joined(separator: ", "))", stage: name)
    else { return nil }
    refuseStageKeys(of: &stage, checkPath: path)
    guard let probe = entries.first else {
      error(
        .missingField, "the check of stage '\(name)' says nothing to check", at: entry.keyLocation, path: path,
        hint: "add 'http: {url: URL}', 'tcp: {host: H, port: P}' or 'command: {run: CMD}'", stage: name)
      return nil
    }
    if entries.count > 1 {
      error(
        .conflictingFields,
        "the check of stage '\(name)' sets \(entries.map { "'\($0.key)'" }.joined(separator: " and ")); "
          + "a check stage checks one thing (add a stage per check)",
        at: entries[1].keyLocation, path: JSONPointer.appending(entries[1].key, to: path), stage: name)
      return nil
    }
    let probePath = JSONPointer.appending(probe.key, to: path)
    guard let kind = StageCheck.Kind(rawValue: probe.key) else {
      unknownKey(probe, path: probePath, among: kinds, in: "the check of stage '\(name)'", stage: name)
      return nil
    }
    guard
      let fields = mapping(
        probe.value, path: probePath, field: "check.\(kind.rawValue)", expecting: "its settings", stage: name)
    else { return nil }
    var check = StageCheck(kind: kind, settings: [:])
    var attemptTimeout: Duration?
    let pointerBase = "/check/\(kind.rawValue)"
    var usable = true
    for field in fields {
      let keyPath = JSONPointer.appending(field.key, to: probePath)
      let pointer = JSONPointer.appending(field.key, to: pointerBase)
      switch field.key {
      case "url", "expectBody", "host", "run":
        guard let text = string(field.value, path: keyPath, field: field.key, stage: name) else {
          usable = false
          continue
        }
        check.settings[field.key] = .string(text)
        stage.valueLocations[pointer] = field.value.textLocation
      case "port":
        switch field.value.scalar {
        case .int(let port)?:
          check.settings["port"] = .int(port)
        case .string(let text)?:
          check.settings["port"] = .string(text)
        default:
          error(
            .invalidFieldType, "'port' must be a number or a ${...} reference, found \(field.value.kindDescription)",
            at: field.value.location, path: keyPath, stage: name)
          usable = false
        }
        stage.valueLocations[pointer] = field.value.textLocation
      case "headers", "env":
        guard let pairs = stringMapping(field, path: keyPath, pointer: pointer, into: &stage) else {
          usable = false
          continue
        }
        check.settings[field.key] = .object(pairs.mapValues { .string($0) })
      case "expectStatus":
        guard let statuses = statusList(field.value, path: keyPath, stage: name) else {
          usable = false
          continue
        }
        check.expectStatus = statuses
      case "times":
        guard let times = integer(field.value, path: keyPath, field: "times", minimum: 1, stage: name) else {
          usable = false
          continue
        }
        check.times = times
      case "interval":
        if let interval = duration(field.value, path: keyPath, field: "interval", stage: name) {
          check.interval = interval
        } else {
          usable = false
        }
      case "timeout":
        if let timeout = duration(field.value, path: keyPath, field: "timeout", stage: name) {
          check.timeout = timeout
        } else {
          usable = false
        }
      case "attemptTimeout":
        attemptTimeout = duration(field.value, path: keyPath, field: "attemptTimeout", stage: name)
        if attemptTimeout == nil { usable = false }
      default:
        unknownKey(
          field, path: keyPath, among: Self.checkKeys[kind] ?? [], in: "the \(kind.rawValue) check of stage '\(name)'",
          stage: name)
        usable = false
      }
    }
    // A command's one run may take long (a test suite); an HTTP or TCP probe should not.
    check.attemptTimeout =
      attemptTimeout ?? (kind == .command ? check.timeout : min(StageCheck.defaultAttemptTimeout, check.timeout))
    let required = kind == .http ? ["url"] : kind == .tcp ? ["host", "port"] : ["run"]
    for key in required where check.settings[key] == nil && !fields.contains(where: { $0.key == key }) {
      error(
        .missingField, "the \(kind.rawValue) check of stage '\(name)' needs '\(key)'", at: probe.keyLocation,
        path: JSONPointer.appending(key, to: probePath), stage: name)
      usable = false
    }
    if kind != .command, let secret = stage.secrets.keys.sorted().first {
      error(
        .conflictingFields,
        "stage '\(name)' sets 'secrets', which only a command check receives (as environment variables)",
        at: stage.location(of: JSONPointer.appending(secret, to: "/secrets")),
        path: String(path.dropLast("/check".count)) + "/secrets",
        hint: "an \(kind.rawValue) check can read ${env.NAME}", stage: name)
    }
    usable = literalSettingsAreValid(check, path: probePath, pointerBase: pointerBase, stage: stage) && usable
    return usable ? check : nil
  }

  /// Keys a check stage has no use for: each one is an error, not silently ignored.
  private mutating func refuseStageKeys(of stage: inout PlanStage, checkPath: String) {
    let stagePath = String(checkPath.dropLast("/check".count))
    for key in Self.keysCheckStagesRefuse {
      let pointer = "/\(key)"
      guard let location = stage.valueLocations[pointer] else { continue }
      let hint =
        key == "timeout"
        ? "a check's limits go under the check: 'check: {http: {url, timeout: 2m, interval: 5s, times: 3}}'"
        : key == "retries" ? "a check probes again by itself until its timeout ('times', 'interval', 'timeout')" : nil
      error(
        .conflictingFields, "stage '\(stage.name)' is a check and sets '\(key)'; a check deploys nothing",
        at: location, path: JSONPointer.appending(key, to: stagePath), hint: hint, stage: stage.name)
    }
  }

  /// `headers:` / `env:`: names to strings (numbers and booleans are written as text).
  private mutating func stringMapping(
    _ field: PlanNode.Entry, path: String, pointer: String, into stage: inout PlanStage
  ) -> [String: String]? {
    guard
      let entries = mapping(
        field.value, path: path, field: field.key, expecting: "names to strings", stage: stage.name)
    else { return nil }
    var pairs: [String: String] = [:]
    for entry in entries {
      let keyPath = JSONPointer.appending(entry.key, to: path)
      let text: String?
      switch entry.value.scalar {
      case .bool(let flag)?: text = flag ? "true" : "false"
      default: text = string(entry.value, path: keyPath, field: entry.key, allowNumbers: true, stage: stage.name)
      }
      guard let text else { return nil }
      if field.key == "env", !Self.isEnvironmentName(entry.key) {
        error(
          .invalidValue, "'\(entry.key)' is not an environment variable name", at: entry.keyLocation, path: keyPath,
          hint: "letters, digits and '_', not starting with a digit", stage: stage.name)
        return nil
      }
      pairs[entry.key] = text
      stage.valueLocations[JSONPointer.appending(entry.key, to: pointer)] = entry.value.textLocation
    }
    return pairs
  }

  /// `expectStatus: 200` or `[200, 204]`.
  private mutating func statusList(_ node: PlanNode, path: String, stage: String) -> [Int]? {
    let elements: [(PlanNode, String)] =
      if case .sequence(let list) = node.content {
        list.enumerated().map { ($1, JSONPointer.appending($0, to: path)) }
      } else { [(node, path)] }
    var statuses: [Int] = []
    for (element, elementPath) in elements {
      guard case .int(let status)? = element.scalar, (100...599).contains(status) else {
        error(
          .invalidValue, "'expectStatus' must be HTTP statuses (100-599), found \(element.kindDescription)",
          at: element.location, path: elementPath, hint: "write 200, or a list: [200, 204]", stage: stage)
        return nil
      }
      statuses.append(status)
    }
    return statuses.isEmpty ? nil : statuses
  }

  /// Values written without references are checked now, so `validate` reports them with their line.
  private mutating func literalSettingsAreValid(
    _ check: StageCheck, path: String, pointerBase: String, stage: PlanStage
  ) -> Bool {
    var valid = true
    for key in check.settings.keys.sorted() {
      let value = check.settings[key]!
      // A value with references is checked once they are resolved, when the stage starts.
      if case .string(let text) = value, !PlanReferenceScanner.scan(text).isEmpty { continue }
      let problem: StageCheck.SettingProblem? =
        switch key {
        case "url": StageCheck.problem(url: value.stringValue ?? "")
        case "port": StageCheck.port(from: value).problem
        case "host", "run":
          value.stringValue?.trimmingCharacters(in: .whitespaces).isEmpty == true
            ? StageCheck.SettingProblem(message: "'\(key)' is empty") : nil
        default: nil
        }
      guard let problem else { continue }
      error(
        .invalidValue, "the \(check.kind.rawValue) check of stage '\(stage.name)': \(problem.message)",
        at: stage.location(of: JSONPointer.appending(key, to: pointerBase)),
        path: JSONPointer.appending(key, to: path), hint: problem.hint, stage: stage.name)
      valid = false
    }
    return valid
  }

  static func isEnvironmentName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
    return name.unicodeScalars.allSatisfy {
      $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_")
    }
  }
}
