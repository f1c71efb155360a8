/// What a resource's health URL answers (`GET /_sim/apps/{deploymentId}/{resourceName}`), derived
/// from the deployment's state each time, so nothing about it is stored or persisted.
enum AppHealth: Equatable, Sendable {
  /// Provisioned, powered on, not being deleted: 200 `ok`.
  case healthy
  /// Not there to answer (yet, or any more): 503 `unavailable: <reason>`.
  case unavailable(Reason)
  /// Up but failing on demand (`faults.unhealthyApps`): 500 `unhealthy`.
  case unhealthy

  enum Reason: String, Sendable {
    case provisioning
    case failed
    case deleting
    case deleted
    case poweredOff = "powered off"
    case unknownDeployment = "unknown deployment"
    case unknownResource = "unknown resource"
  }

  var status: Int {
    switch self {
    case .healthy: 200
    case .unavailable: 503
    case .unhealthy: 500
    }
  }

  var body: String {
    switch self {
    case .healthy: "ok\n"
    case .unavailable(let reason): "unavailable: \(reason.rawValue)\n"
    case .unhealthy: "unhealthy\n"
    }
  }

  /// Seconds a client should wait before asking again: only while provisioning, which ends by itself.
  var retryAfterSeconds: Int? { self == .unavailable(.provisioning) ? 1 : nil }
}
