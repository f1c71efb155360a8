import VRAClient
import VRAModels

/// Why a request failed, in vRA's own words. A request's `details` is often only a summary
/// ("Request failed"); its events name the resource that failed and why ("no placement
/// satisfies the constraints"), which is what an operator needs to act.
enum FailureReason {
  /// The summary followed by the distinct reasons of the request's failure events that it does not
  /// already say (vRA's failed request often quotes its failing resource's reason: "Request failed:
  /// Provisioning of 'app' failed: ..."). Best effort: when the events cannot be read, the summary alone.
  static func explain(_ summary: String, requestId: String?, client: VRAClient) async -> String {
    guard let requestId,
      let events = try? await client.requestEvents(requestId: requestId, pageSize: 50).collect()
    else { return summary }
    var reasons: [String] = []
    for event in events where event.name.lowercased().contains("fail") {
      guard let details = event.details, !details.isEmpty, !summary.contains(details), !reasons.contains(details)
      else {
        continue
      }
      reasons.append(details)
    }
    return reasons.isEmpty ? summary : "\(summary): \(reasons.joined(separator: "; "))"
  }
}
