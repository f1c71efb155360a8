import CloudTemplate
import Credentials
import Secrets
import VRAClient
import VRAModels

/// The values of a plan's `secrets:`, resolved once when a run starts (or resumes), before anything
/// is submitted: a missing Vault key or an unreachable Vault stops the run while nothing has been
/// sent, rather than after half the stages deployed. Values live in memory only; they are never
/// stored, so a resume resolves them again.
public struct PlanSecrets: Sendable {
  /// Stage name → input name → value.
  private var values: [String: [String: Secret]]

  public init(_ values: [String: [String: Secret]] = [:]) {
    self.values = values
  }

  /// Resolves every secret of `plan`, in plan order, and registers each value and each secret's
  /// input name (plus every `encrypted` template input's name) in `redactor`.
  public static func resolve(
    _ plan: Plan, with resolver: SecretResolver, registeringIn redactor: Redactor
  ) async throws(PlanSecretError) -> PlanSecrets {
    redactor.registerSensitiveNames(sensitiveNames(of: plan))
    var values: [String: [String: Secret]] = [:]
    for stage in plan.stages {
      for name in stage.secrets.keys.sorted() {
        let reference = stage.secrets[name]!
        do {
          let secret = try await resolver.resolve(reference)
          redactor.register(secret)
          values[stage.name, default: [:]][name] = secret
        } catch {
          throw PlanSecretError(
            stage: stage.name, input: name, file: plan.file,
            location: stage.location(of: JSONPointer.appending(name, to: "/secrets")), underlying: error)
        }
      }
    }
    return PlanSecrets(values)
  }

  /// The input names whose values are hidden wherever they show: every secret's, and every
  /// `encrypted: true` input of the stages' templates.
  public static func sensitiveNames(of plan: Plan) -> Set<String> {
    var names: Set<String> = []
    for stage in plan.stages {
      names.formUnion(stage.secrets.keys)
      names.formUnion(stage.source.template?.inputs.filter(\.isEncrypted).map(\.name) ?? [])
    }
    return names
  }

  /// The stage's secret inputs as input values: text converted to the type its template input declares
  /// (`"8443"` for an integer input is 8443), else the text as Vault, the environment or the file gave it.
  func inputs(for stage: PlanStage) -> [String: JSONValue] {
    (values[stage.name] ?? [:]).reduce(into: [:]) { inputs, entry in
      let (name, secret) = entry
      if let input = stage.source.template?.input(named: name),
        case .success(let value) = InputCoercion.coerce(secret.exposed, for: input)
      {
        inputs[name] = value
      } else {
        inputs[name] = .string(secret.exposed)
      }
    }
  }

  public var isEmpty: Bool { values.isEmpty }
}
