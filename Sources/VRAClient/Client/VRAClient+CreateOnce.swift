import Foundation
import Logging

extension VRAClient {
  /// Creates something at most once, even when an attempt's outcome is unknown.
  ///
  /// A creating call that failed ambiguously (connection dropped after sending, a 5xx
  /// that may have come after the change) is not re-sent blindly: the object is first
  /// looked up, and returned if it exists. Only when the lookup proves it absent is the
  /// create sent again, within the retry policy's attempts. A `conflict` after an
  /// ambiguous attempt means the first one did succeed: it is looked up once more.
  func createOnce<T: Sendable>(
    what: String, create: @Sendable () async throws -> T, lookup: @Sendable () async throws -> T?
  ) async throws -> T {
    var unknownOutcome: VRAError?
    for _ in 0..<configuration.retry.maxAttempts {
      do {
        return try await create()
      } catch let error as VRAError
        where error.outcomeUnknown || (unknownOutcome != nil && error.errorClass == .conflict)
      {
        configuration.logger.warning(
          "outcome of a create is unknown; looking it up before sending it again",
          metadata: [
            "vra.object": "\(what)", "http.path": "\(error.path)", "error.class": "\(error.errorClass.name)",
            "error.message": "\(error.message)",
          ])
        if let found = try await lookup() {
          configuration.logger.info(
            "found the object the ambiguous create made; not creating it again", metadata: ["vra.object": "\(what)"])
          return found
        }
        if error.errorClass == .conflict || error.errorClass == .cancelled { throw error }
        unknownOutcome = error
      }
    }
    throw unknownOutcome!
  }

  /// Prefix of the deployment names the client makes up for creates that name none.
  public static let generatedDeploymentNamePrefix = "vra-engine-"

  /// The name a create is sent with: the caller's, or a fresh unique one when the caller
  /// gave none (nil or empty).
  ///
  /// The name is what makes an ambiguous create findable afterwards: without one, vRA (and
  /// the simulator) invent a name the client never learns, the lookup cannot find the
  /// deployment the first attempt made, and sending again would make a second one. vRA lets
  /// the requester choose any unused name, so choosing one up front changes nothing else;
  /// the answer carries it like any other name.
  func deploymentName(for requested: String?, what: String) -> String {
    if let requested, !requested.isEmpty { return requested }
    let suffix = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
    let name = Self.generatedDeploymentNamePrefix + suffix
    configuration.logger.debug(
      "no deployment name given; using a generated one so that the create can be looked up",
      metadata: ["vra.object": "\(what)", "vra.deployment_name": "\(name)"])
    return name
  }
}
