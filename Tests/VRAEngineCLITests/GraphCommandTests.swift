import CloudTemplate
import Foundation
import TestSupport
import Testing

@testable import VRAEngineCLI

/// `vra-engine graph` and `vra-engine inputs-schema`.
@Suite("vra-engine graph and inputs-schema")
struct GraphCommandTests {
  static let webApplication = TemplateCorpus.path("apps-web-application-v1.yaml")
  static let twoTier = TemplateCorpus.path("vsphere-two-tier-linux-application-type1.yaml")

  @Test func jsonGivesResourcesTheHandCheckedEdgesAndLayers() async throws {
    let outcome = try await CLIHarness.run(["graph", Self.twoTier, "--format", "json"])
    #expect(outcome.status == 0, "\(outcome.stderr)")
    let graph = try outcome.json()
    #expect(Set(graph.keys) == ["resources", "edges", "layers"])
    let edges = try #require(graph["edges"] as? [[String: String]])
    #expect(
      Set(edges.map { "\($0["from"]!)->\($0["to"]!):\($0["kind"]!)" }) == [
        "Cloud_LoadBalancer_1->Cloud_Network_2:reference", "Cloud_LoadBalancer_1->tier1_linux:reference",
        "tier1_linux->tier2_linux:dependsOn", "tier1_linux->Cloud_Network_2:reference",
        "tier2_linux->Cloud_Network_2:reference",
      ])
    #expect(edges.count == 5)
    let resources = try #require(graph["resources"] as? [[String: String]])
    #expect(resources.allSatisfy { Set($0.keys) == ["name", "type"] })
    #expect(resources.first { $0["name"] == "tier1_linux" }?["type"] == "Cloud.vSphere.Machine")
    let layers = try #require(graph["layers"] as? [[String]])
    #expect(layers == [["Cloud_Network_2"], ["tier2_linux"], ["tier1_linux"], ["Cloud_LoadBalancer_1"]])
  }

  /// A person gets a tree of the layers; `--output json` and the older `--format json` give JSON.
  @Test func textIsTheDefaultAndJSONIsAskedFor() async throws {
    for terminal in [true, false] {
      let text = try await CLIHarness.run(["graph", Self.webApplication], terminal: terminal)
      #expect(text.status == 0, "\(text.stderr)")
      #expect(
        text.stdout.split(separator: "\n").map(String.init) == [
          "\(Self.webApplication): 4 resources in 3 layers, each after the ones above",
          "layer 1",
          "└─ webNetwork  Cloud.NSX.Network",
          "layer 2",
          "├─ webServer1  Cloud.vSphere.Machine   after webNetwork",
          "└─ webServer2  Cloud.vSphere.Machine   after webNetwork",
          "layer 3",
          "└─ webLB       Cloud.NSX.LoadBalancer  after webNetwork, webServer1, webServer2",
        ], "\(text.stdout)")
    }
    for arguments in [["--output", "json"], ["--format", "json"]] {
      let outcome = try await CLIHarness.run(["graph", Self.webApplication] + arguments)
      #expect(outcome.status == 0)
      let layers = try #require(try outcome.json()["layers"] as? [[String]])
      #expect(layers == [["webNetwork"], ["webServer1", "webServer2"], ["webLB"]])
    }
    let clash = try await CLIHarness.run(["graph", Self.webApplication, "--format", "dot", "--output", "json"])
    #expect(clash.status == 2 && clash.stderr.contains("disagree"), "\(clash.stderr)")
  }

  @Test func dotDrawsEveryEdgeFromTheDependentResource() async throws {
    let outcome = try await CLIHarness.run(["graph", Self.twoTier, "--format", "dot"])
    #expect(outcome.status == 0)
    #expect(outcome.stdout.hasPrefix("digraph "))
    #expect(outcome.stdout.contains(#""tier1_linux" -> "tier2_linux" [label="dependsOn", style=dashed];"#))
    #expect(outcome.stdout.contains(#""tier2_linux" -> "Cloud_Network_2" [label="reference"];"#))
    #expect(outcome.stdout.components(separatedBy: " -> ").count - 1 == 5)
    #expect(outcome.stdout.hasSuffix("}\n"))
  }

  @Test func mermaidDrawsEveryEdge() async throws {
    let outcome = try await CLIHarness.run(["graph", Self.webApplication, "--format", "mermaid"])
    #expect(outcome.status == 0)
    let lines = outcome.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first == "flowchart BT")
    // r0 webLB, r1 webServer1, r2 webServer2, r3 webNetwork (template order).
    #expect(lines.contains(#"  r0["webLB<br/>Cloud.NSX.LoadBalancer"]"#))
    #expect(
      Set(lines.filter { $0.contains("-->") }) == [
        "  r0 -->|reference| r3", "  r0 -->|reference| r1", "  r0 -->|reference| r2", "  r1 -->|reference| r3",
        "  r2 -->|reference| r3",
      ])
  }

  @Test func aCycleExitsTwoAndPrintsItsPath() async throws {
    let path = try Scratch.file(
      "cycle.yaml",
      """
      formatVersion: 1
      resources:
        a:
          type: Cloud.Machine
          properties:
            peer: ${resource.b.address}
        b:
          type: Cloud.Machine
          dependsOn: [a]
        c:
          type: Cloud.Network
      """)
    let outcome = try await CLIHarness.run(["graph", path])
    #expect(outcome.status == 2)
    #expect(outcome.stdout.isEmpty)
    #expect(outcome.stderr.contains("\(path):3:3: error: dependency cycle: a -> b -> a"), "\(outcome.stderr)")
    #expect(try await CLIHarness.run(["validate", path]).stdout.contains("dependency cycle: a -> b -> a"))
  }

  @Test func badFormatOrTemplateExitsTwo() async throws {
    #expect(try await CLIHarness.run(["graph", Self.webApplication, "--format", "png"]).status == 2)
    let broken = try Scratch.file("broken.yaml", "resources: [\n")
    let outcome = try await CLIHarness.run(["graph", broken])
    #expect(outcome.status == 2)
    #expect(outcome.stderr.contains("\(broken):"))
    #expect(outcome.stderr.contains("error: YAML syntax error"))
  }

  @Test func inputsSchemaPrintsTheSchemaWithSortedKeys() async throws {
    let outcome = try await CLIHarness.run(["inputs-schema", Self.webApplication])
    #expect(outcome.status == 0, "\(outcome.stderr)")
    let schema = try outcome.json()
    #expect(schema["type"] as? String == "object")
    #expect(schema["additionalProperties"] as? Bool == false)
    #expect(schema["required"] as? [String] == ["password"])
    let properties = try #require(schema["properties"] as? [String: [String: Any]])
    #expect(Set(properties.keys) == ["size", "image", "username", "password", "web1Hostname", "web2Hostname"])
    #expect(properties["password"]?["encrypted"] as? Bool == true)
    #expect(properties["size"]?["enum"] as? [String] == ["small", "medium", "large"])
    // Pretty and sorted: the same text as rendering the library's schema the CLI's one way.
    let template = try TemplateParser.parse(contentsOf: URL(fileURLWithPath: Self.webApplication))
    #expect(outcome.stdout == OutputJSON.render(InputsSchema.jsonSchema(for: template)) + "\n")
    let keys = outcome.stdout.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map {
      $0.split(separator: ":")[0].trimmingCharacters(in: .whitespaces)
    }
    #expect(keys == [#""additionalProperties""#, #""encrypted""#, #""properties""#, #""required""#, #""type""#])
  }
}
