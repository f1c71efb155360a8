import Tracing

extension EngineSpans {
  static func record(_ submission: Submission, on span: any Span) {
    span.attributes[Key.deploymentId] = submission.deploymentId
    if let requestId = submission.requestId { span.attributes[Key.requestId] = requestId }
    if let id = submission.blueprintRequestId { span.attributes[Key.blueprintRequestId] = id }
  }
}
