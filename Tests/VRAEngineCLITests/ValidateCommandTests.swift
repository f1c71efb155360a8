import Foundation
import TestSupport
import Testing

@testable import VRAEngineCLI

/// `vra-engine validate`: exit codes, the text and JSON reports, every input source.
@Suite("vra-engine validate")
struct ValidateCommandTests {
  static let inputsTemplate = """
    formatVersion: 1
    inputs:
      count:
        type: integer
        minimum: 1
        maximum: 5
      size:
        type: string
        enum: [small, large]
        default: small
      password:
        type: string
        encrypted: true
        minLength: 40
        pattern: ^[a-z]+$
    resources:
      vm:
        type: Cloud.vSphere.Machine
        properties:
          count: ${input.count}
          flavor: ${input.size}
          password: ${input.password}
    """

  /// A password that must never appear in any output; it breaks both of its input's rules.
  static let canary = "CANARY-Zq81-do-not-print"

  static let brokenTemplate = """
    formatVersion: 1
    inputs:
      size:
        type: string
        default: small
    resources:
      web:
        type: Cloud.vSphere.Machine
        dependsOn:
          - databse
        properties:
          flavor: ${input.sise}
          network: ${resource.netwrk.id}
      network:
        type: Cloud.vSphere.Network
      database:
        type: Cloud.vSphere.Machine
    """

  @Test func aValidCorpusTemplateExitsZero() async throws {
    let path = TemplateCorpus.directory.appendingPathComponent("vsphere-web-application.yaml").path
    let outcome = try await CLIHarness.run(["validate", path])
    #expect(outcome.status == 0, "\(outcome.everything)")
    #expect(outcome.stdout.contains("valid (7 resources"))
    #expect(!outcome.stdout.contains("error:"))
  }

  @Test func aCorpusTemplateWithItsRequiredInputsExitsZero() async throws {
    let path = TemplateCorpus.directory.appendingPathComponent("apps-web-application-v1.yaml").path
    #expect(try await CLIHarness.run(["validate", path]).status == 2, "password has no default")
    let outcome = try await CLIHarness.run(["validate", path, "--input", "password=\(Self.canary)"])
    #expect(outcome.status == 0, "\(outcome.everything)")
    #expect(!outcome.everything.contains(Self.canary))
  }

