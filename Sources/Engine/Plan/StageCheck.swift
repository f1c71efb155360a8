import VRAModels

/// A smoke check a stage runs instead of deploying (`check: {http: {url: ..., times: 3}}`): an HTTP
/// answer, a TCP connection or a command's exit status, probed until it passes `times` in a row or
/// `timeout` runs out. A failed check fails its stage into the plan's failure policy.
public struct StageCheck: Sendable, Hashable {
  /// What one probe does.
  public enum Kind: String, Sendable, Hashable, CaseIterable {
    case http, tcp, command
  }

  public var kind: Kind
  /// The probe's settings that may hold `${...}` references, resolved when the stage starts:
  /// http `url`, `expectBody`, `headers`; tcp `host`, `port`; command `run`, `env`. Kept as JSON so
  /// the plan's reference scanner, validator and resolver treat them as they treat inputs.
  public var settings: [String: JSONValue]
  /// The HTTP statuses that pass (http only).
  public var expectStatus: [Int]
  /// Passes needed in a row.
  public var times: Int
  /// Time between two probes (after a pass or a failure).
  public var interval: Duration
  /// How long the whole check may take before it fails.
  public var timeout: Duration
  /// How long one probe may take (at most what is left of `timeout`).
  public var attemptTimeout: Duration

  public static let defaultTimes = 1
  public static let defaultInterval = Duration.seconds(5)
  public static let defaultTimeout = Duration.seconds(120)
  public static let defaultAttemptTimeout = Duration.seconds(10)
  /// The keys each kind reads from `settings`.
  public static func settingKeys(of kind: Kind) -> [String] {
    switch kind {
    case .http: ["url", "expectBody", "headers"]
    case .tcp: ["host", "port"]
    case .command: ["run", "env"]
    }
  }

  public init(
    kind: Kind, settings: [String: JSONValue], expectStatus: [Int] = [200], times: Int = StageCheck.defaultTimes,
    interval: Duration = StageCheck.defaultInterval, timeout: Duration = StageCheck.defaultTimeout,
    attemptTimeout: Duration = StageCheck.defaultAttemptTimeout
  ) {
    self.kind = kind
    self.settings = settings
    self.expectStatus = expectStatus
    self.times = times
    self.interval = interval
    self.timeout = timeout
    self.attemptTimeout = attemptTimeout
  }

  /// `http ${stages.app.outputs.url} (200, 3 in a row)`, `tcp db:5432`, `command ./smoke.sh`, for messages.
  public var summary: String {
    let repeated = times > 1 ? " \(times) times in a row" : ""
    switch kind {
    case .http:
      let statuses = expectStatus.map(String.init).joined(separator: "|")
      return "http \(settings["url"]?.stringValue ?? "?") → \(statuses)\(repeated)"
    case .tcp:
      let port = settings["port"].map { PlanResolver.text(of: $0) } ?? "?"
      return "tcp \(settings["host"]?.stringValue ?? "?"):\(port)\(repeated)"
    case .command:
      return "command \(settings["run"]?.stringValue ?? "?")\(repeated)"
    }
  }
}
