import Testing

/// Suites whose assertions are about elapsed time or that drive the service hard for minutes (the
/// model-based lifecycle test). `swift test --skip TimingSensitive` runs everything else in
/// parallel; `swift test --filter TimingSensitive` then runs these one after the other on an
/// otherwise idle machine (README, `.ci/run`): on 2 cores, the rest of the suite running beside them
/// would starve Swift's cooperative pool, and their runs' deadlines would measure the load.
@Suite(.serialized) enum TimingSensitive {}
