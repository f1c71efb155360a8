import Foundation
import RunState

/// Which runs `runs prune` removes: runs that sent nothing to vRA, and (with a cutoff) runs that
/// ended before it. Never a run a live process owns, nor one that may still have work in vRA.
public enum RunPruner {
  public struct Pruned: Sendable {
    public var run: RunRecord
    /// True: nothing was ever sent for it; false: it ended before the cutoff.
    public var sentNothing: Bool
  }

  /// The runs to prune, removed unless `dryRun`.
  public static func prune(_ store: SQLStateStore, endedBefore cutoff: Date?, dryRun: Bool) async throws -> [Pruned] {
    var pruned: [Pruned] = []
    for run in try await store.runs(limit: Int.max) {
      if let lease = run.lease, lease.expiresAt > Date(), !lease.owner.isKnownDead { continue }
      let stages = try await store.stages(of: run.id)
      let sentNothing =
        !run.status.isActive && run.status != .submitted
        && stages.allSatisfy { $0.deploymentName == nil && $0.deploymentId == nil }
      let old = cutoff.map { cutoff in run.status.isTerminal && (run.finishedAt ?? run.startedAt) < cutoff } ?? false
      guard sentNothing || old else { continue }
      pruned.append(Pruned(run: run, sentNothing: sentNothing))
      if !dryRun { try await store.deleteRun(run.id) }
    }
    return pruned
  }
}
