import Foundation
import Testing

@testable import CloudTemplate

@Suite("Corpus of real cloud templates")
struct CorpusTests {
  /// Templates of the corpus that reference an input they never declare (copy-and-paste slips in the
  /// published templates, checked by reading them). vRA cannot resolve these references either, so the
  /// validator must keep reporting them: each is listed with the exact error expected.
  static let knownBroken: [String: Set<String>] = [
    // `hostname: ${input.web2Hostname}` in webServer1's cloudConfig; v2 only declares web1Hostname.
    "apps-web-application-v2.yaml": ["unknownInput 48 /resources/webServer1/properties/cloudConfig"],
    // `value: ${input.environment}` in a tag; the template has no `environment` input.
    "se_labs-single-linux-virtual-machine-complex-.yaml": [
      "unknownInput 121 /resources/machine/properties/tags/1/value"
    ],
    // `count: ${input.vmCount}`; the template has no `vmCount` input.
    "vsphere-single-machine.yaml": ["unknownInput 46 /resources/vm/properties/count"],
  ]

  @Test("the corpus holds the 38 templates")
  func corpusIsComplete() throws {
    #expect(try Fixture.corpusFiles().count == 38)
  }

  @Test(
    "every corpus template parses, builds a graph and validates with no unexpected error",
    arguments: try Fixture.corpusFiles())
  func parsesAndValidates(file: String) throws {
    let template = try Fixture.corpusTemplate(file)
    #expect(template.fileName == file)
    #expect(!template.resources.isEmpty)
    #expect(template.resources.allSatisfy { !$0.type.isEmpty })
    let graph = try ResourceGraph(template: template)
    // Every resource is placed exactly once, after everything it depends on.
    let placed = graph.layers.flatMap { $0 }
    #expect(placed.count == template.resources.count)
    #expect(Set(placed) == Set(template.resources.map(\.name)))
    let layerOf = Dictionary(
      uniqueKeysWithValues: graph.layers.enumerated().flatMap { index, layer in layer.map { ($0, index) } })
    for edge in graph.edges {
      #expect(layerOf[edge.from]! > layerOf[edge.to]!, "\(edge) breaks the layering")
    }
    let findings = TemplateValidator.validate(template)
    let errors = Set(findings.errors.map { "\($0.code.rawValue) \($0.line) \($0.path)" })
    #expect(errors == Self.knownBroken[file] ?? [], "\(findings.errors.map(\.description))")
    // Warnings only name things vRA resolves itself or keys kept as written, never a syntax problem.
    let allowedWarnings: Set<DiagnosticCode> = [.resolvedAtRequestTime, .unknownKey]
    #expect(findings.warnings.allSatisfy { allowedWarnings.contains($0.code) }, "\(findings.warnings)")
  }

  @Test("the known-broken templates fail for the reason found by reading them")
  func knownBrokenTemplatesHaveSuggestions() throws {
    let template = try Fixture.corpusTemplate("apps-web-application-v2.yaml")
    let error = try #require(TemplateValidator.validate(template).errors.first)
    #expect(error.code == .unknownInput)
    #expect(error.hint == "did you mean 'web1Hostname'?")
    let text = try Fixture.corpusText("apps-web-application-v2.yaml")
    let position = try #require(Fixture.position(of: "input.web2Hostname", in: text))
    #expect(error.line == position.line)
    #expect(error.column == position.column)
  }

  /// Edge sets checked by hand against the YAML: `from` must be created after `to`.
  static let handCheckedEdges: [(String, Set<String>)] = [
    ("agnostic-cloud-agnostic-machine.yaml", ["Cloud_Machine_1->Cloud_Network_1:reference"]),
    (
      "apps-web-application-v1.yaml",
      [
        "webLB->webNetwork:reference", "webLB->webServer1:reference", "webLB->webServer2:reference",
        "webServer1->webNetwork:reference", "webServer2->webNetwork:reference",
      ]
    ),
    (
      "azure-azure-sql-server.yaml",
      [
        "Azure_SQL_Server->Azure_ResourceGroup:dependsOn", "Azure_SQL_Server->Azure_ResourceGroup:reference",
        "Azure_SQL_Database->Azure_SQL_Server:dependsOn", "Azure_SQL_Database->Azure_SQL_Server:reference",
        "Azure_SQL_Database->Azure_ResourceGroup:reference",
      ]
    ),
    (
      "k8s-kubernetes-cluster.yaml",
      [
        // K8s_Master's cloudConfig echoes ${resource.K8s_Node.address}.
        "K8s_Node->K8s_Network:reference", "K8s_Master->K8s_Node:reference", "K8s_Master->K8s_Network:reference",
      ]
    ),
    (
      "vsphere-two-tier-linux-application-type1.yaml",
      [
        "Cloud_LoadBalancer_1->Cloud_Network_2:reference", "Cloud_LoadBalancer_1->tier1_linux:reference",
        "tier1_linux->tier2_linux:dependsOn", "tier1_linux->Cloud_Network_2:reference",
        "tier2_linux->Cloud_Network_2:reference",
      ]
    ),
    (
      "vsphere-two-tier-linux-application-type4.yaml",
      [
        "tier1_loadbalancer->network:reference", "tier1_loadbalancer->tier1_linux:reference",
        "tier1_linux->tier2_linux:dependsOn", "tier1_linux->network:reference", "tier2_linux->network:reference",
      ]
    ),
    (
      "se_labs-windows-web-cluster.yaml",
      [
        "config->machine:reference", "machine->network:reference", "machine->zoneRules:reference",
        "machine->webRules:reference",
      ]
    ),
    ("vcenter.yaml", ["vcsa->vmw_mgmt:reference"]),
    (
      "vsphere-web-application.yaml",
      [
        "webLb->frontend:reference", "webLb->webServer:reference", "webServer->backend:reference",
        "webServer->allowHTTPS:reference", "webServer->allowSSH:reference", "dbServer->backend:reference",
        "dbServer->allowSSH:reference",
      ]
    ),
    ("vsphere-windows-server.yaml", ["windowsServer->nsx:reference", "windowsServer->Windows_SG:reference"]),
    // Cloud_Machine_1 names itself (`resource.Cloud_Machine_1.resourceName`): a self read, not an edge.
    ("centos-centos-gold-server.yaml", ["Cloud_Machine_1->Cloud_Network_1:reference"]),
    // `resource.disk[*].id` inside a function call, and a self read in the machine's cloudConfig.
    (
      "se_labs-clustered-linux-virtual-machines-multi-disk-.yaml",
      ["machine->disk:reference", "machine->network:reference"]
    ),
    ("aws-alexa-demo.yaml", []),
    ("k8s-k8s-ondemand-cluster.yaml", []),
  ]

  @Test("hand-checked edge sets", arguments: handCheckedEdges)
  func exactEdges(file: String, expected: Set<String>) throws {
    let graph = try ResourceGraph(template: try Fixture.corpusTemplate(file))
    #expect(graph.edgeSet == expected)
    #expect(graph.edges.count == expected.count, "edges are unique")
  }

  @Test("layers of the two-tier application follow its dependsOn and references")
  func twoTierLayers() throws {
    let graph = try ResourceGraph(template: try Fixture.corpusTemplate("vsphere-two-tier-linux-application-type1.yaml"))
    #expect(graph.layers == [["Cloud_Network_2"], ["tier2_linux"], ["tier1_linux"], ["Cloud_LoadBalancer_1"]])
  }
}
