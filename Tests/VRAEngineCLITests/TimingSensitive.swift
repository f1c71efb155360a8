import Testing

/// Suites whose assertions are about elapsed time or that drive the engine for long stretches.
/// `swift test --skip TimingSensitive` runs everything else in parallel; `swift test --filter
/// TimingSensitive` then runs these one after the other on an otherwise idle machine (README,
/// `.ci/run`), as `EngineTests.TimingSensitive` does.
@Suite(.serialized) enum TimingSensitive {}
