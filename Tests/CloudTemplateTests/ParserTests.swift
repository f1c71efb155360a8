import Foundation
import Testing

@testable import CloudTemplate

@Suite("Parser: the model and the positions of errors")
struct ParserTests {
  static let full = """
    formatVersion: 1
    name: Full Template
    version: '2.1'
    description: every field of the model
    inputs:
      size:
        type: string
        title: Size
        description: Machine size
        enum: [small, medium, large]
        default: small
      count:
        type: integer
        minimum: 1
        maximum: 5
        default: 2
      password:
        type: string
        encrypted: true
        minLength: 8
        maxLength: 64
        pattern: '^[A-Za-z0-9!]+$'
      env:
        type: string
        oneOf:
          - title: Production
            const: prd
          - title: Development
            const: dev
        default: dev
      ratio:
        type: number
        exclusiveMinimum: 0
        exclusiveMaximum: 1
        default: 0.5
      flag:
        type: boolean
        readOnly: true
        default: true
      disks:
        type: array
        minItems: 1
        maxItems: 3
        uniqueItems: true
        items:
          type: object
          properties:
            size:
              type: integer
            mount:
              type: string
          required: [size]
          additionalProperties: false
      when:
        type: string
        format: date-time
        default: '2024-01-01T00:00:00Z'
    resources:
      net:
        type: Cloud.Network
        properties:
          networkType: existing
      vm:
        type: Cloud.vSphere.Machine
        dependsOn:
          - net
        allocatePerInstance: true
        preventDelete: true
        properties:
          count: '${input.count}'
          flavor: '${input.size}'
          networks:
            - network: '${resource.net.id}'
    outputs:
      address:
        description: The address
        value: '${resource.vm.address}'
    x-extra: kept
    """

  @Test("top-level fields")
  func topLevel() throws {
    let template = try Fixture.parse(Self.full, fileName: "full.yaml")
    #expect(template.fileName == "full.yaml")
    #expect(template.formatVersion == .int(1))
    #expect(template.name == "Full Template")
    #expect(template.version == "2.1")
    #expect(template.description == "every field of the model")
    #expect(template.otherKeys == ["x-extra": "kept"])
    #expect(template.warnings.map(\.code) == [.unknownKey])
    #expect(template.warnings.first?.path == "/x-extra")
    #expect(template.warnings.first?.severity == .warning)
  }

  @Test("inputs keep template order and every keyword")
  func inputs() throws {
    let template = try Fixture.parse(Self.full)
    #expect(template.inputs.map(\.name) == ["size", "count", "password", "env", "ratio", "flag", "disks", "when"])
    let size = try #require(template.input(named: "size"))
    #expect(size.type == .string)
    #expect(size.schema.title == "Size")
    #expect(size.schema.description == "Machine size")
    #expect(size.schema.enumValues == ["small", "medium", "large"])
    #expect(size.defaultValue == "small")
    #expect(!size.isRequired)
    let count = try #require(template.input(named: "count"))
    #expect(count.type == .integer)
    #expect(count.schema.minimum == 1)
    #expect(count.schema.maximum == 5)
    #expect(count.defaultValue == .int(2))
    let password = try #require(template.input(named: "password"))
    #expect(password.isEncrypted)
    #expect(password.isRequired)
    #expect(password.schema.minLength == 8)
    #expect(password.schema.maxLength == 64)
    #expect(password.schema.pattern == "^[A-Za-z0-9!]+$")
    let env = try #require(template.input(named: "env"))
    #expect(env.schema.oneOf?.map(\.title) == ["Production", "Development"])
    #expect(env.schema.oneOf?.map(\.value) == ["prd", "dev"])
    let ratio = try #require(template.input(named: "ratio"))
    #expect(ratio.type == .number)
    #expect(ratio.schema.exclusiveMinimum == 0)
    #expect(ratio.schema.exclusiveMaximum == 1)
    #expect(ratio.defaultValue == .double(0.5))
    let flag = try #require(template.input(named: "flag"))
    #expect(flag.type == .boolean)
    #expect(flag.schema.readOnly)
    #expect(flag.defaultValue == true)
    let disks = try #require(template.input(named: "disks"))
    #expect(disks.type == .array)
    #expect(disks.schema.minItems == 1)
    #expect(disks.schema.maxItems == 3)
    #expect(disks.schema.uniqueItems)
    let items = try #require(disks.schema.items)
    #expect(items.type == .object)
    #expect(items.properties.map(\.name) == ["size", "mount"])
    #expect(items.property(named: "size")?.type == .integer)
    #expect(items.required == ["size"])
    #expect(!items.additionalPropertiesAllowed)
    let when = try #require(template.input(named: "when"))
    #expect(when.schema.format == "date-time")
    #expect(when.defaultValue == "2024-01-01T00:00:00Z")
    // The definition is kept as written.
    #expect(size.schema.definition["enum"] == ["small", "medium", "large"])
    #expect(disks.schema.definition["items"]?["required"] == ["size"])
  }

