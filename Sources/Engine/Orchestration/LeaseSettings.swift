/// How long a run's lease lasts and how often its owner looks at the store (renewal, cancel
/// requests, a takeover by another process).
public struct LeaseSettings: Sendable, Hashable {
  /// A lease not renewed for this long may be taken over (`--takeover`, or another replica).
  public var duration: Duration
  /// How often the owner checks for a cancel request or a lost lease: `vra-engine cancel` from
  /// another terminal takes effect within one such tick.
  public var checkInterval: Duration

  public init(duration: Duration = .seconds(30), checkInterval: Duration = .seconds(1)) {
    self.duration = duration
    self.checkInterval = checkInterval
  }

  /// The defaults, with `VRA_ENGINE_LEASE_DURATION` / `VRA_ENGINE_LEASE_CHECK` (in seconds) when set.
  public static func from(environment: [String: String]) -> LeaseSettings {
    var settings = LeaseSettings()
    if let text = environment["VRA_ENGINE_LEASE_DURATION"], let seconds = Double(text), seconds > 0 {
      settings.duration = .milliseconds(Int(seconds * 1000))
    }
    if let text = environment["VRA_ENGINE_LEASE_CHECK"], let seconds = Double(text), seconds > 0 {
      settings.checkInterval = .milliseconds(Int(seconds * 1000))
    }
    return settings
  }
}
