import CloudTemplate
import Crypto
import Engine
import EngineRuntime
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RunState
import VRAModels

/// The `/api/v1` routes: submit, list, read, follow, cancel and destroy runs, and validate. Every
/// handler runs behind the auth middleware, for one tenant: another tenant's runs answer 404 (not
/// even their existence shows), projects and regions outside the tenant's lists 403.
struct RunsAPI: Sendable {
  let store: SQLStateStore
  let tenants: TenantDirectory
  let executor: RunExecutor
  let sessions: TenantSessions
  let workDirectory: URL
  let logger: Logger

  static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
  static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
  static let project = HTTPField.Name("X-Project")!
  static let region = HTTPField.Name("X-Region")!
  static let lastEventID = HTTPField.Name("Last-Event-ID")!

  func register(on group: RouterGroup<ServerRequestContext>) {
    group.post("runs") { request, context in try await submit(request, context: context) }
    group.get("runs") { request, context in try await list(request, context: context) }
    group.get("runs/:id") { _, context in try await report(context: context) }
    group.get("runs/:id/events") { request, context in try await events(request, context: context) }
    group.post("runs/:id/cancel") { _, context in try await cancel(context: context) }
    group.post("runs/:id/destroy") { _, context in try await destroy(context: context) }
    group.post("validate") { request, context in try await validate(request, context: context) }
  }

  /// The tenant the request was authenticated as, as configured now (a reload may have removed it).
  private func tenant(_ context: ServerRequestContext) throws -> (TenantIdentity, TenantConfiguration) {
    let identity = try context.requireIdentity()
    guard let tenant = tenants.tenant(named: identity.tenant) else {
      throw Problem(.unauthenticated, detail: "the tenant of these credentials is no longer configured")
    }
    return (identity, tenant)
  }

  /// The run named in the path, when it belongs to the tenant asking; 404 otherwise.
  private func ownedRun(_ context: ServerRequestContext, tenant: String) async throws -> RunRecord {
    let id = context.parameters.get("id") ?? ""
    guard let run = try await store.run(RunID(rawValue: id)), run.scope?.tenant == tenant else {
      throw Problem(.notFound, detail: "no run \(id)")
    }
    return run
  }

  private func resource(_ run: RunRecord) async -> RunResource {
    let tenant = run.scope?.tenant ?? ""
    return RunResource(
      id: run.id.rawValue, status: run.status.rawValue, plan: run.planName, tenant: tenant,
      project: run.scope?.project, region: run.scope?.region,
      queuePosition: run.status == .pending ? await executor.queuePosition(of: run.id, tenant: tenant) : nil,
      cancelRequested: run.cancelRequestedAt != nil, startedAt: run.startedAt, finishedAt: run.finishedAt)
  }

  // MARK: Submit

  private func submit(_ request: Request, context: ServerRequestContext) async throws -> Response {
    let (identity, tenant) = try tenant(context)
    let limits = tenants.current.limits
    let submission = try await JSONAnswer.decode(RunSubmission.self, from: request, limit: limits.maxBodyBytes)
    let key = request.headers[Self.idempotencyKey]
    if let key, key.isEmpty || key.utf8.count > 200 || key.unicodeScalars.contains(where: { $0.value < 0x21 }) {
      throw Problem(.badRequest, detail: "Idempotency-Key must be 1 to 200 visible characters")
    }
    let project = request.headers[Self.project].flatMap { $0.isEmpty ? nil : $0 }
    let region = request.headers[Self.region].flatMap { $0.isEmpty ? nil : $0 }
    let scope = RunScope(tenant: tenant.name, project: project, region: region, principal: identity.principal)
    return try await ExecutionContext.$scope.withValue(scope) {
      let bundle = StoredBundle(submission, project: project, region: region)
      let digest = Self.digest(try bundle.encoded(), dryRun: submission.dryRun == true)
      if let key, let (run, stored) = try await store.submittedRun(tenant: tenant.name, idempotencyKey: key) {
        return try await replay(run, storedDigest: stored, digest: digest)
      }
      if let project, !tenant.allowsProject(project) {
        throw Problem(.forbidden, detail: "project '\(project)' is not one of tenant \(tenant.name)'s projects")
      }
      if let region, !tenant.allowsRegion(region) {
        throw Problem(.forbidden, detail: "region '\(region)' is not one of tenant \(tenant.name)'s regions")
      }
      let workspace = BundleWorkspace(limits: limits)
      try workspace.check(bundle)
      return try await workspace.materialized(bundle, in: workDirectory) { planFile, root in
        let (plan, _) = try PlanAdmission.load(bundle, planFile: planFile, root: root)
        try PlanAdmission.checkScope(plan, tenant: tenant)
        if submission.dryRun == true {
          return try JSONAnswer.json(
            DryRunAnswer(requests: DryRun.describe(plan, environment: [:], redactor: OutputRedaction.redactor)))
        }
        if submission.dryRun != true, await executor.queuedCount(tenant: tenant.name) >= tenant.maxQueuedRuns,
          await executor.activeCount(tenant: tenant.name) >= tenant.maxConcurrentRuns
        {
          ServeMetrics.refused(tenant: tenant.name, reason: "quota")
          throw Problem(
            .quotaExceeded,
            detail:
              "tenant \(tenant.name) has \(tenant.maxConcurrentRuns) runs in progress and \(tenant.maxQueuedRuns) queued",
            retryAfterSeconds: 10)
        }
        let target = try await preflight(plan, tenant: tenant)
        let outcome = try await store.submitRun(
          id: .generate(), planName: plan.name, planPath: bundle.planPath, planDigest: digest,
          options: ["parallelism": .int(plan.defaults.parallelism)], stages: plan.stageNames, target: target,
          submission: RunSubmissionRecord(
            scope: scope, idempotencyKey: key, requestDigest: digest, bundle: try bundle.encoded()))
        switch outcome {
        case .replayed(let run, let stored):
          return try await replay(run, storedDigest: stored, digest: digest)
        case .created(let run):
          await executor.enqueued(run.id, tenant: tenant)
          ServeMetrics.submitted(tenant: tenant.name)
          logger.info("run submitted", metadata: ["run.id": "\(run.id)", "plan": "\(plan.name)"])
          return try JSONAnswer.json(
            await resource(run), status: .accepted, headers: [.location: "/api/v1/runs/\(run.id)"])
        }
      }
    }
  }

