import Engine
import EngineRuntime
import RunState

/// The CI reports of a run (`apply --report`), read from the store as the run's final report.
enum CIReports {
  /// The report of `run`, stages in the plan's order; nil when the run cannot be read.
  static func load(run: RunID, plan: Plan, store: any StateStore, cancelReason: String? = nil) async -> CIReport? {
    guard let report = try? await RunReport.load(run, from: store, order: plan.stageNames) else { return nil }
    let events = (try? await store.events(of: run)) ?? []
    return CIReport.of(report, planName: plan.name, events: events, cancelReason: cancelReason)
  }

  /// Reads and writes the reports `options` asks for; nothing when it asks for none.
  static func write(_ options: ReportOptions, run: RunID, plan: Plan, store: any StateStore) async {
    guard !options.isEmpty, let report = await load(run: run, plan: plan, store: store) else { return }
    options.write(report)
  }
}
