import Testing

/// Suites whose assertions are about time (the 20 s refresh load, the 100 ms cancellation
/// bound) run one after the other: on a 2-core machine the load test would otherwise
/// starve the cancellation test's scheduler and make its bound flaky.
@Suite(.serialized) enum TimingSensitive {}
