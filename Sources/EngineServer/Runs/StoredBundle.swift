import Foundation
import VRAModels

/// What a submitted run runs from, as stored beside it (`run_bundles`): the submission and the
/// overrides its headers made, so a resume (after a restart, or on another replica) loads exactly
/// the plan the submission was accepted with.
struct StoredBundle: Sendable, Codable, Equatable {
  var plan: String
  var planPath: String
  var files: [String: String]
  /// `X-Project`: the project every stage without its own deploys into.
  var project: String?
  /// `X-Region`: the region every stage without its own deploys into.
  var region: String?

  init(_ submission: RunSubmission, project: String?, region: String?) {
    self.plan = submission.plan
    self.planPath = submission.planPath ?? RunSubmission.defaultPlanPath
    self.files = submission.files ?? [:]
    self.project = project
    self.region = region
  }

  /// Stable JSON (sorted keys): stored, and digested to tell a replay from another request.
  func encoded() throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(self), as: UTF8.self)
  }

  static func decode(_ text: String) throws -> StoredBundle {
    try JSONDecoder().decode(StoredBundle.self, from: Data(text.utf8))
  }
}
