import Secrets
import VRAClient

extension EndpointSettings {
  /// These settings with every credential that is a secret reference (`vault:PATH#KEY`,
  /// `env:NAME`, `file:PATH`; e.g. `VRA_PASSWORD=vault:secret/vra#password`) replaced by the
  /// value it names. Other values are kept as they are. Resolved values stay in memory only, as
  /// `Secret`s the client's redactor knows.
  public func resolvingSecretReferences(
    with resolver: SecretResolver
  ) async throws(SecretResolutionError) -> EndpointSettings {
    var resolved = self
    switch authentication {
    case .refreshToken(let token):
      resolved.authentication = .refreshToken(try await resolver.resolveIfReference(token.exposed))
    case .apiToken(let token, let identityURL):
      resolved.authentication = .apiToken(
        try await resolver.resolveIfReference(token.exposed), identityURL: identityURL)
    case .password(let username, let password, let domain):
      resolved.authentication = .password(
        username: username, password: try await resolver.resolveIfReference(password.exposed), domain: domain)
    case .accessToken(let token):
      resolved.authentication = .accessToken(try await resolver.resolveIfReference(token.exposed))
    case .auto(let token, let identityURL):
      resolved.authentication = .auto(
        token: try await resolver.resolveIfReference(token.exposed), identityURL: identityURL)
    }
    return resolved
  }
}
