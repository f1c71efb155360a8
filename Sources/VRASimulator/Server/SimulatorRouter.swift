import Hummingbird

/// Assembles the middleware chain and every route family.
enum SimulatorRouter {
  /// - Parameters:
  ///   - writer: with `--state`, saves each change before it is answered.
  ///   - observer: sees every answer before it is sent (tests check each body against the specs).
  static func make(
    services: SimulatorServices, writer: SnapshotWriter? = nil, observer: ResponseObserver? = nil
  ) -> Router<SimulatorContext> {
    let router = Router(context: SimulatorContext.self)
    // Outermost first: the optional observer, a request id on every answer, count every call,
    // persist changes, then faults, then authentication, then the answer to calls no route serves.
    if let observer { router.add(middleware: ObserverMiddleware(observer: observer)) }
    router.add(middleware: RequestIdMiddleware())
    router.add(middleware: StatsMiddleware(stats: services.stats))
    if let writer { router.add(middleware: PersistMiddleware(writer: writer)) }
    router.add(middleware: FaultMiddleware(services: services))
    router.add(middleware: AuthMiddleware(services: services))
    router.add(middleware: UnmatchedRouteMiddleware())
    AuthRoutes.register(on: router, services: services)
    AboutRoutes.register(on: router)
    ProjectRoutes.register(on: router, services: services)
    BlueprintRoutes.register(on: router, services: services)
    BlueprintRequestRoutes.register(on: router, services: services)
    CatalogRoutes.register(on: router, services: services)
    DeploymentRoutes.register(on: router, services: services)
    RequestRoutes.register(on: router, services: services)
    AdminRoutes.register(on: router, services: services)
    ApprovalRoutes.register(on: router, services: services)
    AppHealthRoutes.register(on: router, services: services)
    return router
  }
}
