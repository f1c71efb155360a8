import Foundation
import TestSupport
import Testing

@testable import CloudTemplate

/// Merging `--input` flags, the `--inputs` file and `VRA_INPUT_` variables.
@Suite("Input sources")
struct InputSourcesTests {
  static let template = """
    formatVersion: 1
    inputs:
      cpuCount:
        type: integer
        minimum: 1
        default: 1
      size:
        type: string
        enum: [small, medium, large]
        default: small
      vm-name:
        type: string
        default: web
      tags:
        type: array
        items: {type: string}
        default: []
      credentials:
        type: object
        properties:
          password: {type: string, encrypted: true}
        default: {}
    resources:
      vm:
        type: Cloud.Machine
        properties:
          cpu: ${input.cpuCount}
          flavor: ${input.size}
          name: ${input.vm-name}
          tags: ${input.tags}
          creds: ${input.credentials}
    """

  func gather(
    flags: [String] = [], file: String? = nil, environment: [String: String] = [:]
  ) throws -> GatheredInputs {
    InputSources(flags: flags, file: file, environment: environment).gather(for: try Fixture.parse(Self.template))
  }

  @Test func flagsBeatTheFileWhichBeatsTheEnvironment() throws {
    let file = try Scratch.file("values.yaml", "size: medium\ncpuCount: 2\n")
    let environment = ["VRA_INPUT_SIZE": "small", "VRA_INPUT_CPUCOUNT": "3", "VRA_INPUT_TAGS": #"["a"]"#]
    let all = try gather(flags: ["size=large"], file: file, environment: environment)
    #expect(all.values == ["size": "large", "cpuCount": 2, "tags": ["a"]])
    #expect(all.origins["size"] == .flag)
    #expect(all.origins["cpuCount"] == .file(path: file, location: SourceLocation(line: 2, column: 1)))
    #expect(all.origins["tags"] == .environment(variable: "VRA_INPUT_TAGS"))
    #expect(!all.hasErrors)

    let noFlags = try gather(file: file, environment: environment)
    #expect(noFlags.values["size"] == "medium")
    let environmentOnly = try gather(environment: environment)
    #expect(environmentOnly.values["size"] == "small")
    #expect(environmentOnly.values["cpuCount"] == 3)
  }

  @Test func aHiddenValueIsNeitherCoercedNorChecked() throws {
    let gathered = try gather(flags: ["cpuCount=4"], environment: ["VRA_INPUT_CPUCOUNT": "four"])
    #expect(gathered.values["cpuCount"] == 4)
    #expect(gathered.violations.isEmpty)
  }

  @Test func theLastFlagForANameWins() throws {
    #expect(try gather(flags: ["size=large", "size=medium"]).values["size"] == "medium")
  }

  @Test func flagTextIsCoercedStrictlyAndAFailureIsNotAlsoMissing() throws {
    let template = try Fixture.parse(
      """
      inputs:
        count: {type: integer}
      resources:
        vm: {type: Cloud.Machine, properties: {count: "${input.count}"}}
      """)
    let gathered = InputSources(flags: ["count=5.5"]).gather(for: template)
    #expect(gathered.violations.map(\.rule) == ["coercion"])
    #expect(gathered.violations.first?.source == .flag)
    let result = gathered.validate(against: template)
    #expect(result.violations.map(\.rule) == ["coercion"], "no 'required' for a value that was given")
  }

  @Test func environmentNamesMatchIgnoringCaseAndPunctuation() throws {
    let gathered = try gather(environment: [
      "VRA_INPUT_cpucount": "2", "VRA_INPUT_VM_NAME": "db", "VRA_INPUT_SIZ": "large", "PATH": "/bin",
    ])
    #expect(gathered.values == ["cpuCount": 2, "vm-name": "db"])
    #expect(gathered.problems.count == 1)
    let warning = try #require(gathered.problems.first)
    #expect(warning.severity == .warning)
    #expect(warning.message == "VRA_INPUT_SIZ matches no input of this template; it is ignored")
    #expect(warning.hint == "did you mean VRA_INPUT_size?")
  }

  @Test func anExactEnvironmentSpellingWinsOverACaseInsensitiveOne() throws {
    let gathered = try gather(environment: ["VRA_INPUT_size": "large", "VRA_INPUT_SIZE": "medium"])
    #expect(gathered.values["size"] == "large")
    #expect(gathered.problems.isEmpty)
    let twoLoose = try gather(environment: ["VRA_INPUT_Size": "large", "VRA_INPUT_SIZE": "medium"])
    #expect(twoLoose.problems.map(\.message) == ["VRA_INPUT_SIZE and VRA_INPUT_Size both give input 'size'; keep one"])
    #expect(twoLoose.hasErrors)
  }

  @Test func malformedFlagsAreErrorsThatDoNotQuoteTheArgument() throws {
    let gathered = try gather(flags: ["hunter2", "=x", "size=large"])
    #expect(gathered.problems.count == 2)
    #expect(gathered.problems.allSatisfy { $0.code == .invalidInputSource && $0.isError })
    #expect(!gathered.problems.map(\.description).joined().contains("hunter2"))
    #expect(gathered.values == ["size": "large"])
  }

  @Test func fileValuesKeepTheirTypeInYAMLAndJSON() throws {
    let yaml = try Scratch.file("values.yaml", "cpuCount: \"2\"\ntags: [a, b]\nsize: large\n")
    let fromYAML = try gather(file: yaml)
    #expect(fromYAML.values == ["cpuCount": "2", "tags": ["a", "b"], "size": "large"])
    let template = try Fixture.parse(Self.template)
    let result = fromYAML.validate(against: template)
    #expect(result.violations.map(\.rule) == ["type"])
    #expect(result.violations.first?.source == .file(path: yaml, location: SourceLocation(line: 1, column: 1)))

    // Tab-indented JSON, which libyaml refuses, is read as JSON.
    let json = try Scratch.file("values.json", "{\n\t\"cpuCount\": 2,\n\t\"size\": \"medium\"\n}\n")
    #expect(try gather(file: json).values == ["cpuCount": 2, "size": "medium"])
  }

  @Test func fileProblemsArePositionedAndNeverQuoteTheFile() throws {
    let bad = try Scratch.file("values.yaml", "password: \"s3cr3t-canary\nsize: [\n")
    let gathered = try gather(file: bad)
    let problem = try #require(gathered.problems.first)
    #expect(problem.code == .yamlSyntax)
    #expect(problem.file == bad)
    #expect(!problem.description.contains("s3cr3t-canary"))

    let duplicate = try Scratch.file("values.yaml", "size: large\nsize: small\n")
    #expect(try gather(file: duplicate).problems.map(\.code) == [.duplicateKey])
    let list = try Scratch.file("values.yaml", "- size\n")
    #expect(try gather(file: list).problems.map(\.code) == [.notAMapping])
    let empty = try Scratch.file("values.yaml", "\n")
    #expect(try gather(file: empty).problems.isEmpty)
    #expect(try gather(file: "/nonexistent/values.yaml").problems.map(\.code) == [.fileUnreadable])
    let bomb = try Scratch.file(
      "values.yaml",
      "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        + "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        + "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
        + "g: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n")
    #expect(try gather(file: bomb).problems.map(\.code) == [.aliasExpansionTooLarge])
  }

  @Test func aValueHoldingAnEncryptedPartIsNeverShownWhole() throws {
    let template = try Fixture.parse(Self.template)
    let result = InputSources(flags: [#"credentials=["leak-me"]"#]).gather(for: template).validate(against: template)
    let file = try Scratch.file("values.yaml", "credentials: [leak-me]\n")
    let fromFile = InputSources(file: file).gather(for: template).validate(against: template)
    for violation in result.violations + fromFile.violations {
      #expect(!violation.description.contains("leak-me"))
      #expect(violation.value.map { !$0.contains("leak-me") } ?? true)
    }
    #expect(!(result.violations + fromFile.violations).isEmpty)
  }

  @Test func theReportGathersTemplateErrorsSourceProblemsAndViolationsAtOnce() throws {
    let template = try Fixture.parse(
      """
      inputs:
        size: {type: string, enum: [small, large]}
      resources:
        vm: {type: Cloud.Machine, properties: {flavor: "${input.sise}"}}
      """, fileName: "t.yaml")
    let report = ValidationReport.check(
      template, inputs: InputSources(flags: ["size=huge", "oops"], environment: ["VRA_INPUT_NOPE": "1"]))
    #expect(!report.isValid)
    #expect(report.errors.map(\.code) == ["unknownInput", "invalidInputSource", "inputViolation"])
    #expect(report.warnings.map(\.code) == ["invalidInputSource"])
    let violation = report.errors[2]
    #expect(violation.file == "t.yaml")
    #expect(violation.line == 2)
    #expect(violation.source == "--input")
    #expect(violation.description.hasPrefix("t.yaml:2:"))
    #expect(violation.description.hasSuffix("(from --input) [/size]"))
    let json = report.jsonValue
    #expect(json["valid"] == false)
    #expect(json["errors"]?[1]?["line"] == JSONValue.null)
  }
}
