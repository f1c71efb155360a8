import CloudTemplate
import Engine
import EngineRuntime
import Foundation
import RunState

/// Turns a tenant's `vra:` block into the configuration its runs are made with: its own endpoint and
/// credentials (references stay references until a session resolves them), the service's state, and
/// nothing of the service's own vRA credentials. A tenant with no `vra:` uses the service's
/// embedded simulator.
struct TenantSessions: Sendable {
  let statePath: String
  /// The serve.yaml path, named as the source of the tenants' settings.
  let configFile: String
  /// The service's environment without any `VRA_*` credential (Vault and telemetry settings stay).
  let environment: [String: String]
  let simulator: EmbeddedSimulator?
  /// The service's shared trackers, which runs and destroys wait through (nil: each session's own).
  var trackers: TenantTrackers?

  init(statePath: String, configFile: String, environment: [String: String], simulator: EmbeddedSimulator?) {
    self.statePath = statePath
    self.configFile = configFile
    self.environment = environment.filter { key, _ in
      !(key.hasPrefix("VRA_") && !key.hasPrefix("VRA_ENGINE_"))
    }
    self.simulator = simulator
  }

  func configuration(for tenant: TenantConfiguration) -> RunConfiguration {
    var values: [SettingKey: ResolvedConfiguration.Value] = [:]
    let source = ResolvedConfiguration.Source.file(
      path: configFile, profile: "tenant \(tenant.name)", location: .startOfFile)
    func set(_ key: SettingKey, _ setting: ConfigSetting?) {
      if let setting { values[key] = .init(setting: setting, source: source) }
    }
    if let vra = tenant.vra {
      set(.endpointURL, .text(vra.url.absoluteString))
      set(.endpointOrg, vra.org.map(ConfigSetting.text))
      set(.authUsername, vra.username.map(ConfigSetting.text))
      // A reference (vault:…) stays one until a session resolves it; a literal is registered with
      // the redactor by the session, as the CLI's are.
      set(.authPassword, vra.password.map { .text($0.exposed) })
      set(.authDomain, vra.domain.map(ConfigSetting.text))
      set(.authRefreshToken, vra.refreshToken.map { .text($0.exposed) })
      set(.tlsCABundle, vra.caFile.map(ConfigSetting.text))
      if vra.insecureSkipVerify { set(.tlsInsecure, .flag(true)) }
    }
    return RunConfiguration.service(values: values, statePath: statePath, environment: environment)
  }
}
