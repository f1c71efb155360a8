import Yams

/// The keys a `sim.yaml` may use, so a typo (`timescale:`) is an error instead of a silent default.
///
/// Codable ignores unknown keys; checking the YAML tree against this table is the one place that
/// knows the whole shape. Keep it in step with the `CodingKeys` of the configuration types.
enum ConfigurationKeys {
  indirect enum Shape: Sendable {
    /// A mapping with these keys, each with its own shape.
    case mapping([String: Shape])
    /// A list whose elements all have this shape.
    case list(Shape)
    /// Anything (scalars, or a mapping with free keys such as `resourceTypes`).
    case any
  }

  static let faultRule: Shape = .mapping([
    "method": .any, "path": .any, "status": .any, "retryAfterSeconds": .any, "shouldRetry": .any,
    "delaySeconds": .any, "dropAfterCommit": .any, "delayAfterCommitSeconds": .any, "times": .any,
  ])

  static let root: Shape = .mapping([
    "host": .any, "port": .any, "timeScale": .any, "uniqueDeploymentNames": .any, "stateFile": .any,
    "tokens": .mapping(["accessTokenLifetime": .any, "refreshTokenLifetime": .any]),
    "durations": .mapping([
      "initialization": .any, "completion": .any, "defaultResource": .any, "resourceTypes": .any,
      "deleteFactor": .any, "actions": .any,
    ]),
    "orgs": .list(
      .mapping([
        "name": .any, "id": .any, "projects": .any,
        "users": .list(.mapping(["username": .any, "password": .any, "domain": .any])),
      ])),
    "faults": .mapping([
      "enabled": .any, "failResources": .any, "failResourcesTimes": .any, "failResourcePercent": .any,
      "failUpdates": .any, "unhealthyApps": .any,
      "rules": .list(faultRule),
    ]),
    "tls": .mapping(["certificateFile": .any, "keyFile": .any, "clientCAFile": .any]),
    "approvals": .list(.mapping(["name": .any, "projects": .any, "actions": .any])),
    "leases": .mapping(["maxDays": .any]),
  ])

  /// The first key the configuration types do not know, with its line; nil when all are known or
  /// the YAML does not parse (the decoder then reports the syntax error).
  static func firstUnknownKey(inYAML text: String) -> (key: String, line: Int)? {
    guard let node = try? Yams.compose(yaml: text) else { return nil }
    return firstUnknownKey(in: node, shape: root)
  }

  private static func firstUnknownKey(in node: Node, shape: Shape) -> (key: String, line: Int)? {
    switch (shape, node) {
    case (.mapping(let keys), .mapping(let mapping)):
      for (key, value) in mapping {
        let name = key.string ?? ""
        guard let inner = keys[name] else { return (name, key.mark?.line ?? 0) }
        if let found = firstUnknownKey(in: value, shape: inner) { return found }
      }
      return nil
    case (.list(let element), .sequence(let sequence)):
      for item in sequence {
        if let found = firstUnknownKey(in: item, shape: element) { return found }
      }
      return nil
    default:
      return nil
    }
  }
}
