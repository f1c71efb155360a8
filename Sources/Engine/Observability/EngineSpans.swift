import Tracing

/// The engine's spans (swift-distributed-tracing, whatever tracer the process bootstrapped):
/// `vra-engine.run` around a run and `vra-engine.stage` around each stage, a child of the run's;
/// the client's `vRA METHOD ROUTE` spans are children of the stage they are made in.
///
/// Names are fixed, so a tracing backend groups them; ids, names and results are attributes.
/// Attributes hold ids, names and outcomes only: never an input value or a secret.
enum EngineSpans {
  static let run = "vra-engine.run"
  static let stage = "vra-engine.stage"

  /// Attribute keys. `vra.*` name vRA's objects, `vra_engine.*` the engine's own.
  enum Key {
    static let runId = "vra_engine.run.id"
    static let planName = "vra_engine.plan.name"
    static let tenant = "vra_engine.tenant"
    static let resumed = "vra_engine.run.resumed"
    static let runStatus = "vra_engine.run.status"
    static let stageName = "vra_engine.stage.name"
    static let stageResult = "vra_engine.stage.result"
    static let project = "vra.project"
    static let org = "vra.org"
    static let deploymentId = "vra.deployment.id"
    static let requestId = "vra.request.id"
    static let blueprintRequestId = "vra.blueprint_request.id"
    static let errorType = "error.type"
  }

  /// The trace context of the run the current task works for (its `vra-engine.run` span).
  ///
  /// Work that outlives the stage that started it and serves others too (the tracker's polling
  /// loop of a project) takes this one instead of the stage's, so its calls are not filed under
  /// one stage.
  @TaskLocal static var runContext: ServiceContext?

  /// Records what vRA named for a submitted stage.
}
