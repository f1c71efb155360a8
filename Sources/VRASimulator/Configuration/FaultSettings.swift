import Foundation

/// Fault injection. Nothing here has any effect unless `enabled` is true, so a
/// simulator started without faults can never surprise a newcomer.
public struct FaultSettings: Codable, Sendable {
  public var enabled: Bool = false
  /// Resources with these template names fail; `name*` matches every name with that prefix.
  public var failResources: [String] = []
  /// How many provisionings of `failResources` fail before they start to succeed (a transient
  /// failure, for testing resubmits); nil: every one fails.
  public var failResourcesTimes: Int?
  /// Share of all provisioned resources that fail, 0...100.
  public var failResourcePercent: Double = 0
  /// Updates of deployments with these names fail (request FAILED, deployment UPDATE_FAILED, the
  /// new inputs kept, as vRA keeps them); `name*` matches a prefix, as in `failResources`.
  public var failUpdates: [String] = []
  /// Deployments with these names provision normally, but their machines' health URLs (`healthUrl`)
  /// answer 500 `unhealthy` once provisioned; `name*` matches a prefix, as in `failUpdates`.
  public var unhealthyApps: [String] = []
  /// Rules applied to matching API calls, in order; added to by `POST /_sim/faults`.
  public var rules: [FaultRule] = []

  public init() {}

  /// Whether a resource name is one of `patterns`: an exact name, or a prefix ending in `*`
  /// (`fail-*` fails every resource whose name starts with `fail-`).
  static func matches(_ name: String, anyOf patterns: some Sequence<String>) -> Bool {
    patterns.contains { pattern in
      pattern.hasSuffix("*") ? name.hasPrefix(pattern.dropLast()) : name == pattern
    }
  }

  enum CodingKeys: String, CodingKey {
    case enabled, failResources, failResourcesTimes, failResourcePercent, failUpdates, unhealthyApps, rules
  }
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled) ?? false
    failResources = try container.decodeIfPresent([String].self, forKey: .failResources) ?? []
    failResourcesTimes = try container.decodeIfPresent(Int.self, forKey: .failResourcesTimes)
    failResourcePercent = try container.decodeIfPresent(Double.self, forKey: .failResourcePercent) ?? 0
    failUpdates = try container.decodeIfPresent([String].self, forKey: .failUpdates) ?? []
    unhealthyApps = try container.decodeIfPresent([String].self, forKey: .unhealthyApps) ?? []
    rules = try container.decodeIfPresent([FaultRule].self, forKey: .rules) ?? []
  }
}

/// One injected fault: which calls it matches and what happens to them.
///
/// `status` answers with that error before anything is applied (a 503 or 429 the
/// client may safely retry); `dropAfterCommit` applies the call, then closes the
/// connection without an answer (the ambiguous failure a client must not blindly
/// retry); `delaySeconds` makes the answer slow; `delayAfterCommitSeconds` applies the call, then
/// waits before answering (the client sees a slow POST whose effect is already visible).
public struct FaultRule: Codable, Sendable, Equatable {
  /// HTTP method to match; nil matches any.
  public var method: String?
  /// Path prefix to match (no query), e.g. `/blueprint/api/blueprint-requests`; nil matches any.
  public var path: String?
  public var status: Int?
  public var retryAfterSeconds: Int?
  /// Add `details: ["SHOULD_RETRY"]` to the error body (default true for 5xx).
  public var shouldRetry: Bool?
  public var delaySeconds: Double?
  public var dropAfterCommit: Bool?
  public var delayAfterCommitSeconds: Double?
  /// How many matching calls this rule still applies to; nil means every one.
  public var times: Int?

  public init(
    method: String? = nil, path: String? = nil, status: Int? = nil, retryAfterSeconds: Int? = nil,
    shouldRetry: Bool? = nil, delaySeconds: Double? = nil, dropAfterCommit: Bool? = nil,
    delayAfterCommitSeconds: Double? = nil, times: Int? = nil
  ) {
    self.delayAfterCommitSeconds = delayAfterCommitSeconds
    self.method = method
    self.path = path
    self.status = status
    self.retryAfterSeconds = retryAfterSeconds
    self.shouldRetry = shouldRetry
    self.delaySeconds = delaySeconds
    self.dropAfterCommit = dropAfterCommit
    self.times = times
  }

  func matches(method: String, path: String) -> Bool {
    if let wanted = self.method, wanted.uppercased() != method.uppercased() { return false }
    if let prefix = self.path, !path.hasPrefix(prefix) { return false }
    return true
  }

  /// Parses the `X-Sim-Fault` header: `status=503`, `status=429;retry-after=1`,
  /// `delay=2.5`, `drop-after-commit`, `delay-after-commit=2`, joined with `;`. Returns nil when malformed.
  public static func parseHeader(_ value: String) -> FaultRule? {
    var rule = FaultRule()
    for part in value.split(separator: ";") {
      let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
      switch (pair.first?.lowercased(), pair.count == 2 ? pair[1] : nil) {
      case ("status", let v?):
        guard let n = Int(v) else { return nil }
        rule.status = n
      case ("retry-after", let v?):
        guard let n = Int(v) else { return nil }
        rule.retryAfterSeconds = n
      case ("delay", let v?):
        guard let n = Double(v) else { return nil }
        rule.delaySeconds = n
      case ("should-retry", let v?):
        rule.shouldRetry = v == "true"
      case ("delay-after-commit", let v?):
        guard let n = Double(v) else { return nil }
        rule.delayAfterCommitSeconds = n
      case ("drop-after-commit", nil):
        rule.dropAfterCommit = true
      default:
        return nil
      }
    }
    return rule
  }
}
