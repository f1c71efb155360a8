import Foundation
import VRAModels

/// Gives a provisioned resource the properties a real vRA resource of its kind has
/// (`id`, `resourceLink`, `address`, `powerState`, ...) on top of its template
/// properties with their references resolved. Machines also get a `healthUrl` the simulator serves.
struct ResourcePropertyFactory {
  var deployment: DeploymentRecord
  var inputs: [String: JSONValue]
  /// Where health URLs point; nil: no `healthUrl`.
  var appURLs: AppURLs?

  /// Machines and instances (`Cloud.vSphere.Machine`, `Cloud.AWS.EC2.Instance`, ...): the resources
  /// with an address, a power state and a health URL.
  static func isCompute(_ type: String) -> Bool {
    let lowered = type.lowercased()
    return lowered.hasSuffix("machine") || lowered.contains("instance")
  }

  /// The machine's health URL, nil for other resources.
  static func healthURL(for resource: ResourceRecord, in deploymentId: String, urls: AppURLs?) -> JSONValue? {
    guard let urls, isCompute(resource.type) else { return nil }
    return .string(urls.url(deploymentId: deploymentId, resourceName: resource.name))
  }

  func properties(for resource: ResourceRecord) -> [String: JSONValue] {
    let resolver = OutputResolver(deployment: deployment, inputs: inputs, current: resource)
    var properties = resource.properties.mapValues { resolver.resolve($0) }
    properties["count"] = nil
    let seed = StableID.uuid(from: resource.id)
    let octet = Int(seed.prefix(2), radix: 16) ?? 10
    let host = Int(seed.dropFirst(2).prefix(2), radix: 16) ?? 20
    let instanceName =
      "\(resource.templateName.lowercased().replacingOccurrences(of: "_", with: "-"))-\(seed.prefix(6))"
    properties["id"] = .string(resource.id)
    properties["resourceName"] = .string(instanceName)
    properties["name"] = properties["name"] ?? .string(instanceName)
    let type = resource.type.lowercased()
    if Self.isCompute(type) {
      properties["resourceLink"] = .string("/resources/compute/\(resource.id)")
      properties["address"] = .string("10.\(octet % 250).\(host % 250).\(10 + (octet + host) % 200)")
      properties["powerState"] = "ON"
      properties["cpuCount"] = properties["cpuCount"] ?? 2
      properties["totalMemoryMB"] = properties["totalMemoryMB"] ?? 4096
      properties["hostName"] = .string("\(instanceName).corp.local")
      properties["zone"] = "Compute-Cluster-01"
      properties["region"] = "Datacenter:datacenter-2"
      properties["account"] = "vcenter.corp.local"
      properties["osType"] = properties["osType"] ?? "LINUX"
      // Always the simulator's own: a smoke check must reach something that answers.
      properties["healthUrl"] = Self.healthURL(for: resource, in: deployment.id, urls: appURLs)
    } else if type.contains("network") {
      properties["resourceLink"] = .string("/resources/networks/\(resource.id)")
      properties["cidr"] = properties["cidr"] ?? .string("10.\(octet % 250).\(host % 250).0/24")
      properties["gateway"] = .string("10.\(octet % 250).\(host % 250).1")
      properties["networkType"] = properties["networkType"] ?? "existing"
    } else if type.contains("volume") || type.contains("disk") {
      properties["resourceLink"] = .string("/resources/disks/\(resource.id)")
      properties["capacityGb"] = properties["capacityGb"] ?? 10
      properties["status"] = "ATTACHED"
    } else if type.contains("loadbalancer") {
      properties["resourceLink"] = .string("/resources/load-balancers/\(resource.id)")
      properties["address"] = .string("10.\(octet % 250).\(host % 250).250")
    } else {
      properties["resourceLink"] = .string("/resources/\(resource.id)")
    }
    return properties
  }
}
