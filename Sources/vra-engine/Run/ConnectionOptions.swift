import ArgumentParser
import Engine
import Foundation

/// `--endpoint`, `--insecure` and `--state`, shared by the commands that talk to vRA.
struct ConnectionOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "vRA URL (default: $VRA_URL). Credentials come from VRA_REFRESH_TOKEN, or VRA_USERNAME + VRA_PASSWORD "
        + "(+ VRA_DOMAIN), or VRA_ACCESS_TOKEN. With neither, the embedded simulator is used.", valueName: "url"))
  var endpoint: String?

  @Flag(help: "Skip TLS certificate verification (self-signed lab installs only).") var insecure = false

  @Option(help: ArgumentHelp("The state database.", valueName: "file")) var state: String = SQLStateStore.defaultPath

  @Option(
    help: ArgumentHelp(
      "Shortest wait between two status polls of vRA (default 500ms; 100ms on the embedded simulator).",
      valueName: "duration"))
  var pollMin: String?

  @Option(
    help: ArgumentHelp(
      "Longest wait between two polls, reached while nothing changes (default 10s; 1s on the embedded "
        + "simulator). A failure is noticed within this long.", valueName: "duration"))
  var pollMax: String?

  func validate() throws {
    for (flag, value) in [("--poll-min", pollMin), ("--poll-max", pollMax)] {
      if let value, TimeoutOption.parse(value) == nil {
        throw ValidationError("\(flag) must be a duration such as 500ms, 2s or 1m, not '\(value)'")
      }
    }
    if let min = pollMin.flatMap(TimeoutOption.parse), let max = pollMax.flatMap(TimeoutOption.parse), min > max {
      throw ValidationError("--poll-min (\(min)) is longer than --poll-max (\(max))")
    }
  }

  /// The tracker's intervals: the flags, else the defaults for a real vRA or the embedded simulator
  /// (which runs 50× faster than vRA, so it is polled accordingly).
  func trackerConfiguration(embedded: Bool) -> TrackerConfiguration {
    let defaults =
      embedded
      ? TrackerConfiguration(minInterval: .milliseconds(100), maxInterval: .seconds(1)) : TrackerConfiguration()
    var configuration = defaults
    if let min = pollMin.flatMap(TimeoutOption.parse) { configuration.minInterval = min }
    if let max = pollMax.flatMap(TimeoutOption.parse) { configuration.maxInterval = max }
    configuration.maxInterval = Swift.max(configuration.maxInterval, configuration.minInterval)
    return configuration
  }

  /// Where the embedded simulator keeps its state: beside the engine state.
  var stateDirectory: URL { URL(fileURLWithPath: state).deletingLastPathComponent() }
}