  @Test func aBrokenTemplateListsEveryErrorWithItsPosition() async throws {
    let file = try Scratch.file("broken.yaml", Self.brokenTemplate)
    let outcome = try await CLIHarness.run(["validate", file])
    #expect(outcome.status == 2)
    let lines = outcome.stdout.split(separator: "\n").map(String.init).filter { $0.contains(": error: ") }
    #expect(lines.count == 3, "\(outcome.stdout)")
    for (needle, pointer, hint) in [
      ("databse", "[/resources/web/dependsOn/0]", "did you mean 'database'?"),
      ("input.sise", "[/resources/web/properties/flavor]", "did you mean 'size'?"),
      ("resource.netwrk", "[/resources/web/properties/network]", "did you mean 'network'?"),
    ] {
      let position = try #require(TemplateCorpus.position(of: needle, in: Self.brokenTemplate))
      let line = try #require(
        lines.first { $0.hasPrefix("\(file):\(position.line):\(position.column): error: ") },
        "no error at \(position.line):\(position.column) for \(needle): \(lines)")
      #expect(line.hasSuffix(pointer))
      #expect(line.contains(hint))
    }
    #expect(outcome.stdout.hasSuffix("invalid (3 errors, 0 warnings)\n"))
  }

  @Test func theJSONReportHasTheDocumentedShape() async throws {
    let path = try Scratch.file("broken.yaml", Self.brokenTemplate)
    let outcome = try await CLIHarness.run(["validate", path, "--output", "json", "--input", "size=9"])
    #expect(outcome.status == 2)
    let report = try outcome.json()
    #expect(report["valid"] as? Bool == false)
    let errors = try #require(report["errors"] as? [[String: Any]])
    let warnings = try #require(report["warnings"] as? [[String: Any]])
    #expect(errors.count == 3, "size=9 is a valid string; only the template errors remain: \(errors)")
    #expect(warnings.isEmpty)
    for error in errors {
      #expect(error["path"] is String)
      #expect(error["message"] is String)
      #expect(error["line"] is Int)
      #expect(error["column"] is Int)
      #expect(error["file"] as? String == path)
    }
    let codes = Set(errors.compactMap { $0["code"] as? String })
    #expect(codes == ["unknownResource", "unknownInput"])
    let position = try #require(TemplateCorpus.position(of: "input.sise", in: Self.brokenTemplate))
    let unknownInput = try #require(errors.first { $0["code"] as? String == "unknownInput" })
    #expect(unknownInput["line"] as? Int == position.line)
    #expect(unknownInput["column"] as? Int == position.column)

    let valid = try await CLIHarness.run([
      "validate", TemplateCorpus.directory.appendingPathComponent("vcenter.yaml").path, "--output", "json",
    ])
    #expect(valid.status == 0, "\(valid.everything)")
    let validReport = try valid.json()
    #expect(validReport["valid"] as? Bool == true)
    #expect((validReport["errors"] as? [Any])?.isEmpty == true)
    #expect(validReport["warnings"] is [Any])
  }

  @Test func violationsFromEachSourceNameTheirSource() async throws {
    let path = try Scratch.file("inputs.yaml", Self.inputsTemplate)
    let good = "password=\(String(repeating: "a", count: 40))"

    let fromFlag = try await CLIHarness.run(["validate", path, "--input", "count=9", "--input", good])
    #expect(fromFlag.status == 2)
    let maximum = try #require(TemplateCorpus.position(of: "maximum", in: Self.inputsTemplate))
    #expect(
      fromFlag.stdout.contains(
        "\(path):\(maximum.line):\(maximum.column): error: input 'count': 9 is greater than the maximum 5 (from --input) [/count]"
      ), "\(fromFlag.stdout)")

    let fromFlagText = try await CLIHarness.run(["validate", path, "--input", "count=2.5", "--input", good])
    #expect(fromFlagText.status == 2)
    #expect(fromFlagText.stdout.contains("\"2.5\" is not an integer (from --input)"), "\(fromFlagText.stdout)")
    #expect(!fromFlagText.stdout.contains("must be given"), "a value that failed coercion was still given")

    let file = try Scratch.file("values.yaml", "count: \"3\"\nsize: medium\n")
    let fromFile = try await CLIHarness.run(["validate", path, "--inputs", file, "--input", good])
    #expect(fromFile.status == 2)
    #expect(
      fromFile.stdout.contains("\(file):1:1: error: input 'count': \"3\" is a string, expected an integer"),
      "values in the file keep their YAML type: \(fromFile.stdout)")
    #expect(fromFile.stdout.contains("\(file):2:1: error: input 'size': \"medium\" is not one of the allowed values"))

    let fromEnvironment = try await CLIHarness.run(
      ["validate", path, "--input", good], environment: ["VRA_INPUT_COUNT": "0", "VRA_INPUT_SIZEE": "small"])
    #expect(fromEnvironment.status == 2)
    #expect(
      fromEnvironment.stdout.contains(
        "input 'count': 0 is less than the minimum 1 (from environment variable VRA_INPUT_COUNT)"),
      "\(fromEnvironment.stdout)")
    #expect(
      fromEnvironment.stdout.contains(
        "environment: warning: VRA_INPUT_SIZEE matches no input of this template; it is ignored (did you mean VRA_INPUT_size?)"
      ))

    let allGood = try await CLIHarness.run(["validate", path, "--input", good], environment: ["VRA_INPUT_count": "4"])
    #expect(allGood.status == 0, "\(allGood.everything)")
  }

  @Test func flagsOverrideTheFileWhichOverridesTheEnvironment() async throws {
    let path = try Scratch.file("inputs.yaml", Self.inputsTemplate)
    let password = "password=\(String(repeating: "a", count: 40))"
    let badFile = try Scratch.file("values.json", #"{"count": 99, "size": "large"}"#)
    let goodFile = try Scratch.file("values.json", #"{"count": 2}"#)
    let badEnvironment = ["VRA_INPUT_COUNT": "not-a-number"]

    // The flag hides the file's bad count; the file hides the environment's bad count.
    #expect(
      try await CLIHarness.run(
        ["validate", path, "--inputs", badFile, "--input", "count=1", "--input", password],
        environment: badEnvironment
      ).status == 0)
    #expect(
      try await CLIHarness.run(
        ["validate", path, "--inputs", goodFile, "--input", password], environment: badEnvironment
      )
      .status == 0)
    // Without the higher source, the lower one's bad value is what is checked.
    #expect(try await CLIHarness.run(["validate", path, "--inputs", badFile, "--input", password]).status == 2)
    #expect(try await CLIHarness.run(["validate", path, "--input", password], environment: badEnvironment).status == 2)
    // Among flags, the last one wins.
    #expect(
      try await CLIHarness.run(["validate", path, "--input", "count=9", "--input", "count=3", "--input", password])
        .status == 0
    )
    #expect(
      try await CLIHarness.run(["validate", path, "--input", "count=3", "--input", "count=9", "--input", password])
        .status == 2
    )
  }

  @Test func theEncryptedCanaryIsNeverPrinted() async throws {
    let path = try Scratch.file("inputs.yaml", Self.inputsTemplate)
    let file = try Scratch.file("values.yaml", "count: 2\npassword: \(Self.canary)\n")
    let wrongType = try Scratch.file("values.yaml", "count: 2\npassword: [\"\(Self.canary)\"]\n")
    let runs: [([String], [String: String])] = [
      (["--input", "count=2", "--input", "password=\(Self.canary)"], [:]),
      (["--inputs", file], [:]),
      (["--inputs", wrongType], [:]),
      (["--input", "count=2"], ["VRA_INPUT_PASSWORD": Self.canary]),
      (["--input", "count=2", "--input", Self.canary], [:]),  // A secret typed without its name.
    ]
    for (arguments, environment) in runs {
      for output in ["text", "json"] {
        let outcome = try await CLIHarness.run(
          ["validate", path, "--output", output] + arguments, environment: environment)
        #expect(outcome.status == 2, "\(arguments)")
        #expect(!outcome.everything.contains(Self.canary), "\(arguments) \(output): \(outcome.everything)")
        #expect(!outcome.everything.contains("Zq81"))
      }
    }
    let text = try await CLIHarness.run(["validate", path, "--inputs", file])
    #expect(text.stdout.contains("input 'password': ******** is shorter than 40 characters"), "\(text.stdout)")
    #expect(text.stdout.contains("input 'password': ******** does not match the pattern ^[a-z]+$"))
  }

  static let secretsTemplate = """
    formatVersion: 1
    inputs:
      user:
        type: string
        default: admin
    resources:
      vm:
        type: Cloud.vSphere.Machine
        properties:
          password: ${secret.vmPassword}
          remoteAccess:
            key: '${input.user}:${secret["sshKey"]}'
    outputs:
      token:
        value: ${secret.apiToken}
    """

  @Test func secretReferencesAreListedNeverResolved() async throws {
    let path = try Scratch.file("secrets.yaml", Self.secretsTemplate)
    let secretValue = "SECRET-VALUE-never-looked-up"
    let environment = ["VRA_SECRET_VMPASSWORD": secretValue, "vmPassword": secretValue]
    let text = try await CLIHarness.run(["validate", path], environment: environment)
    #expect(text.status == 0, "a secret reference is not an error: \(text.everything)")
    let infos = text.stdout.split(separator: "\n").map(String.init).filter { $0.contains(": info: ") }
    var expected: [String] = []
    for (needle, name, pointer) in [
      ("secret.vmPassword", "vmPassword", "/resources/vm/properties/password"),
      ("secret[\"sshKey\"]", "sshKey", "/resources/vm/properties/remoteAccess/key"),
      ("secret.apiToken", "apiToken", "/outputs/token/value"),
    ] {
      let position = try #require(TemplateCorpus.position(of: needle, in: Self.secretsTemplate))
      expected.append(
        "\(path):\(position.line):\(position.column): info: secret '\(name)' is resolved by vRA at request time [\(pointer)]"
      )
    }
    #expect(infos == expected, "\(text.stdout)")
    #expect(text.stdout.hasSuffix("0 errors, 0 warnings)\n"), "secrets are neither errors nor warnings")
    #expect(!text.everything.contains(secretValue))

    let json = try await CLIHarness.run(["validate", path, "--output", "json"], environment: environment)
    #expect(json.status == 0)
    let report = try json.json()
    let secrets = try #require(report["secrets"] as? [[String: Any]])
    #expect(secrets.compactMap { $0["name"] as? String } == ["vmPassword", "sshKey", "apiToken"])
    #expect(secrets.allSatisfy { $0["file"] as? String == path && $0["line"] is Int && $0["column"] is Int })
    #expect(secrets.first?["path"] as? String == "/resources/vm/properties/password")
    #expect((report["warnings"] as? [Any])?.isEmpty == true)
    #expect(!json.everything.contains(secretValue))

    let none = try await CLIHarness.run([
      "validate", try Scratch.file("plain.yaml", Self.brokenTemplate), "--output", "json",
    ])
    #expect((try none.json()["secrets"] as? [Any])?.isEmpty == true)
  }

  @Test func unreadableFilesAndBadFlagsExitTwo() async throws {
    let path = try Scratch.file("inputs.yaml", Self.inputsTemplate)
    let missing = try await CLIHarness.run(["validate", "/nonexistent/template.yaml"])
    #expect(missing.status == 2)
    #expect(missing.stdout.hasPrefix("error: /nonexistent/template.yaml: no such file\n"), "\(missing.stdout)")
    #expect(!missing.everything.contains(":1:1") && !missing.everything.contains("could not be completed"))
    let missingInputs = try await CLIHarness.run(["validate", path, "--inputs", "/nonexistent/inputs.yaml"])
    #expect(missingInputs.status == 2)
    #expect(missingInputs.stdout.contains("error: /nonexistent/inputs.yaml: no such file\n"), "\(missingInputs.stdout)")
    let notAMapping = try Scratch.file("list.yaml", "- a\n- b\n")
    let listInputs = try await CLIHarness.run(["validate", path, "--inputs", notAMapping])
    #expect(listInputs.status == 2)
    #expect(listInputs.stdout.contains("must be a mapping of input names to values"))
    #expect(try await CLIHarness.run(["validate", path, "--output", "xml"]).status == 2)
    #expect(try await CLIHarness.run(["validate", path, "--max-size", "0"]).status == 2)
    let tooSmall = try await CLIHarness.run(["validate", path, "--max-size", "10"])
    #expect(tooSmall.status == 2)
    #expect(tooSmall.stdout.contains("larger than the 10-byte limit"))
    let malformed = try await CLIHarness.run(["validate", path, "--input", "=3"])
    #expect(malformed.status == 2)
    #expect(malformed.stdout.contains("--input: error: --input number 1 has an empty name"))
  }

  @Test func helpStatesThePrecedence() async throws {
    let help = try await CLIHarness.run(["validate", "--help"])
    #expect(help.status == 0)
    #expect(help.stdout.contains("Highest precedence first"))
    let order = ["--input name=value", "--inputs FILE", "VRA_INPUT_<NAME>"].map {
      help.stdout.range(of: $0)?.lowerBound
    }
    #expect(order.allSatisfy { $0 != nil })
    #expect(order[0]! < order[1]! && order[1]! < order[2]!)
  }
}