  /// The answer to a key already used: the same run, or 422 when the request differs.
  private func replay(_ run: RunRecord, storedDigest: String, digest: String) async throws -> Response {
    guard storedDigest == digest else {
      throw Problem(
        .idempotencyKeyReused,
        detail: "this Idempotency-Key was used for run \(run.id) with a different request; use a new key")
    }
    return try JSONAnswer.json(
      await resource(run), status: .accepted,
      headers: [.location: "/api/v1/runs/\(run.id)", Self.idempotentReplayed: "true"])
  }

  /// Checks the plan against the tenant's vRA before anything is recorded, as `apply` does; the
  /// target to record with the run.
  private func preflight(_ plan: Plan, tenant: TenantConfiguration) async throws -> RunTarget {
    let configuration = sessions.configuration(for: tenant)
    let (problems, target): ([PlanDiagnostic], RunTarget)
    do {
      (problems, target) = try await RunSession.with(
        configuration, store: store, simulator: sessions.simulator, notice: { [logger] in logger.notice("\($0)") }
      ) { session in (try await PlanRun.preflight(plan, session: session), session.target) }
    } catch let error as RuntimeError {
      throw Problem(
        .unavailable,
        detail: OutputRedaction.redactor.redact(
          error.message.replacingOccurrences(of: "error: ", with: "").replacingOccurrences(of: "\n", with: "; ")))
    }
    guard problems.isEmpty else {
      throw Problem(
        .invalidPlan, detail: "\(problems.count) problem(s) found against vRA; nothing was submitted",
        errors: PlanAdmission.items(problems, root: workDirectory))
    }
    return target
  }

  static func digest(_ bundle: String, dryRun: Bool) -> String {
    let hash = SHA256.hash(data: Data((bundle + (dryRun ? "\n+dry-run" : "")).utf8))
    return "sha256:" + hash.map { String(format: "%02x", $0) }.joined()
  }

  // MARK: Read

