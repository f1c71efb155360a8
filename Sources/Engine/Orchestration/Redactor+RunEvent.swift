import Credentials
import VRAClient

extension Redactor {
  /// The event with its free text (a stage's detail: a deployment name, a failure reason) redacted.
  public func redact(_ event: RunEvent) -> RunEvent {
    guard case .stage(let name, let status, let detail?) = event else { return event }
    return .stage(name, status, detail: redact(detail))
  }
}
