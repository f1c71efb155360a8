import Foundation
import TestSupport
import Testing
import VRAModels

@testable import VRASimulator

/// Where health URLs point, and how those of an earlier run are moved to this one.
@Suite struct AppURLsTests {
  @Test(arguments: [
    ("127.0.0.1", false, "http://127.0.0.1:8080"),
    ("0.0.0.0", false, "http://127.0.0.1:8080"),
    ("::", false, "http://127.0.0.1:8080"),
    ("::1", false, "http://[::1]:8080"),
    ("localhost", true, "https://localhost:8080"),
  ])
  func theBaseIsWhereAClientReachesTheSimulator(host: String, tls: Bool, base: String) {
    #expect(AppURLs(host: host, port: 8080, tls: tls).base == base)
  }

  @Test func namesAreSinglePercentEncodedSegments() {
    let urls = AppURLs(base: "http://127.0.0.1:1")
    #expect(urls.url(deploymentId: "d-1", resourceName: "app") == "http://127.0.0.1:1/_sim/apps/d-1/app")
    #expect(urls.url(deploymentId: "d", resourceName: "web[1]") == "http://127.0.0.1:1/_sim/apps/d/web%5B1%5D")
    #expect(urls.url(deploymentId: "d", resourceName: "a b/c") == "http://127.0.0.1:1/_sim/apps/d/a%20b%2Fc")
  }

  @Test func rebasingMovesOnlyHealthURLs() {
    let urls = AppURLs(base: "https://127.0.0.1:2")
    let before: JSONValue = [
      "healthUrl": "http://127.0.0.1:1/_sim/apps/d/app",
      "all": ["http://[::1]:1/_sim/apps/d/web%5B0%5D", "http://example.com/_sim/apps/x"],
      "other": "http://127.0.0.1:1/iaas/api/about",
      "nested": "http://host:1/prefix/_sim/apps/d/app",
      "count": 2,
    ]
    let after = urls.rebased(before)
    #expect(after["healthUrl"] == "https://127.0.0.1:2/_sim/apps/d/app")
    #expect(
      after["all"] == ["https://127.0.0.1:2/_sim/apps/d/web%5B0%5D", "https://127.0.0.1:2/_sim/apps/x"])
    #expect(after["other"] == before["other"])
    #expect(after["nested"] == before["nested"], "a URL whose path only contains the prefix is not ours")
    #expect(after["count"] == 2)
  }

  @Test func theConfigurationFileLearnsUnhealthyApps() throws {
    let file = try Scratch.file(
      "sim.yaml",
      """
      faults:
        enabled: true
        unhealthyApps: [shop-*, exact]
      """)
    let configuration = try SimulatorConfiguration.load(yamlFile: file)
    #expect(configuration.faults.enabled)
    #expect(configuration.faults.unhealthyApps == ["shop-*", "exact"])
    #expect(try SimulatorConfiguration.load(yamlFile: Scratch.file("sim.yaml", "port: 1")).faults.unhealthyApps == [])
  }
}