  private func list(_ request: Request, context: ServerRequestContext) async throws -> Response {
    let (_, tenant) = try tenant(context)
    let query = request.uri.queryParameters
    var runQuery = RunQuery(tenant: tenant.name, limit: 50)
    if let text = query["limit"].map(String.init) {
      guard let limit = Int(text), (1...200).contains(limit) else {
        throw Problem(.badRequest, detail: "limit must be a number from 1 to 200")
      }
      runQuery.limit = limit
    }
    if let text = query["status"].map(String.init) {
      var statuses = Set<RunStatus>()
      for name in text.split(separator: ",") {
        guard let status = RunStatus(rawValue: String(name)) else {
          throw Problem(
            .badRequest,
            detail: "unknown status '\(name)'; one of \(RunStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        statuses.insert(status)
      }
      runQuery.statuses = statuses
    }
    if let text = query["since"].map(String.init) {
      guard let since = VRAJSON.parseTimestamp(text) ?? ISO8601DateFormatter().date(from: text) else {
        throw Problem(.badRequest, detail: "since must be an ISO 8601 timestamp")
      }
      runQuery.since = since
    }
    if let text = query["cursor"].map(String.init) {
      guard let cursor = RunCursor(token: text) else { throw Problem(.badRequest, detail: "unknown cursor") }
      runQuery.after = cursor
    }
    // One more than asked: whether there is a next page.
    let limit = runQuery.limit
    runQuery.limit += 1
    var runs = try await store.runs(matching: runQuery)
    let more = runs.count > limit
    runs = Array(runs.prefix(limit))
    var resources: [RunResource] = []
    for run in runs { resources.append(await resource(run)) }
    let next = more ? runs.last.map { RunCursor(startedAt: $0.startedAt, id: $0.id).token } : nil
    return try JSONAnswer.json(RunList(runs: resources, next: next))
  }

  private func report(context: ServerRequestContext) async throws -> Response {
    let (_, tenant) = try tenant(context)
    let run = try await ownedRun(context, tenant: tenant.name)
    guard let report = try await RunReport.load(run.id, from: store) else {
      throw Problem(.notFound, detail: "no run \(run.id)")
    }
    return JSONAnswer.json(text: try report.json())
  }

  private func events(_ request: Request, context: ServerRequestContext) async throws -> Response {
    let (_, tenant) = try tenant(context)
    let run = try await ownedRun(context, tenant: tenant.name)
    let header = request.headers[Self.lastEventID] ?? request.uri.queryParameters["after"].map(String.init)
    var after: Int64?
    if let header {
      guard let sequence = Int64(header) else {
        throw Problem(.badRequest, detail: "Last-Event-ID (or after) must be an event sequence number")
      }
      after = sequence
    }
    return RunEventStream(store: store, run: run.id, after: after).response()
  }

  // MARK: Act

  private func cancel(context: ServerRequestContext) async throws -> Response {
    let (_, tenant) = try tenant(context)
    let run = try await ownedRun(context, tenant: tenant.name)
    guard !run.status.isTerminal, run.status != .destroying else {
      throw Problem(.conflict, detail: "run \(run.id) is \(run.status): there is nothing to cancel")
    }
    let record = try await ExecutionContext.$scope.withValue(run.scope) { try await executor.cancel(run) }
    return try JSONAnswer.json(await resource(record), status: .accepted)
  }

  private func destroy(context: ServerRequestContext) async throws -> Response {
    let (_, tenant) = try tenant(context)
    let run = try await ownedRun(context, tenant: tenant.name)
    guard run.status.isTerminal, run.status != .destroyed else {
      throw Problem(
        .conflict,
        detail: run.status == .destroyed
          ? "run \(run.id) is already destroyed"
          : "run \(run.id) is \(run.status): cancel it or let it finish first")
    }
    let record = try await ExecutionContext.$scope.withValue(run.scope) { try await executor.destroy(run) }
    return try JSONAnswer.json(await resource(record), status: .accepted)
  }

  // MARK: Validate

  private func validate(_ request: Request, context: ServerRequestContext) async throws -> Response {
    let (_, tenant) = try tenant(context)
    let limits = tenants.current.limits
    let body = try await JSONAnswer.decode(ValidationSubmission.self, from: request, limit: limits.maxBodyBytes)
    switch (body.template, body.plan) {
    case (let template?, nil):
      return try JSONAnswer.json(Self.validate(template: template, inputs: body.inputs ?? [:]))
    case (nil, let plan?):
      let bundle = StoredBundle(
        RunSubmission(plan: plan, planPath: body.planPath, files: body.files), project: nil, region: nil)
      let workspace = BundleWorkspace(limits: limits)
      try workspace.check(bundle)
      return try await workspace.materialized(bundle, in: workDirectory) { planFile, root in
        do {
          let (loaded, warnings) = try PlanAdmission.load(bundle, planFile: planFile, root: root)
          try PlanAdmission.checkScope(loaded, tenant: tenant)
          return try JSONAnswer.json(ValidationAnswer(valid: true, errors: [], warnings: warnings))
        } catch let problem as Problem where problem.errors != nil {
          return try JSONAnswer.json(
            ValidationAnswer(valid: false, errors: problem.errors ?? [], warnings: problem.warnings ?? []))
        }
      }
    default:
      throw Problem(.badRequest, detail: "give either template (with inputs) or plan (with files), not both")
    }
  }

  /// A template and its inputs checked as `vra-engine validate TEMPLATE` checks them.
  static func validate(template text: String, inputs: [String: JSONValue]) -> ValidationAnswer {
    let file = "template.yaml"
    let findings: [ValidationFinding]
    do {
      let template = try TemplateParser.parse(Data(text.utf8), fileName: file)
      findings =
        TemplateValidator.validate(template).map(ValidationFinding.init)
        + InputValidator.validate(inputs, against: template).violations.map {
          ValidationFinding($0, templateFile: file)
        }
    } catch {
      findings = error.diagnostics.map(ValidationFinding.init)
    }
    func item(_ finding: ValidationFinding) -> Problem.Item {
      Problem.Item(
        file: finding.file, line: finding.line, column: finding.column, field: finding.path, code: finding.code,
        message: finding.message + (finding.hint.map { " (hint: \($0))" } ?? ""))
    }
    let errors = findings.filter(\.isError).map(item)
    return ValidationAnswer(valid: errors.isEmpty, errors: errors, warnings: findings.filter { !$0.isError }.map(item))
  }
}
