import CloudTemplate
import Credentials
import Engine
import Foundation
import JWTKit
import RunState
import VRAModels
import Yams

/// Walks serve.yaml's YAML nodes (Yams' node API, through CloudTemplate's hardened front end: size
/// limit, alias-bomb budget, positioned syntax errors) into a `ServeConfiguration`, collecting
/// every problem instead of stopping at the first.
///
/// No message quotes the value of a credential field: a literal password or token pasted in the
/// wrong place must not end up in a log or a terminal because the file was refused.
struct ServeConfigurationParser {
  let file: String
  /// The config file's directory: relative paths in the file start here.
  let directory: URL
  private(set) var problems: [ServeConfigurationProblem] = []

  init(file: String) {
    self.file = file
    self.directory = URL(fileURLWithPath: file).deletingLastPathComponent()
  }

  static let topKeys = ["listen", "state", "tls", "limits", "tenants"]
  static let stateKeys = ["url", "password"]
  static let tlsKeys = ["certificate", "privateKey", "clientCA"]
  static let limitsKeys = ["maxBodyBytes", "maxFiles", "maxFileBytes"]
  static let tenantKeys = [
    "name", "tokens", "vra", "projects", "regions", "maxConcurrentRuns", "maxQueuedRuns", "oidc", "secretPaths",
  ]
  static let vraKeys = [
    "url", "username", "password", "domain", "refreshToken", "org", "caFile", "insecureSkipVerify",
  ]
  static let oidcKeys = ["issuer", "audience", "jwksFile", "jwksURL", "claim", "claimValue"]

  static let defaultListen = ServeConfiguration.Listen(host: "127.0.0.1", port: 8088)

  mutating func parse(_ text: String) -> ServeConfiguration? {
    let root: Node?
    do {
      root = try YAMLDocument.compose(text, fileName: file, kind: "serve.yaml")
    } catch {
      for diagnostic in error.diagnostics {
        problems.append(
          ServeConfigurationProblem(
            file: file, line: diagnostic.location.line, column: diagnostic.location.column, field: "",
            message: diagnostic.message))
      }
      return nil
    }
    guard let root, !isNull(root) else {
      problems.append(
        ServeConfigurationProblem(
          file: file, line: 1, column: 1, field: "", message: "the file is empty; it needs at least `tenants:`"))
      return nil
    }
    guard let fields = mapping(root, field: "", keys: Self.topKeys) else { return nil }

    let listen = fields["listen"].flatMap { listenAddress($0, field: "listen") } ?? Self.defaultListen
    let state = fields["state"].flatMap { stateSection($0) }
    let statePath = state?.url ?? resolve(ServeConfiguration.defaultStateURL)
    let tls = fields["tls"].flatMap { tlsSection($0) }
    let limits = fields["limits"].flatMap { limitsSection($0) } ?? .standard
    var tenants: [TenantConfiguration] = []
    if let node = fields["tenants"] {
      tenants = tenantList(node)
    } else {
      problem(at: root, field: "tenants", "required: the server needs at least one tenant")
    }
    return ServeConfiguration(
      file: file, listen: listen, statePath: statePath, statePassword: state?.password, tls: tls, limits: limits,
      tenants: tenants)
  }

  // MARK: - Sections

