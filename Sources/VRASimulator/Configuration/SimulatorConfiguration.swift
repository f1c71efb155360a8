import Foundation
import Yams

/// Everything a simulator run can be told: where to listen, how fast time runs,
/// who exists, how long things take, and which faults to inject.
///
/// Loaded from `sim.yaml` (`--config`); every key is optional and the defaults give
/// a ready-to-use org `vsphere.local` with user `admin@vsphere.local` / `VMware1!`.
public struct SimulatorConfiguration: Codable, Sendable {
  public var host: String = "127.0.0.1"
  /// 0 binds an ephemeral port; `SimulatorServer.port` reports the one bound.
  public var port: Int = 8080
  /// Multiplies every simulated duration: 0.01 runs 100× faster than the realistic defaults.
  public var timeScale: Double = 1.0
  public var tokens = TokenSettings()
  public var durations = DurationSettings()
  public var orgs: [OrgSeed] = [.default]
  public var faults = FaultSettings()
  /// vRA refuses a second deployment with the same name in an org; turn off to let
  /// tests observe what a careless client would have duplicated.
  public var uniqueDeploymentNames: Bool = true
  public var tls: TLSSettings?
  /// Where to persist state across restarts (`--state`); nil keeps it in memory only.
  public var stateFile: String?
  /// Requests that wait for approval (none by default); replaced at runtime by `PUT /_sim/approval-policies`.
  public var approvals: [ApprovalPolicy] = []
  public var leases = LeaseSettings()

  public init() {}

  enum CodingKeys: String, CodingKey {
    case host, port, timeScale, tokens, durations, orgs, faults, uniqueDeploymentNames, tls, stateFile, approvals,
      leases
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let defaults = SimulatorConfiguration()
    host = try container.decodeIfPresent(String.self, forKey: .host) ?? defaults.host
    port = try container.decodeIfPresent(Int.self, forKey: .port) ?? defaults.port
    timeScale = try container.decodeIfPresent(Double.self, forKey: .timeScale) ?? defaults.timeScale
    tokens = try container.decodeIfPresent(TokenSettings.self, forKey: .tokens) ?? defaults.tokens
    durations = try container.decodeIfPresent(DurationSettings.self, forKey: .durations) ?? defaults.durations
    orgs = try container.decodeIfPresent([OrgSeed].self, forKey: .orgs) ?? defaults.orgs
    faults = try container.decodeIfPresent(FaultSettings.self, forKey: .faults) ?? defaults.faults
    uniqueDeploymentNames =
      try container.decodeIfPresent(Bool.self, forKey: .uniqueDeploymentNames) ?? defaults.uniqueDeploymentNames
    tls = try container.decodeIfPresent(TLSSettings.self, forKey: .tls)
    stateFile = try container.decodeIfPresent(String.self, forKey: .stateFile)
    approvals = try container.decodeIfPresent([ApprovalPolicy].self, forKey: .approvals) ?? []
    leases = try container.decodeIfPresent(LeaseSettings.self, forKey: .leases) ?? defaults.leases
  }

  /// Reads a `sim.yaml`; unknown keys are rejected so a typo does not silently do nothing.
  public static func load(yamlFile path: String) throws -> SimulatorConfiguration {
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw SimulatorConfigurationError(file: path, message: "cannot read: \(error.localizedDescription)")
    }
    if let unknown = ConfigurationKeys.firstUnknownKey(inYAML: text) {
      throw SimulatorConfigurationError(file: path, message: "unknown key '\(unknown.key)' at line \(unknown.line)")
    }
    do {
      return try YAMLDecoder().decode(SimulatorConfiguration.self, from: text)
    } catch let error as DecodingError {
      throw SimulatorConfigurationError(file: path, message: Self.describe(error))
    } catch {
      throw SimulatorConfigurationError(file: path, message: "\(error)")
    }
  }

  private static func describe(_ error: DecodingError) -> String {
    func path(_ context: DecodingError.Context) -> String {
      context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
      return "\(path(context)): \(context.debugDescription)"
    case .keyNotFound(let key, let context):
      return "\(path(context)): missing key '\(key.stringValue)'"
    @unknown default:
      return "\(error)"
    }
  }
}

/// A configuration file the simulator cannot use.
public struct SimulatorConfigurationError: Error, CustomStringConvertible {
  public var file: String
  public var message: String
  public var description: String { "\(file): \(message)" }
}

/// Token lifetimes, in real seconds (not scaled by `timeScale`).
public struct TokenSettings: Codable, Sendable {
  public var accessTokenLifetime: Double = 1800
  public var refreshTokenLifetime: Double = 7 * 24 * 3600
  public init() {}

  enum CodingKeys: String, CodingKey { case accessTokenLifetime, refreshTokenLifetime }

  // Hand-written so that a sim.yaml may set one lifetime and keep the other's default.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    accessTokenLifetime = try container.decodeIfPresent(Double.self, forKey: .accessTokenLifetime) ?? 1800
    refreshTokenLifetime = try container.decodeIfPresent(Double.self, forKey: .refreshTokenLifetime) ?? 7 * 24 * 3600
  }
}

