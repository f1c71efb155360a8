import CloudTemplate
import Engine
import Foundation
import Testing

@Suite("Plan loading")
struct PlanLoaderTests {
  @Test("the issue's three-tier example loads with every field")
  func threeTier() throws {
    let plan = try PlanLoader.load(contentsOf: PlanFixtures.url("three-tier.yaml"))
    #expect(plan.name == "three-tier")
    #expect(plan.stageNames == ["network", "db", "app"])
    #expect(plan.defaults.project == "Development")
    #expect(plan.defaults.parallelism == 4)
    #expect(plan.defaults.onFailure == .stop)
    #expect(plan.defaults.rollback == RollbackPolicy.none)
    let network = try #require(plan.stage(named: "network"))
    #expect(network.deploymentName == "net-${run.id}")
    #expect(network.inputs == ["cidr": "10.0.0.0/24"])
    guard case .template(let path, let template) = network.source else {
      Issue.record("network should deploy a template")
      return
    }
    #expect(path.path == PlanFixtures.url("templates/network.yaml").standardizedFileURL.path)
    #expect(template.resource(named: "net") != nil)
    #expect(network.location == CloudTemplate.SourceLocation(line: 4, column: 3))
    let db = try #require(plan.stage(named: "db"))
    #expect(db.deploymentName == "three-tier-db-${run.id}")
    #expect(db.inputs == ["network": "${stages.network.resources.net.id}"])
    let app = try #require(plan.stage(named: "app"))
    #expect(app.dependsOn == ["db"])
    #expect(app.project == "Production")
    #expect(plan.project(for: app) == "Production")
    #expect(plan.project(for: db) == "Development")
    #expect(app.inputs["count"] == .int(2))
    #expect(app.inputLocations["dbHost"] == CloudTemplate.SourceLocation(line: 15, column: 14))
  }

  @Test("a TOML plan loads to the same plan as its YAML twin")
  func tomlEquivalence() throws {
    let yaml = try PlanLoader.load(contentsOf: PlanFixtures.url("three-tier.yaml"))
    let toml = try PlanLoader.load(contentsOf: PlanFixtures.url("three-tier.toml"))
    #expect(toml.name == yaml.name)
    #expect(toml.defaults == yaml.defaults)
    #expect(toml.stageNames == yaml.stageNames)
    for (left, right) in zip(yaml.stages, toml.stages) {
      #expect(left.source == right.source)
      #expect(left.deploymentName == right.deploymentName)
      #expect(left.inputs == right.inputs)
      #expect(left.dependsOn == right.dependsOn)
      #expect(left.project == right.project)
    }
    // Positions come from the TOML text.
    let app = try #require(toml.stage(named: "app"))
    #expect(app.location == CloudTemplate.SourceLocation(line: 18, column: 9))
    #expect(app.inputLocations["dbHost"] == CloudTemplate.SourceLocation(line: 22, column: 12))
  }

