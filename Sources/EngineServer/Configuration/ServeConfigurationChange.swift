/// What an edit of serve.yaml changed, for the reload's log line: tenants by name (never their
/// settings, which hold credentials), and the settings that only a restart applies.
public struct ServeConfigurationChange: Sendable, Hashable {
  public var addedTenants: [String]
  public var removedTenants: [String]
  /// Tenants whose settings (tokens, vRA, allow-lists, limits, OIDC) differ.
  public var changedTenants: [String]
  /// `listen`, `state`, `tls`: the server keeps the values it started with until it is restarted.
  public var restartRequired: [String]
  public var limitsChanged: Bool

  public init(from old: ServeConfiguration, to new: ServeConfiguration) {
    let oldNames = old.tenants.map(\.name)
    let newNames = new.tenants.map(\.name)
    addedTenants = newNames.filter { !oldNames.contains($0) }
    removedTenants = oldNames.filter { !newNames.contains($0) }
    changedTenants = new.tenants.filter { tenant in
      old.tenant(named: tenant.name).map { $0 != tenant } ?? false
    }.map(\.name)
    var restart: [String] = []
    if old.listen != new.listen { restart.append("listen") }
    if old.statePath != new.statePath || old.statePassword != new.statePassword { restart.append("state") }
    if old.tls != new.tls { restart.append("tls") }
    restartRequired = restart
    limitsChanged = old.limits != new.limits
  }

  /// Nothing a reader of the log would care about changed (a comment, the order of keys).
  public var isEmpty: Bool {
    addedTenants.isEmpty && removedTenants.isEmpty && changedTenants.isEmpty && restartRequired.isEmpty
      && !limitsChanged
  }
}