  @Test("resources keep template order, properties, dependsOn, references and other keys")
  func resources() throws {
    let template = try Fixture.parse(Self.full)
    #expect(template.resources.map(\.name) == ["net", "vm"])
    let net = try #require(template.resource(named: "net"))
    #expect(net.type == "Cloud.Network")
    #expect(net.properties == ["networkType": "existing"])
    #expect(net.dependsOn.isEmpty)
    #expect(net.count == nil)
    #expect(net.allocatePerInstance == nil)
    let vm = try #require(template.resource(named: "vm"))
    #expect(vm.type == "Cloud.vSphere.Machine")
    #expect(vm.dependsOn == ["net"])
    #expect(vm.allocatePerInstance == true)
    #expect(vm.otherKeys["preventDelete"] == true)
    #expect(vm.count == "${input.count}")
    #expect(vm.properties["networks"] == [["network": "${resource.net.id}"]])
    #expect(vm.referencedResources == ["net"])
    #expect(vm.references.map(\.text).sorted() == ["input.count", "input.size", "resource.net.id"])
    let output = try #require(template.outputs.first)
    #expect(template.outputs.count == 1)
    #expect(output.name == "address")
    #expect(output.description == "The address")
    #expect(output.value == "${resource.vm.address}")
    #expect(output.references.map(\.segments) == [["vm", "address"]])
  }

  @Test("positions of inputs, resources, dependsOn entries and references are the YAML positions")
  func positions() throws {
    let template = try Fixture.parse(Self.full)
    let text = Self.full
    let count = try #require(template.input(named: "count"))
    #expect(count.location.line == Fixture.position(of: "  count:", in: text)?.line)
    #expect(count.location.column == 3)
    #expect(count.schema.location(of: "maximum").line == Fixture.position(of: "maximum: 5", in: text)?.line)
    let vm = try #require(template.resource(named: "vm"))
    #expect(vm.location.line == Fixture.position(of: "  vm:", in: text)?.line)
    let dependsOn = try #require(Fixture.position(of: "- net", in: text))
    #expect(vm.dependsOnLocations.map(\.line) == [dependsOn.line])
    #expect(vm.dependsOnLocations.map(\.column) == [dependsOn.column + 2])
    let reference = try #require(vm.references.first { $0.text == "resource.net.id" })
    let expected = try #require(Fixture.position(of: "resource.net.id", in: text))
    #expect(reference.location.line == expected.line)
    #expect(reference.location.column == expected.column)
    #expect(reference.path == "/resources/vm/properties/networks/0/network")
  }

  @Test("a reference inside a block scalar is placed on its own line")
  func blockScalarPosition() throws {
    let text = """
      inputs:
        user:
          type: string
      resources:
        vm:
          type: Cloud.Machine
          properties:
            cloudConfig: |
              users:
                - name: ${input.usr}
      """
    let template = try Fixture.parse(text)
    let reference = try #require(template.resources.first?.references.first)
    let expected = try #require(Fixture.position(of: "input.usr", in: text))
    #expect(reference.location.line == expected.line)
    #expect(reference.location.column == expected.column)
    let error = try #require(TemplateValidator.validate(template).errors.first)
    #expect(error.line == expected.line)
    #expect(error.column == expected.column)
    #expect(error.path == "/resources/vm/properties/cloudConfig")
    #expect(error.hint == "did you mean 'user'?")
  }

