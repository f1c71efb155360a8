import CloudTemplate
import Engine
import Foundation
import Testing

@Suite("Config files: every problem with its line and key")
struct ConfigFileTests {
  static let toml = """
    defaultProfile = "lab"

    [polling]
    min = "200ms"

    [profiles.lab]
    endpoint.url = "https://vra.lab.local"
    concurrency.parallelism = 2

    [profiles.lab.tls]
    insecure = true
    """

  @Test func aValidTOMLFileFlattensToDottedKeysWithPositions() {
    let file = ConfigFile.parse(Self.toml, path: "vra-engine.toml", format: .toml)
    #expect(file.problems.isEmpty, "\(file.problems)")
    #expect(file.profiles == ["lab"] && file.defaultProfile == "lab")
    #expect(
      file.entries["polling.min"] == ConfigFile.Entry(text: "200ms", location: SourceLocation(line: 4, column: 8)))
    #expect(file.entries["profiles.lab.concurrency.parallelism"]?.text == "2")
    #expect(file.entries["profiles.lab.concurrency.parallelism"]?.location.line == 8)
    #expect(file.entries["profiles.lab.tls.insecure"]?.text == "true")
  }

  @Test func theSameFileInYAMLReadsTheSame() {
    let yaml = """
      defaultProfile: lab
      polling: {min: 200ms}
      profiles:
        lab:
          endpoint: {url: "https://vra.lab.local"}
          concurrency:
            parallelism: 2
          tls: {insecure: true}
      """
    let file = ConfigFile.parse(yaml, path: "c.yaml", format: .yaml)
    let toml = ConfigFile.parse(Self.toml, path: "c.toml", format: .toml)
    #expect(file.problems.isEmpty, "\(file.problems)")
    #expect(file.entries.mapValues(\.text) == toml.entries.mapValues(\.text))
    #expect(file.entries["profiles.lab.concurrency.parallelism"]?.location.line == 7)
  }

  @Test func everyProblemIsReportedAtOnceWithLineAndKey() {
    let yaml = """
      defaultProfile: stage
      polling:
        min: fast
        maxx: 2s
      concurrency:
        parallelism: "4"
      telemetry: {metricsPort: 70000}
      profiles:
        lab:
          endpoint: {url: "ftp://x", flavour: cloud}
          log: {level: Debug}
          tls: {insecure: "yes"}
          auth: {password: "vault:secret/vra"}
      colour: blue
      """
    let file = ConfigFile.parse(yaml, path: "bad.yaml", format: .yaml)
    let found = Dictionary(file.problems.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    #expect(found["polling.min"]?.location?.line == 3)
    #expect(found["polling.maxx"]?.message == "unknown key")
    #expect(found["polling.maxx"]?.hint?.contains("polling.max") == true)
    #expect(found["concurrency.parallelism"]?.message.contains("found a string") == true, "\"4\" is not a number")
    #expect(found["telemetry.metricsPort"]?.location?.line == 7)
    #expect(found["profiles.lab.endpoint.url"]?.location?.line == 10)
    #expect(found["profiles.lab.endpoint.flavour"]?.hint?.contains("profiles.lab.endpoint.flavor") == true)
    #expect(found["profiles.lab.log.level"]?.hint?.contains("'debug'") == true)
    #expect(found["profiles.lab.tls.insecure"] != nil, "a quoted \"yes\" is a string, not a boolean")
    #expect(found["profiles.lab.auth.password"]?.message.contains("#") == true, "a reference without #KEY")
    #expect(found["colour"]?.message == "unknown key")
    #expect(found["defaultProfile"]?.message.contains("no profile 'stage'") == true)
    #expect(file.problems.count == 11, "\(file.problems.map(\.description))")
    #expect(file.problems.allSatisfy { $0.description.hasPrefix("bad.yaml:") })
  }

  @Test(arguments: [
    ("polling = [", PlanFormat.toml, 1),
    ("polling:\n  min: [1,\n", PlanFormat.yaml, 3),
    (
      "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
      PlanFormat.yaml, 0
    ),
    ("- just\n- a list\n", PlanFormat.yaml, 1),
  ])
  func malformedFilesAreOneProblemNotACrash(text: String, format: PlanFormat, line: Int) {
    let limits = ParseLimits(maxNodes: 10_000)
    let file = ConfigFile.parse(text, path: "f", format: format, limits: limits)
    #expect(!file.problems.isEmpty)
    #expect(file.entries.isEmpty)
    if line > 0 { #expect(file.problems.first?.location?.line == line, "\(file.problems)") }
  }

  @Test func theSampleConfigIsValidAndUsesEverySection() {
    let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/config/vra-engine.toml")
    let file = ConfigFile.read(path: sample.path)
    #expect(file.problems.isEmpty, "\(file.problems)")
    #expect(file.profiles == ["lab", "cloud"])
    let sections = Set(
      file.entries.keys.map { key in
        let setting = key.hasPrefix("profiles.") ? key.split(separator: ".").dropFirst(2).joined(separator: ".") : key
        return String(setting.prefix { $0 != "." })
      })
    #expect(
      sections == Set(ConfigCatalog.keys.map(\.key.section)), "the sample shows every section")
  }

  @Test func aFileOverTheSizeLimitIsRefused() {
    let text = "# " + String(repeating: "x", count: 2000) + "\n"
    let file = ConfigFile.parse(text, path: "big.toml", format: .toml, limits: ParseLimits(maxBytes: 1000))
    #expect(file.problems.count == 1)
    #expect(file.problems.first?.message.contains("limit") == true, "\(file.problems)")
  }
}