  /// `HOST:PORT`, `[IPv6]:PORT`; port 0 takes any free port.
  private mutating func listenAddress(_ node: Node, field: String) -> ServeConfiguration.Listen? {
    guard let text = string(node, field: field) else { return nil }
    let expectation = "expected HOST:PORT such as 127.0.0.1:8088 or [::1]:8088"
    let host: Substring
    let port: Substring
    if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
      host = text[text.index(after: text.startIndex)..<close]
      let rest = text[text.index(after: close)...]
      guard rest.hasPrefix(":") else {
        problem(at: node, field: field, expectation)
        return nil
      }
      port = rest.dropFirst()
    } else if let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") {
      host = text[..<colon]
      port = text[text.index(after: colon)...]
    } else {
      problem(at: node, field: field, expectation)
      return nil
    }
    guard !host.isEmpty, let number = Int(port), (0...65535).contains(number) else {
      problem(at: node, field: field, expectation)
      return nil
    }
    return ServeConfiguration.Listen(host: String(host), port: number)
  }

  /// `state: {url: PATH|postgres://…, password: SECRET}`; `sqlite:` and `sqlite://` prefixes are
  /// allowed, as in the CLI's `state.url`. A PostgreSQL URL is checked part by part.
  private mutating func stateSection(_ node: Node) -> (url: String, password: Secret?)? {
    guard let fields = mapping(node, field: "state", keys: Self.stateKeys) else { return nil }
    guard let urlNode = fields["url"] else {
      problem(at: node, field: "state.url", "required: the SQLite file or postgres:// URL of the server's state")
      return nil
    }
    let password = fields["password"].flatMap { secret($0, field: "state.password") }
    guard let text = string(urlNode, field: "state.url") else { return nil }
    switch Result(catching: { () throws(StateURLError) in try StateDatabase.parse(text) }) {
    case .failure(let error):
      problem(at: urlNode, field: "state.url", "\(error.part): \(error.problem)")
      return nil
    case .success(.postgres):
      return (text, password)
    case .success(.sqlite(let path)):
      if let passwordNode = fields["password"] {
        problem(at: passwordNode, field: "state.password", "only a postgres:// state has a password")
      }
      return (resolve(path), nil)
    }
  }

  private mutating func tlsSection(_ node: Node) -> ServeConfiguration.TLS? {
    guard let fields = mapping(node, field: "tls", keys: Self.tlsKeys) else { return nil }
    let certificate = requiredFile(fields["certificate"], in: node, field: "tls.certificate", what: "PEM certificate")
    let privateKey = requiredFile(fields["privateKey"], in: node, field: "tls.privateKey", what: "PEM private key")
    let clientCA = fields["clientCA"].flatMap { existingFile($0, field: "tls.clientCA") }
    guard let certificate, let privateKey else { return nil }
    return ServeConfiguration.TLS(certificate: certificate, privateKey: privateKey, clientCA: clientCA)
  }

  private mutating func limitsSection(_ node: Node) -> ServeConfiguration.Limits? {
    guard let fields = mapping(node, field: "limits", keys: Self.limitsKeys) else { return nil }
    var limits = ServeConfiguration.Limits.standard
    if let value = fields["maxBodyBytes"].flatMap({ integer($0, field: "limits.maxBodyBytes", atLeast: 1) }) {
      limits.maxBodyBytes = value
    }
    if let value = fields["maxFiles"].flatMap({ integer($0, field: "limits.maxFiles", atLeast: 1) }) {
      limits.maxFiles = value
    }
    if let value = fields["maxFileBytes"].flatMap({ integer($0, field: "limits.maxFileBytes", atLeast: 1) }) {
      limits.maxFileBytes = value
    }
    return limits
  }

  // MARK: - Tenants

  private mutating func tenantList(_ node: Node) -> [TenantConfiguration] {
    guard case .sequence(let sequence) = node else {
      problem(at: node, field: "tenants", "expected a list of tenants, found \(kind(of: node))")
      return []
    }
    guard !sequence.isEmpty else {
      problem(at: node, field: "tenants", "the list is empty: the server needs at least one tenant")
      return []
    }
    var tenants: [TenantConfiguration] = []
    var firstByName: [String: SourceLocation] = [:]
    var tenantByHash: [String: String] = [:]
    var tenantByOIDCIdentity: [String: String] = [:]
    for (index, element) in sequence.enumerated() {
      let field = "tenants[\(index)]"
      guard let parsed = tenant(element, field: field) else { continue }
      let tenant = parsed.tenant
      if let first = firstByName[tenant.name] {
        problem(
          at: parsed.nameNode, field: "\(field).name",
          "tenant '\(tenant.name)' is already declared at line \(first.line); names must be unique")
      } else {
        firstByName[tenant.name] = YAMLDocument.location(of: parsed.nameNode)
      }
      for (hash, hashNode, hashField) in parsed.hashes {
        if let owner = tenantByHash[hash], owner != tenant.name {
          problem(
            at: hashNode, field: hashField,
            "this token hash is also listed for tenant '\(owner)'; one token must prove one tenant")
        } else {
          tenantByHash[hash] = tenant.name
        }
      }
      if let oidc = tenant.oidc, let oidcNode = parsed.oidcNode {
        // Two tenants trusting the same issuer must tell their tokens apart by the claim.
        let identity = [oidc.issuer, oidc.claim, oidc.claimValue].joined(separator: "\u{0}")
        if let owner = tenantByOIDCIdentity[identity], owner != tenant.name {
          problem(
            at: oidcNode, field: "\(field).oidc",
            "tenant '\(owner)' already accepts tokens of this issuer with \(oidc.claim) = '\(oidc.claimValue)'; "
              + "set a different claim or claimValue")
        } else {
          tenantByOIDCIdentity[identity] = tenant.name
        }
      }
      tenants.append(tenant)
    }
    return tenants
  }

  private struct ParsedTenant {
    var tenant: TenantConfiguration
    var nameNode: Node
    /// Each hash with where it is written, for the "shared by two tenants" check.
    var hashes: [(String, Node, String)]
    var oidcNode: Node?
  }

  private mutating func tenant(_ node: Node, field: String) -> ParsedTenant? {
    guard let fields = mapping(node, field: field, keys: Self.tenantKeys) else { return nil }
    var name: String?
    if let nameNode = fields["name"], let text = string(nameNode, field: "\(field).name") {
      if !TenantConfiguration.isValidName(text) || text.count > 63 {
        problem(
          at: nameNode, field: "\(field).name",
          "'\(text)' is not a tenant name: lowercase letters, digits and '-', starting with a letter or digit, "
            + "at most 63 characters ([a-z0-9][a-z0-9-]*)")
      }
      name = text
    } else if fields["name"] == nil {
      problem(at: node, field: "\(field).name", "required: every tenant has a name")
    }

    var tenant = TenantConfiguration(name: name ?? "")
    var hashes: [(String, Node, String)] = []
    if let tokens = fields["tokens"] {
      hashes = tokenHashes(tokens, field: "\(field).tokens")
      tenant.tokenHashes = hashes.map(\.0)
    }
    if let vra = fields["vra"] { tenant.vra = endpoint(vra, field: "\(field).vra") }
    if let projects = fields["projects"] {
      tenant.projects = allowList(projects, field: "\(field).projects", of: "project")
    }
    if let regions = fields["regions"] { tenant.regions = allowList(regions, field: "\(field).regions", of: "region") }
    if let node = fields["maxConcurrentRuns"],
      let value = integer(node, field: "\(field).maxConcurrentRuns", atLeast: 1)
    {
      tenant.maxConcurrentRuns = value
    }
    if let node = fields["maxQueuedRuns"], let value = integer(node, field: "\(field).maxQueuedRuns", atLeast: 0) {
      tenant.maxQueuedRuns = value
    }
    if let paths = fields["secretPaths"] {
      tenant.secretPaths = allowList(paths, field: "\(field).secretPaths", of: "Vault path")
    }
    if let oidc = fields["oidc"] { tenant.oidc = oidcSettings(oidc, field: "\(field).oidc", tenant: name ?? "") }
    guard let name, let nameNode = fields["name"] else { return nil }
    tenant.name = name
    return ParsedTenant(tenant: tenant, nameNode: nameNode, hashes: hashes, oidcNode: fields["oidc"])
  }

  /// `sha256:<64 lowercase hex>` lines; a value that is not one is never quoted (it may be the token).
  private mutating func tokenHashes(_ node: Node, field: String) -> [(String, Node, String)] {
    guard case .sequence(let sequence) = node else {
      problem(at: node, field: field, "expected a list of token hashes (sha256:…), found \(kind(of: node))")
      return []
    }
    var hashes: [(String, Node, String)] = []
    for (index, element) in sequence.enumerated() {
      let elementField = "\(field)[\(index)]"
      guard case .scalar(let scalar) = element, !isNull(element) else {
        problem(at: element, field: elementField, "expected a token hash (sha256:…), found \(kind(of: element))")
        continue
      }
      let text = scalar.string
      switch APIToken.checkHashLine(text) {
      case .valid:
        if hashes.contains(where: { $0.0 == text }) {
          problem(at: element, field: elementField, "this hash is listed twice")
        } else {
          hashes.append((text, element, elementField))
        }
      case .rawToken:
        problem(
          at: element, field: elementField,
          "this is an API token itself, not its hash: the server stores only `sha256:` lines. "
            + "Create a new token with `vra-engine serve token create` (this one was written down) and list its hash")
      case .uppercase:
        problem(at: element, field: elementField, "the hex digits of a token hash are lowercase")
      case .malformed:
        problem(
          at: element, field: elementField,
          "expected sha256: followed by 64 lowercase hex digits, as `vra-engine serve token create` prints")
      }
    }
    return hashes
  }

  private mutating func endpoint(_ node: Node, field: String) -> TenantEndpoint? {
    guard let fields = mapping(node, field: field, keys: Self.vraKeys) else { return nil }
    var url: URL?
    if let urlNode = fields["url"] {
      url = httpURL(urlNode, field: "\(field).url", example: "https://vra.corp.local")
    } else {
      problem(at: node, field: "\(field).url", "required: the vRA URL (leave `vra` out to use the embedded simulator)")
    }
    let username = fields["username"].flatMap { string($0, field: "\(field).username") }
    let password = fields["password"].flatMap { secret($0, field: "\(field).password") }
    let domain = fields["domain"].flatMap { string($0, field: "\(field).domain") }
    let refreshToken = fields["refreshToken"].flatMap { secret($0, field: "\(field).refreshToken") }
    let org = fields["org"].flatMap { string($0, field: "\(field).org") }
    let caFile = fields["caFile"].flatMap { existingFile($0, field: "\(field).caFile") }
    let insecure = fields["insecureSkipVerify"].flatMap { boolean($0, field: "\(field).insecureSkipVerify") }

    // Judged on the keys written, so a value refused above is not reported a second time.
    let hasUsername = fields["username"] != nil
    let hasPassword = fields["password"] != nil
    if hasPassword && !hasUsername {
      problem(at: node, field: "\(field).username", "required with password")
    } else if hasUsername && !hasPassword {
      problem(at: node, field: "\(field).password", "required with username")
    } else if !hasUsername && fields["refreshToken"] == nil {
      problem(
        at: node, field: field,
        "no credentials: give refreshToken, or username and password (secret references allowed)")
    }
    guard let url else { return nil }
    return TenantEndpoint(
      url: url, username: username, password: password, domain: domain, refreshToken: refreshToken, org: org,
      caFile: caFile, insecureSkipVerify: insecure ?? false)
  }

  private mutating func allowList(_ node: Node, field: String, of what: String) -> [String]? {
    guard case .sequence(let sequence) = node else {
      problem(at: node, field: field, "expected a list of \(what)s, found \(kind(of: node))")
      return nil
    }
    guard !sequence.isEmpty else {
      problem(at: node, field: field, "an empty list allows no \(what); leave the key out to allow any")
      return nil
    }
    var values: [String] = []
    for (index, element) in sequence.enumerated() {
      if let value = string(element, field: "\(field)[\(index)]") { values.append(value) }
    }
    return values
  }

  private mutating func oidcSettings(_ node: Node, field: String, tenant: String) -> OIDCSettings? {
    guard let fields = mapping(node, field: field, keys: Self.oidcKeys) else { return nil }
    let issuer = requiredString(fields["issuer"], in: node, field: "\(field).issuer", what: "the token issuer (iss)")
    let audience = requiredString(
      fields["audience"], in: node, field: "\(field).audience", what: "the audience (aud) tokens are made for")
    var keys: OIDCSettings.KeySource?
    switch (fields["jwksFile"], fields["jwksURL"]) {
    case (let fileNode?, nil):
      keys = jwksFile(fileNode, field: "\(field).jwksFile").map(OIDCSettings.KeySource.file)
    case (nil, let urlNode?):
      keys = httpURL(urlNode, field: "\(field).jwksURL", example: "https://issuer.example/.well-known/jwks.json")
        .map(OIDCSettings.KeySource.url)
    case (_?, let urlNode?):
      problem(at: urlNode, field: "\(field).jwksURL", "give jwksFile or jwksURL, not both")
    case (nil, nil):
      problem(at: node, field: "\(field).jwksFile", "required: jwksFile or jwksURL (the issuer's signing keys)")
    }
    let claim = fields["claim"].flatMap { string($0, field: "\(field).claim") } ?? OIDCSettings.defaultClaim
    let claimValue = fields["claimValue"].flatMap { string($0, field: "\(field).claimValue") } ?? tenant
    guard let issuer, let audience, let keys else { return nil }
    return OIDCSettings(issuer: issuer, audience: audience, keys: keys, claim: claim, claimValue: claimValue)
  }

  /// A JWKS file that exists and holds at least one key, each with a `kid` (tokens pick keys by it).
  private mutating func jwksFile(_ node: Node, field: String) -> String? {
    guard let path = existingFile(node, field: field) else { return nil }
    guard let data = FileManager.default.contents(atPath: path) else {
      problem(at: node, field: field, "cannot read \(path)")
      return nil
    }
    guard let jwks = try? JSONDecoder().decode(JWKS.self, from: data) else {
      problem(at: node, field: field, "\(path) is not a JWKS document ({\"keys\": [...]})")
      return nil
    }
    if jwks.keys.isEmpty {
      problem(at: node, field: field, "\(path) holds no keys")
    } else if jwks.keys.contains(where: { $0.keyIdentifier == nil }) {
      problem(at: node, field: field, "every key in \(path) needs a kid")
    }
    return path
  }

  // MARK: - Values

  /// The entries of a mapping; a key not in `known` is a problem with the nearest known key.
  private mutating func mapping(_ node: Node, field: String, keys known: [String]) -> [String: Node]? {
    guard case .mapping(let mapping) = node else {
      problem(
        at: node, field: field,
        field.isEmpty
          ? "serve.yaml is a mapping of settings, found \(kind(of: node))"
          : "expected a mapping, found \(kind(of: node))")
      return nil
    }
    var values: [String: Node] = [:]
    for (keyNode, valueNode) in mapping {
      guard case .scalar(let keyScalar) = keyNode else {
        problem(at: keyNode, field: field, "mapping keys must be plain names")
        continue
      }
      let key = keyScalar.string
      guard known.contains(key) else {
        let hint =
          NameSuggester.suggestion(for: key, among: known).map { "did you mean '\($0)'?" }
          ?? "known keys: \(known.joined(separator: ", "))"
        problem(at: keyNode, field: path(field, key), "unknown key; \(hint)")
        continue
      }
      values[key] = valueNode
    }
    return values
  }

  /// A scalar's text as written (`name: 2024` is the name "2024"); nothing (null) is refused.
  private mutating func string(_ node: Node, field: String) -> String? {
    guard case .scalar(let scalar) = node, !isNull(node) else {
      problem(at: node, field: field, "expected a string, found \(kind(of: node))")
      return nil
    }
    guard !scalar.string.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
      problem(at: node, field: field, "must not be empty")
      return nil
    }
    return scalar.string
  }

  private mutating func requiredString(_ node: Node?, in parent: Node, field: String, what: String) -> String? {
    guard let node else {
      problem(at: parent, field: field, "required: \(what)")
      return nil
    }
    return string(node, field: field)
  }

  /// A credential: a secret reference (`vault:PATH#KEY`, `env:NAME`, `file:PATH`) checked as the
  /// CLI checks its `.secret` keys, or a literal value. Messages quote a reference (it says where
  /// the secret is), never a literal value.
  private mutating func secret(_ node: Node, field: String) -> Secret? {
    guard case .scalar(let scalar) = node, !isNull(node) else {
      problem(
        at: node, field: field,
        "expected a secret reference (vault:PATH#KEY, env:NAME, file:PATH) or the value, found \(kind(of: node))")
      return nil
    }
    switch ConfigKeySpec.Kind.secret.check(scalar.string) {
    case .success(let setting):
      return Secret(setting.text ?? scalar.string)
    case .failure(let error):
      problem(at: node, field: field, error.message + (error.hint.map { " (\($0))" } ?? ""))
      return nil
    }
  }

  private mutating func integer(_ node: Node, field: String, atLeast minimum: Int) -> Int? {
    guard case .int(let value)? = scalarValue(node) else {
      problem(at: node, field: field, "expected a whole number, found \(kind(of: node))")
      return nil
    }
    guard value >= minimum else {
      problem(at: node, field: field, "must be at least \(minimum), found \(value)")
      return nil
    }
    return value
  }

  private mutating func boolean(_ node: Node, field: String) -> Bool? {
    guard case .bool(let value)? = scalarValue(node) else {
      problem(at: node, field: field, "expected true or false, found \(kind(of: node))")
      return nil
    }
    return value
  }

  /// An http(s) URL with a host and no user info. The text is not quoted back: a URL with a
  /// password in it is exactly what this refuses.
  private mutating func httpURL(_ node: Node, field: String, example: String) -> URL? {
    guard let text = string(node, field: field) else { return nil }
    guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
      url.host?.isEmpty == false
    else {
      problem(at: node, field: field, "expected an http(s) URL such as \(example)")
      return nil
    }
    guard url.user == nil, url.password == nil else {
      problem(at: node, field: field, "credentials do not belong in the URL; use username and password")
      return nil
    }
    return url
  }

  private mutating func requiredFile(_ node: Node?, in parent: Node, field: String, what: String) -> String? {
    guard let node else {
      problem(at: parent, field: field, "required: the \(what) file")
      return nil
    }
    return existingFile(node, field: field)
  }

  /// A path resolved against the config file's directory, which must name a readable file.
  private mutating func existingFile(_ node: Node, field: String) -> String? {
    guard let text = string(node, field: field) else { return nil }
    let path = resolve(text)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
      problem(at: node, field: field, "no file at \(path)")
      return nil
    }
    guard FileManager.default.isReadableFile(atPath: path) else {
      problem(at: node, field: field, "\(path) is not readable")
      return nil
    }
    return path
  }

  /// `path` if absolute, else relative to the config file's directory.
  private func resolve(_ path: String) -> String {
    let expanded = (path as NSString).expandingTildeInPath
    if expanded.hasPrefix("/") { return URL(fileURLWithPath: expanded).standardizedFileURL.path }
    return directory.appendingPathComponent(expanded).standardizedFileURL.path
  }

  // MARK: - Helpers

  private func scalarValue(_ node: Node) -> JSONValue? {
    guard case .scalar(let scalar) = node else { return nil }
    return YAMLDocument.value(of: scalar)
  }

  private func isNull(_ node: Node) -> Bool { scalarValue(node) == .null }

  /// `a string`, `a number`, `a mapping`, ... for "expected X, found Y": never the value itself.
  private func kind(of node: Node) -> String {
    switch node {
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    case .scalar:
      switch scalarValue(node) {
      case .string?: return "a string"
      case .int?, .double?: return "a number"
      case .bool?: return "a boolean"
      case .null?, nil: return "nothing (null)"
      case .array?: return "a list"
      case .object?: return "a mapping"
      }
    }
  }

  private func path(_ parent: String, _ key: String) -> String {
    parent.isEmpty ? key : "\(parent).\(key)"
  }

  private mutating func problem(at node: Node, field: String, _ message: String) {
    let location = YAMLDocument.location(of: node)
    problems.append(
      ServeConfigurationProblem(
        file: file, line: location.line, column: location.column, field: field, message: message))
  }
}