  @Test("every setting of defaults and stages is decoded")
  func allSettings() throws {
    let plan = try PlanFixtures.load(
      """
      name: full
      defaults:
        project: Dev
        parallelism: 8
        perProjectLimit: 2
        onFailure: continue
        rollback: on-failure
        timeout: 1h30m
        retries: 1
        org: acme
        region: eu
        constraintTags: [env:dev]
      stages:
        base:
          blueprint: {name: base-linux, version: 3}
          timeout: 90s
          retries: 2
          region: us
          constraintTags: {tier: web}
        item:
          catalogItem: Ubuntu
          dependsOn: base
      """)
    #expect(plan.defaults.parallelism == 8)
    #expect(plan.defaults.perProjectLimit == 2)
    #expect(plan.defaults.onFailure == .continue)
    #expect(plan.defaults.rollback == .onFailure)
    #expect(plan.defaults.timeout == .seconds(5400))
    #expect(plan.defaults.retries == 1)
    let base = try #require(plan.stage(named: "base"))
    #expect(base.source == .blueprint(name: "base-linux", version: "3"))
    #expect(base.timeout == .seconds(90))
    #expect(plan.retries(for: base) == 2)
    #expect(
      plan.placement(for: base) == StagePlacement(org: "acme", region: "us", constraintTags: ["env:dev", "tier:web"]))
    let item = try #require(plan.stage(named: "item"))
    #expect(item.source == .catalogItem(name: "Ubuntu", version: nil))
    #expect(item.dependsOn == ["base"])
    #expect(plan.timeout(for: item) == .seconds(5400))
    #expect(plan.retries(for: item) == 1)
  }

  @Test("an unknown key is reported at its line and column with a suggestion")
  func unknownKey() throws {
    let error = try #require(
      PlanFixtures.loadError(
        """
        name: p
        stages:
          a:
            blueprint: bp
            dependOn: [b]
        """))
    let diagnostic = try #require(error.diagnostics.first)
    #expect(diagnostic.code == .unknownKey)
    #expect(diagnostic.line == 5)
    #expect(diagnostic.column == 5)
    #expect(diagnostic.path == "/stages/a/dependOn")
    #expect(diagnostic.hint == "did you mean 'dependsOn'?")
    #expect(diagnostic.file == "plan.yaml")
  }

  @Test("wrong types and bad values are all reported, each at its own position")
  func wrongTypes() throws {
    let error = try #require(
      PlanFixtures.loadError(
        """
        name: p
        defaults:
          parallelism: four
          onFailure: contnue
          timeout: soon
          retries: -1
        stages:
          a:
            blueprint: bp
            inputs: [1, 2]
        """))
    let found = error.diagnostics.map { "\($0.code.rawValue)@\($0.line):\($0.column)\($0.path)" }
    #expect(
      found == [
        "invalidFieldType@3:16/defaults/parallelism", "invalidValue@4:14/defaults/onFailure",
        "invalidValue@5:12/defaults/timeout", "invalidValue@6:12/defaults/retries",
        "invalidFieldType@10:13/stages/a/inputs",
      ])
    #expect(error.diagnostics[1].hint == "did you mean 'continue'?")
  }

  @Test("a stage needs exactly one source")
  func sources() throws {
    let error = try #require(
      PlanFixtures.loadError(
        """
        stages:
          none:
            project: Dev
          both:
            blueprint: bp
            catalogItem: ci
          noName:
            blueprint: {version: 2}
        """))
    #expect(error.diagnostics.map(\.code) == [.missingField, .conflictingFields, .missingField])
    #expect(error.diagnostics.map(\.line) == [2, 6, 8])
    #expect(error.diagnostics[0].hint?.contains("template: FILE") == true)
  }

  @Test("a missing template file is reported where the plan names it")
  func missingTemplate() throws {
    let error = try #require(
      PlanFixtures.loadError(
        """
        stages:
          a:
            template: "templates/nope.yaml"
        """))
    let diagnostic = try #require(error.diagnostics.first)
    #expect(diagnostic.code == .fileUnreadable)
    #expect(diagnostic.line == 3)
    #expect(diagnostic.column == 16)
    #expect(diagnostic.message.contains("templates/nope.yaml"))
    #expect(diagnostic.stage == "a")
  }

  @Test("a template that does not parse is reported with the template's file and line")
  func templateParseError() throws {
    let error = try #require(
      PlanFixtures.loadError(
        """
        stages:
          a:
            template: templates/unparsable.yaml
        """))
    let diagnostic = try #require(error.diagnostics.first)
    #expect(diagnostic.code == .template)
    #expect(diagnostic.templateCode == .yamlSyntax)
    #expect(diagnostic.file.hasSuffix("templates/unparsable.yaml"))
    #expect(diagnostic.line >= 4)
  }

  @Test("YAML syntax errors, duplicate keys and non-mappings are positioned")
  func syntax() throws {
    let broken = try #require(PlanFixtures.loadError("stages:\n  a: [unclosed\n"))
    #expect(broken.code == .syntax)
    #expect(broken.line >= 2)
    let duplicate = try #require(PlanFixtures.loadError("name: a\nname: b\nstages: {}\n"))
    #expect(duplicate.code == .duplicateKey)
    let list = try #require(PlanFixtures.loadError("- a\n- b\n"))
    #expect(list.code == .notAMapping)
    let empty = try #require(PlanFixtures.loadError(""))
    #expect(empty.code == .notAMapping)
  }

  @Test("the size limit and the alias-bomb guard apply to plans")
  func hostileInput() throws {
    let small = ParseLimits(maxBytes: 64, maxDepth: 256, maxNodes: 1000)
    let big = try #require(
      PlanFixtures.loadError("stages:\n  a:\n    blueprint: \(String(repeating: "x", count: 100))\n", limits: small))
    #expect(big.code == .fileTooLarge)
    var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in 1...6 {
      let previous = level == 1 ? "a" : "a\(level - 1)"
      bomb += "a\(level): &a\(level) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
    }
    bomb += "stages: {}\n"
    let error = try #require(PlanFixtures.loadError(bomb))
    #expect(error.code == .aliasExpansionTooLarge)
    #expect(error.line == 6)
  }

  @Test("TOML syntax errors and unknown keys carry TOML positions")
  func tomlErrors() throws {
    let syntax = try #require(PlanFixtures.loadError("name = \"p\"\n[stages.a\n", format: .toml))
    #expect(syntax.code == .syntax)
    #expect(syntax.line == 2)
    let unknown = try #require(
      PlanFixtures.loadError(
        """
        name = "p"

        [stages.a]
        blueprint = "bp"
        inputs = { a = 1 }
        projct = "Dev"
        """, format: .toml))
    let diagnostic = try #require(unknown.diagnostics.first)
    #expect(diagnostic.code == .unknownKey)
    #expect(diagnostic.line == 6)
    #expect(diagnostic.column == 1)
    #expect(diagnostic.hint == "did you mean 'project'?")
  }

  @Test("the plan name defaults to the file name; the default deployment name uses it")
  func defaultNames() throws {
    let plan = try PlanFixtures.load("stages:\n  web:\n    blueprint: bp\n")
    #expect(plan.name == "plan")
    #expect(plan.stages[0].deploymentName == "plan-web-${run.id}")
  }

  @Test("invalid UTF-8 is reported at the bad byte; stage names must be usable in references")
  func encodingAndNames() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plan-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("bad.yaml")
    try Data("stages:\n  a:\n    blueprint: b\u{FF}".utf8.map { $0 == 0xC3 ? 0xFF : $0 }).write(to: file)
    let error = try #require(throws: PlanError.self) { try PlanLoader.load(contentsOf: file) }
    #expect(error.code == .invalidUTF8)
    #expect(error.line == 3)
    #expect(error.message.contains("plan"))
    let names = try #require(PlanFixtures.loadError("stages:\n  \"my stage\":\n    blueprint: bp\n"))
    #expect(names.code == .invalidValue)
    #expect(names.line == 2)
  }

  @Test("a stage whose template is broken does not hide the plan's other problems")
  func brokenTemplateKeepsValidating() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plan-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("plan.yaml")
    let unparsable = PlanFixtures.url("templates/unparsable.yaml").path
    try """
    stages:
      a:
        template: \(unparsable)
      b:
        blueprint: bp
        inputs: {x: "${stages.a.outputs.anything}", y: "${stages.c.outputs.z}"}
    """.write(to: file, atomically: true, encoding: .utf8)
    let error = try #require(throws: PlanError.self) {
      try PlanLoader.loadValidated(contentsOf: file, environment: [:])
    }
    // The unparsable template, and the unknown stage 'c'; 'a' exists, so reading it is not an error.
    #expect(error.diagnostics.map(\.code) == [.unknownStage, .template])
  }
}
