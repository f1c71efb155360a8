import CloudTemplate
import Engine
import Foundation
import Secrets

/// What a submitted plan must pass before a run is recorded: the checks `apply` makes (every
/// problem at once, positions relative to the bundle), then the tenant's rules: its projects, its
/// regions, and the secrets its plans may read.
enum PlanAdmission {
  /// The bundle's plan, loaded and validated as `apply` loads it, with the submission's project and
  /// region overrides applied. Plans see no environment: `${env.X}` would read the service's own.
  static func load(_ bundle: StoredBundle, planFile: URL, root: URL) throws(Problem) -> (Plan, [Problem.Item]) {
    do throws(PlanError) {
      var (plan, warnings) = try PlanLoader.loadValidated(contentsOf: planFile, environment: [:], confinedTo: root)
      if plan.environment != nil {
        // Environments are applied locally for now: their names are not yet scoped per tenant.
        throw PlanError(
          PlanDiagnostic(
            code: .invalidValue,
            message: "environments (`environment:`) are applied with `vra-engine apply --env`, not through serve yet",
            file: plan.file, location: plan.environmentLocation ?? .startOfFile, path: "/environment"))
      }
      if let project = bundle.project { plan.defaults.project = project }
      if let region = bundle.region { plan.defaults.placement.region = region }
      plan.file = bundle.planPath
      return (plan, items(warnings, root: root))
    } catch {
      let errors = error.diagnostics.filter { $0.severity == .error }
      throw Problem(
        .invalidPlan, detail: "\(errors.count) problem(s) in the plan; nothing was submitted",
        errors: items(errors, root: root),
        warnings: items(error.diagnostics.filter { $0.severity != .error }, root: root))
    }
  }

  /// Diagnostics with paths relative to the bundle (the service's directory never shows).
  static func items(_ diagnostics: [PlanDiagnostic], root: URL) -> [Problem.Item] {
    let prefix = root.standardizedFileURL.path + "/"
    func relative(_ text: String) -> String { text.replacingOccurrences(of: prefix, with: "") }
    return diagnostics.map {
      Problem.Item(
        file: relative($0.file), line: $0.location.line, column: $0.location.column, field: $0.path,
        code: $0.code.rawValue,
        message: relative($0.message) + ($0.hint.map { " (hint: \(relative($0)))" } ?? ""))
    }
  }

  /// Refuses (403, nothing recorded) a plan that deploys outside the tenant's projects or regions,
  /// or reads a secret the tenant may not read: `env:` and `file:` references would read the
  /// service's own environment and files, and `vault:` paths must be under the tenant's `secretPaths`.
  static func checkScope(_ plan: Plan, tenant: TenantConfiguration) throws(Problem) {
    var problems: [Problem.Item] = []
    for stage in plan.stages {
      let pointer = "/stages/\(stage.name)"
      if let project = plan.project(for: stage), !tenant.allowsProject(project) {
        problems.append(
          .init(
            file: plan.file, line: stage.location.line, column: stage.location.column, field: pointer + "/project",
            message: "stage '\(stage.name)': project '\(project)' is not one of tenant \(tenant.name)'s projects"))
      }
      if let region = plan.placement(for: stage).region, !tenant.allowsRegion(region) {
        problems.append(
          .init(
            file: plan.file, line: stage.location.line, column: stage.location.column, field: pointer + "/region",
            message: "stage '\(stage.name)': region '\(region)' is not one of tenant \(tenant.name)'s regions"))
      }
      if case .deployment? = stage.source.action?.target {
        // A deployment outside the plan may live in any project the service's credentials reach:
        // only the plan's own deployments, whose projects are checked above, may be acted on.
        let location = stage.location(of: "/action/deployment")
        problems.append(
          .init(
            file: plan.file, line: location.line, column: location.column, field: pointer + "/action/deployment",
            message: "stage '\(stage.name)': the service runs actions only on the plan's own stages' deployments "
              + "(`action: {stage: NAME}`)"))
      }
      if stage.source.check?.kind == .command {
        // A command would run on the service's host, with its credentials, for any tenant.
        let location = stage.location(of: "/check/command/run")
        problems.append(
          .init(
            file: plan.file, line: location.line, column: location.column, field: pointer + "/check/command",
            message: "stage '\(stage.name)': the service runs no commands; use an http or tcp check, or run the "
              + "command check with `vra-engine apply` in the pipeline"))
      }
      for (name, reference) in stage.secrets.sorted(by: { $0.key < $1.key }) {
        let where_ = stage.location(of: "/secrets/\(name)")
        if let reason = refusal(of: reference, tenant: tenant) {
          problems.append(
            .init(
              file: plan.file, line: where_.line, column: where_.column, field: "\(pointer)/secrets/\(name)",
              message: "stage '\(stage.name)': secret '\(name)': \(reason)"))
        }
      }
    }
    guard problems.isEmpty else {
      throw Problem(
        .forbidden, detail: "the plan reaches outside what tenant \(tenant.name) may use; nothing was submitted",
        errors: problems)
    }
  }

  private static func refusal(of reference: SecretReference, tenant: TenantConfiguration) -> String? {
    switch reference {
    case .environment: return "env: references are not accepted by the service (they would read its environment)"
    case .file: return "file: references are not accepted by the service (they would read its files)"
    case .vault(let path, _):
      let text = "\(path)"
      let allowed = tenant.secretPaths ?? []
      if allowed.contains(where: { text == $0 || text.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }) { return nil }
      return allowed.isEmpty
        ? "the tenant may read no Vault secrets (secretPaths is not set)"
        : "\(text) is not under the tenant's secretPaths (\(allowed.joined(separator: ", ")))"
    }
  }
}
