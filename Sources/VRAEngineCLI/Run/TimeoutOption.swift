import Engine
import EngineRuntime

/// Reads duration flags (`--timeout`, `--poll-min`, `--poll-max`) the way plan files write
/// durations: `30m`, `1h30m`, `90s`, `500ms`, `2d`, or a bare number of seconds. Zero is refused:
/// no flag means "no time at all".
enum TimeoutOption {
  static func parse(_ text: String) -> Duration? {
    PlanDurationParser.parse(text).flatMap { $0 > .zero ? $0 : nil }
  }
}