  @Test("structural errors are all reported, each with file, line, column and path")
  func structuralErrors() throws {
    let text = """
      inputs:
        size:
          type: strng
        count:
          type: integer
          minimum: lots
      resources:
        vm:
          type: [1]
          properties: 5
        bare: just-a-string
      """
    let error = try #require(Fixture.parseError(text, fileName: "bad.yaml"))
    let found = error.diagnostics.map { "\($0.code.rawValue) \($0.line):\($0.column) \($0.path)" }
    #expect(
      found == [
        "invalidInputType 3:5 /inputs/size/type",
        "invalidFieldType 6:5 /inputs/count/minimum",
        "invalidFieldType 9:5 /resources/vm/type",
        "invalidFieldType 10:5 /resources/vm/properties",
        "invalidFieldType 11:3 /resources/bare",
      ])
    #expect(error.diagnostics.allSatisfy { $0.file == "bad.yaml" && $0.severity == .error })
    #expect(error.file == "bad.yaml")
    #expect(error.line == 3)
    #expect(error.column == 5)
    #expect(error.field == "/inputs/size/type")
    #expect(error.code == .invalidInputType)
    #expect(error.diagnostics[0].hint == "did you mean 'string'?")
    #expect(error.description.hasPrefix("bad.yaml:3:5: error: unknown input type 'strng'"))
  }

  @Test("a template without resources or a resource without type is rejected")
  func missingFields() throws {
    let noResources = try #require(Fixture.parseError("inputs: {}\n"))
    #expect(noResources.code == .missingField)
    #expect(noResources.field == "/resources")
    let noType = try #require(Fixture.parseError("resources:\n  vm:\n    properties: {}\n"))
    #expect(noType.code == .missingField)
    #expect(noType.field == "/resources/vm")
    #expect(noType.line == 2)
  }

  @Test("YAML syntax errors carry libyaml's position")
  func syntaxError() throws {
    let error = try #require(Fixture.parseError("resources:\n  vm:\n    type: [a, b\n"))
    #expect(error.code == .yamlSyntax)
    #expect(error.line >= 3)
    #expect(error.message.contains("YAML syntax error"))
  }

  @Test("two documents in one file are rejected")
  func twoDocuments() throws {
    let error = try #require(Fixture.parseError("resources: {}\n---\nresources: {}\n"))
    #expect(error.code == .yamlSyntax)
    #expect(error.message.contains("exactly one YAML document"))
  }

  @Test("YAML 1.1 scalars resolve as vRA's parser resolves them")
  func scalars() throws {
    let template = try Fixture.parse(
      """
      resources:
        r:
          type: T
          properties:
            int: 42
            negative: -7
            hex: 0x1F
            octal: 0o17
            float: 2.5
            yes: yes
            off: Off
            nothing: ~
            quoted: '42'
            tilde: '~'
            version: 1.0.0
            big: 99999999999999999999
            empty:
      """)
    let properties = try #require(template.resources.first?.properties)
    #expect(properties["int"] == .int(42))
    #expect(properties["negative"] == .int(-7))
    #expect(properties["hex"] == .int(31))
    #expect(properties["octal"] == .int(15))
    #expect(properties["float"] == .double(2.5))
    #expect(properties["yes"] == true)
    #expect(properties["off"] == false)
    #expect(properties["nothing"] == .null)
    #expect(properties["quoted"] == "42")
    #expect(properties["tilde"] == "~")
    #expect(properties["version"] == "1.0.0")
    #expect(properties["big"] == .double(1e20))
    #expect(properties["empty"] == .null)
  }

  @Test("merge keys copy the keys a mapping does not set itself")
  func mergeKeys() throws {
    let template = try Fixture.parse(
      """
      resources:
        a:
          type: T
          properties: &base
            size: small
            image: ubuntu
        b:
          type: T
          properties:
            <<: *base
            size: large
      """)
    #expect(template.resource(named: "b")?.properties == ["size": "large", "image": "ubuntu"])
  }

  @Test("parsing from bytes and from a file gives the same template")
  func dataAndFile() throws {
    let data = Data(Self.full.utf8)
    let fromData = try TemplateParser.parse(data, fileName: "full.yaml")
    #expect(fromData == (try Fixture.parse(Self.full, fileName: "full.yaml")))
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ct-\(UUID().uuidString).yaml")
    try data.write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    let fromFile = try TemplateParser.parse(contentsOf: url)
    #expect(fromFile.resources == fromData.resources)
    #expect(fromFile.fileName == url.path)
    let missing = FileManager.default.temporaryDirectory.appendingPathComponent("does-not-exist-\(UUID()).yaml")
    #expect(throws: TemplateError.self) { try TemplateParser.parse(contentsOf: missing) }
  }
}
