extension VRAError {
  /// vRA's messageId for "another request is in progress on this deployment" (a 409).
  static let requestInProgressMessageId = "deployment.request.in.progress"

  /// True for a 409 saying the deployment has a request in progress: the call was refused, nothing
  /// changed, and the same call may succeed once that request ends (wait for it; do not re-send
  /// at once). The client does not retry it by itself.
  public var isRequestInProgress: Bool {
    guard errorClass == .conflict, status == 409 else { return false }
    if messageId == Self.requestInProgressMessageId { return true }
    let lowered = message.lowercased()
    return lowered.contains("in progress") || lowered.contains("inprogress")
  }
}
