import Testing

@testable import CloudTemplate

@Suite("TemplateValidator: references, dependsOn, cycles, defaults and server-resolved inputs")
struct ValidatorTests {
  static func findings(_ yaml: String) throws -> [TemplateDiagnostic] {
    TemplateValidator.validate(try Fixture.parse(yaml, fileName: "v.yaml"))
  }

  @Test("unknown input and resource references are errors with a did-you-mean hint")
  func unknownReferences() throws {
    let text = """
      inputs:
        hostname: {type: string}
      resources:
        network:
          type: Cloud.Network
        vm:
          type: Cloud.Machine
          properties:
            name: '${input.hostnme}'
            net: '${resource.netwrk.id}'
            other: '${resource["zzz"].id}'
      outputs:
        ip:
          value: '${resource.vmm.address}'
      """
    let errors = try Self.findings(text).errors
    #expect(
      errors.map { "\($0.code.rawValue) \($0.line):\($0.column) \($0.path) \($0.hint ?? "-")" } == [
        "unknownInput 9:16 /resources/vm/properties/name did you mean 'hostname'?",
        "unknownResource 10:15 /resources/vm/properties/net did you mean 'network'?",
        "unknownResource 11:17 /resources/vm/properties/other -",
        "unknownResource 14:15 /outputs/ip/value did you mean 'vm'?",
      ])
    #expect(errors.allSatisfy { $0.file == "v.yaml" })
    #expect(errors[0].description.contains("v.yaml:9:16: error:"))
  }

  @Test("an unknown expression root is a warning; secret, env and propgroup are never resolved locally")
  func roots() throws {
    let findings = try Self.findings(
      """
      resources:
        vm:
          type: T
          properties:
            a: '${secret.anything}'
            b: '${env.projectName}'
            c: '${propgroup.pg.x}'
            d: '${self.address}'
            e: '${bogus.thing}'
      """)
    #expect(findings.errors.isEmpty)
    #expect(findings.warnings.map(\.code) == [.unknownExpressionRoot])
    #expect(findings.warnings.first?.line == 9)
  }

  @Test("dependsOn naming no resource is an error with a suggestion at the entry's position")
  func unknownDependsOn() throws {
    let errors = try Self.findings(
      """
      resources:
        database:
          type: T
        app:
          type: T
          dependsOn:
            - databse
            - nothing_like_it
      """
    ).errors
    #expect(errors.map(\.code) == [.unknownResource, .unknownResource])
    #expect(errors.map(\.line) == [7, 8])
    #expect(errors.map(\.column) == [9, 9])
    #expect(errors.map(\.path) == ["/resources/app/dependsOn/0", "/resources/app/dependsOn/1"])
    #expect(errors.map(\.hint) == ["did you mean 'database'?", nil])
  }

  @Test("a dependency cycle is an error that prints the cycle path")
  func cycle() throws {
    let errors = try Self.findings(
      """
      resources:
        a:
          type: T
          properties:
            x: '${resource.c.id}'
        b:
          type: T
          dependsOn: [a]
        c:
          type: T
          dependsOn: [b]
        d:
          type: T
          dependsOn: [c]
      """
    ).errors
    #expect(errors.count == 1)
    let cycle = try #require(errors.first)
    #expect(cycle.code == .dependencyCycle)
    #expect(cycle.message.contains("a -> c -> b -> a"))
    #expect(cycle.line == 2)
    #expect(cycle.path == "/resources/a")
    #expect(cycle.hint != nil)
  }

  @Test("a resource depending on itself is a one-element cycle")
  func selfDependsOn() throws {
    let errors = try Self.findings("resources:\n  a:\n    type: T\n    dependsOn: a\n").errors
    #expect(errors.map(\.code) == [.dependencyCycle])
    #expect(errors.first?.message.contains("a -> a") == true)
  }

  @Test("a default that breaks its own schema is an error at the default's position")
  func invalidDefaults() throws {
    let text = """
      inputs:
        count:
          type: integer
          minimum: 1
          maximum: 5
          default: 9
        size:
          type: string
          enum: [small, large]
          default: medium
        name:
          type: string
          pattern: '^[a-z]+$'
          default: Not-OK
        ratio:
          type: integer
          default: 1.5
        fine:
          type: string
          default: ok
      resources:
        vm:
          type: T
      """
    let errors = try Self.findings(text).errors
    #expect(errors.map(\.code) == [.invalidDefault, .invalidDefault, .invalidDefault, .invalidDefault])
    #expect(
      errors.map(\.path) == [
        "/inputs/count/default", "/inputs/size/default", "/inputs/name/default", "/inputs/ratio/default",
      ])
    #expect(errors.map(\.line) == [6, 10, 14, 17])
    #expect(errors[0].message.contains("maximum"))
  }

  @Test("$dynamicEnum, $data, $ref and dynamic defaults are warnings, never errors")
  func serverResolved() throws {
    let findings = try Self.findings(
      """
      inputs:
        image:
          type: string
          $dynamicEnum: /data/vro-actions/com.acme/getImages?project={{project}}
        naming:
          type: object
          $data: /data/vro-actions/com.acme/naming
        group:
          $ref: /ref/property-groups/defaults
        password:
          type: string
          encrypted: true
          default: '${secret.password}'
        unaffected:
          type: string
          default: plain
      resources:
        vm:
          type: T
      """)
    #expect(findings.errors.isEmpty, "\(findings.errors)")
    #expect(findings.warnings.map(\.code) == Array(repeating: .resolvedAtRequestTime, count: 4))
    #expect(findings.warnings.map(\.path) == ["/inputs/image", "/inputs/naming", "/inputs/group", "/inputs/password"])
    #expect(findings.warnings.allSatisfy { $0.message.contains("resolved by vRA at request time") })
  }

  @Test("findings come back in file order, parser warnings included")
  func order() throws {
    let findings = try Self.findings(
      """
      extra: 1
      resources:
        b:
          type: T
          properties:
            x: '${resource.zz.id}'
        a:
          type: T
          dependsOn: [qq]
      """)
    #expect(findings.map(\.line) == [1, 6, 9])
    #expect(findings.map(\.code) == [.unknownKey, .unknownResource, .unknownResource])
  }

  @Test("name suggestions stay close to the typo")
  func suggestions() {
    #expect(NameSuggester.suggestion(for: "imgae", among: ["image", "size"]) == "image")
    #expect(NameSuggester.suggestion(for: "SIZE", among: ["image", "size"]) == "size")
    #expect(NameSuggester.suggestion(for: "completely", among: ["image", "size"]) == nil)
    #expect(NameSuggester.suggestion(for: "x", among: []) == nil)
  }
}
