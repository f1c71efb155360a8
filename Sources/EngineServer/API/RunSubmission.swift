import VRAModels

/// The body of `POST /api/v1/runs`: a plan and the files it names, as in a checkout.
///
/// `files` maps paths relative to the plan's directory (`templates/net.yaml`) to their text; the
/// plan's own file is `planPath` (default `plan.yaml`; `.toml` reads it as TOML).
public struct RunSubmission: Sendable, Codable, Equatable {
  public var plan: String
  public var planPath: String?
  public var files: [String: String]?
  /// True: answer with the requests the run would send (as `apply --dry-run`), start nothing.
  public var dryRun: Bool?

  public init(plan: String, planPath: String? = nil, files: [String: String]? = nil, dryRun: Bool? = nil) {
    self.plan = plan
    self.planPath = planPath
    self.files = files
    self.dryRun = dryRun
  }

  public static let defaultPlanPath = "plan.yaml"
}

/// The body of `POST /api/v1/validate`: a template with inputs, or a plan bundle.
public struct ValidationSubmission: Sendable, Codable, Equatable {
  /// A cloud template's text (checked with `inputs`, as `vra-engine validate TEMPLATE --inputs`).
  public var template: String?
  public var inputs: [String: JSONValue]?
  /// A plan and its files, as for `POST /api/v1/runs`.
  public var plan: String?
  public var planPath: String?
  public var files: [String: String]?

  public init(
    template: String? = nil, inputs: [String: JSONValue]? = nil, plan: String? = nil, planPath: String? = nil,
    files: [String: String]? = nil
  ) {
    self.template = template
    self.inputs = inputs
    self.plan = plan
    self.planPath = planPath
    self.files = files
  }
}

/// The answer of `POST /api/v1/validate`: every problem at once.
public struct ValidationAnswer: Sendable, Codable, Equatable {
  public var valid: Bool
  public var errors: [Problem.Item]
  public var warnings: [Problem.Item]

  public init(valid: Bool, errors: [Problem.Item], warnings: [Problem.Item]) {
    self.valid = valid
    self.errors = errors
    self.warnings = warnings
  }
}

/// The answer of a dry-run submission: the requests the run would send, nothing started.
public struct DryRunAnswer: Sendable, Codable, Equatable {
  public var dryRun: Bool
  public var requests: String

  public init(requests: String) {
    self.dryRun = true
    self.requests = requests
  }
}