/// Realistic durations in seconds, before `timeScale` is applied.
public struct DurationSettings: Codable, Sendable {
  /// CREATED → INITIALIZATION → INPROGRESS.
  public var initialization: Double = 4
  /// Last resource done → COMPLETION → SUCCESSFUL.
  public var completion: Double = 3
  /// Provisioning time of a resource whose type has no entry in `resourceTypes`.
  public var defaultResource: Double = 30
  /// Per resource type, e.g. `Cloud.vSphere.Machine: 120`.
  public var resourceTypes: [String: Double] = [
    "Cloud.vSphere.Machine": 120, "Cloud.Machine": 90, "Cloud.AWS.EC2.Instance": 90, "Cloud.Azure.Machine": 150,
    "Cloud.Network": 15, "Cloud.vSphere.Network": 15, "Cloud.NSX.Network": 25, "Cloud.Volume": 20,
    "Cloud.vSphere.Disk": 20, "Cloud.LoadBalancer": 45, "Cloud.NSX.LoadBalancer": 60,
    "Cloud.SecurityGroup": 10,
  ]
  /// Deleting a resource takes this fraction of its provisioning time.
  public var deleteFactor: Double = 0.3
  /// Per day-2 action, by the last part of its id (`PowerOff` for `Cloud.vSphere.Machine.PowerOff` and
  /// `Deployment.PowerOff`): the time it takes on each resource it touches (or once, for the
  /// deployment-wide `ChangeLease` and `EditTags`).
  public var actions: [String: Double] = [
    "PowerOff": 10, "PowerOn": 15, "Resize": 40, "ChangeLease": 2, "EditTags": 3,
  ]

  public init() {}

  enum CodingKeys: String, CodingKey {
    case initialization, completion, defaultResource, resourceTypes, deleteFactor, actions
  }

  /// Every key optional; `resourceTypes` entries are added to (and override) the built-in ones.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let defaults = DurationSettings()
    initialization = try container.decodeIfPresent(Double.self, forKey: .initialization) ?? defaults.initialization
    completion = try container.decodeIfPresent(Double.self, forKey: .completion) ?? defaults.completion
    defaultResource = try container.decodeIfPresent(Double.self, forKey: .defaultResource) ?? defaults.defaultResource
    let types = try container.decodeIfPresent([String: Double].self, forKey: .resourceTypes) ?? [:]
    resourceTypes = defaults.resourceTypes.merging(types) { $1 }
    deleteFactor = try container.decodeIfPresent(Double.self, forKey: .deleteFactor) ?? defaults.deleteFactor
    let actionTimes = try container.decodeIfPresent([String: Double].self, forKey: .actions) ?? [:]
    actions = defaults.actions.merging(actionTimes) { $1 }
  }

  public func provisioning(of type: String) -> Double { resourceTypes[type] ?? defaultResource }

  /// The time of a day-2 action (`Cloud.vSphere.Machine.PowerOff` reads `PowerOff`), 10 s if unlisted.
  public func action(_ actionId: String) -> Double {
    actions[String(actionId.split(separator: ".").last ?? "")] ?? 10
  }
}

/// An org with its users and projects, created at start and on `/_sim/reset`.
public struct OrgSeed: Codable, Sendable {
  public var name: String
  /// Fixed org id; a stable UUID derived from the name when absent.
  public var id: String?
  public var users: [UserSeed]
  public var projects: [String]

  public init(name: String, id: String? = nil, users: [UserSeed], projects: [String]) {
    self.name = name
    self.id = id
    self.users = users
    self.projects = projects
  }

  enum CodingKeys: String, CodingKey { case name, id, users, projects }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    name = try container.decode(String.self, forKey: .name)
    id = try container.decodeIfPresent(String.self, forKey: .id)
    users = try container.decodeIfPresent([UserSeed].self, forKey: .users) ?? []
    projects = try container.decodeIfPresent([String].self, forKey: .projects) ?? []
  }

  public static let `default` = OrgSeed(
    name: "vsphere.local", users: [UserSeed(username: "admin", password: "VMware1!", domain: "vsphere.local")],
    projects: ["Development"])
}

/// A user who can log in with `{username, password, domain}`.
public struct UserSeed: Codable, Sendable {
  public var username: String
  public var password: String
  public var domain: String
  public init(username: String, password: String, domain: String) {
    self.username = username
    self.password = password
    self.domain = domain
  }
  /// `admin@vsphere.local`.
  public var principal: String { username.contains("@") ? username : "\(username)@\(domain)" }
}

/// Listening with TLS, optionally requiring client certificates signed by `clientCA`.
public struct TLSSettings: Codable, Sendable {
  public var certificateFile: String
  public var keyFile: String
  public var clientCAFile: String?
  public init(certificateFile: String, keyFile: String, clientCAFile: String? = nil) {
    self.certificateFile = certificateFile
    self.keyFile = keyFile
    self.clientCAFile = clientCAFile
  }
}
