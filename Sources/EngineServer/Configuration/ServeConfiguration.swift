import CloudTemplate
import Credentials
import Foundation

/// serve.yaml: where the server listens, its state store, TLS, request limits and its tenants.
///
/// Read with `load(path:)`; every problem of the file is reported at once, with its position.
/// Relative paths in the file are resolved against the file's directory, so the server finds the
/// same files whatever directory it is started from.
public struct ServeConfiguration: Sendable, Hashable {
  /// The address the API listens on (`listen: 127.0.0.1:8088`).
  public struct Listen: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    /// 0 takes any free port.
    public var port: Int

    public init(host: String, port: Int) {
      self.host = host
      self.port = port
    }

    /// `127.0.0.1:8088`, `[::1]:8088`.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
  }

  /// Server TLS; with `clientCA`, clients must present a certificate it signed (mutual TLS).
  public struct TLS: Sendable, Hashable {
    /// Absolute paths to PEM files.
    public var certificate: String
    public var privateKey: String
    public var clientCA: String?

    public init(certificate: String, privateKey: String, clientCA: String? = nil) {
      self.certificate = certificate
      self.privateKey = privateKey
      self.clientCA = clientCA
    }
  }

  /// What one submission may carry.
  public struct Limits: Sendable, Hashable {
    public var maxBodyBytes: Int
    public var maxFiles: Int
    public var maxFileBytes: Int

    public init(maxBodyBytes: Int = 8_388_608, maxFiles: Int = 200, maxFileBytes: Int = 1_048_576) {
      self.maxBodyBytes = maxBodyBytes
      self.maxFiles = maxFiles
      self.maxFileBytes = maxFileBytes
    }

    public static let standard = Limits()
  }

  /// The file it was read from (absolute), for messages and reloads.
  public var file: String
  public var listen: Listen
  /// The state database: a SQLite file (absolute), or a PostgreSQL URL that several replicas share.
  public var statePath: String
  /// `state.password`: the PostgreSQL password, a secret reference or the value (read at start).
  public var statePassword: Secret?
  public var tls: TLS?
  public var limits: Limits
  /// In file order; names are unique.
  public var tenants: [TenantConfiguration]

  public init(
    file: String, listen: Listen, statePath: String, statePassword: Secret? = nil, tls: TLS? = nil,
    limits: Limits = .standard, tenants: [TenantConfiguration]
  ) {
    self.file = file
    self.listen = listen
    self.statePath = statePath
    self.statePassword = statePassword
    self.tls = tls
    self.limits = limits
    self.tenants = tenants
  }

  /// The tenant called `name` (names are case-sensitive, as written in the file).
  public func tenant(named name: String) -> TenantConfiguration? {
    tenants.first { $0.name == name }
  }

  /// The state database when serve.yaml has no `state:`: beside the file, as the CLI keeps its own.
  public static let defaultStateURL = ".vra-engine/state.db"

  /// Reads and checks `path`; relative paths inside are resolved against its directory.
  public static func load(path: String) throws(ServeConfigurationError) -> ServeConfiguration {
    let file = absolutePath(path)
    let text: String
    do {
      text = try YAMLDocument.readText(contentsOf: URL(fileURLWithPath: file), kind: "serve.yaml")
    } catch {
      throw ServeConfigurationError(
        problems: error.diagnostics.map {
          ServeConfigurationProblem(
            file: file, line: $0.location.line, column: $0.location.column, field: "", message: $0.message)
        })
    }
    return try parse(text, file: file)
  }

  /// Checks serve.yaml's text; `file` names it in problems and is where relative paths start from.
  public static func parse(_ text: String, file: String) throws(ServeConfigurationError) -> ServeConfiguration {
    var parser = ServeConfigurationParser(file: absolutePath(file))
    let configuration = parser.parse(text)
    guard parser.problems.isEmpty, let configuration else {
      // In file order, as an editor lists them; problems at one place keep the order found.
      let ordered = parser.problems.enumerated().sorted { lhs, rhs in
        (lhs.element.line, lhs.element.column, lhs.offset) < (rhs.element.line, rhs.element.column, rhs.offset)
      }
      throw ServeConfigurationError(problems: ordered.map(\.element))
    }
    return configuration
  }

  static func absolutePath(_ path: String) -> String {
    URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
      .standardizedFileURL.path
  }
}
