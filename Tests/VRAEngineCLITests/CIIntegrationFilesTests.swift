import Foundation
import Testing
import Yams

/// action.yml, the GitLab template and the examples agree with the step script they run: every
/// input an expression names exists, every VRA_STEP_* variable the script reads is set by both, and
/// the examples use only inputs and jobs that exist. Cheap: YAML and text only, nothing runs.
struct CIIntegrationFilesTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static func text(_ path: String) throws -> String {
    try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
  }

  static func yaml(_ path: String) throws -> [String: Any] {
    try #require(try Yams.load(yaml: text(path)) as? [String: Any], "\(path) is not a YAML mapping")
  }

  /// Every match of `pattern`'s first group in `text`.
  static func matches(_ pattern: String, in text: String) throws -> Set<String> {
    let regex = try NSRegularExpression(pattern: pattern)
    let range = NSRange(text.startIndex..., in: text)
    return Set(
      regex.matches(in: text, range: range).compactMap { Range($0.range(at: 1), in: text).map { String(text[$0]) } })
  }

  /// The VRA_STEP_* variables the step script reads.
  static func stepVariables() throws -> Set<String> {
    try matches(#"\$\{?(VRA_STEP_[A-Z_]+)"#, in: text("ci/vra-engine-step.sh"))
  }

  @Test func actionInputsAndOutputsMatchWhatItsStepsUse() throws {
    let action = try Self.yaml("action.yml")
    let inputs = try #require(action["inputs"] as? [String: Any])
    let outputs = try #require(action["outputs"] as? [String: Any])
    let text = try Self.text("action.yml")
    let used = try Self.matches(#"\$\{\{\s*inputs\.([a-z-]+)\s*\}\}"#, in: text)
    #expect(used.subtracting(inputs.keys).isEmpty, "inputs used but not declared: \(used.subtracting(inputs.keys))")
    #expect(
      Set(inputs.keys).subtracting(used).isEmpty, "inputs declared but unused: \(Set(inputs.keys).subtracting(used))")
    for name in [
      "command", "version", "binary-path", "endpoint", "refresh-token", "project", "plan", "template",
      "inputs", "destroy-after", "max-duration", "server", "token", "report-junit",
    ] {
      #expect(inputs[name] != nil, "the action takes \(name)")
    }
    #expect(Set(outputs.keys).isSuperset(of: ["run-id", "status", "outputs"]))

    let runs = try #require(action["runs"] as? [String: Any])
    #expect(runs["using"] as? String == "composite")
    let steps = try #require(runs["steps"] as? [[String: Any]])
    let environment = steps.compactMap { $0["env"] as? [String: Any] }.reduce(into: Set<String>()) {
      $0.formUnion($1.keys)
    }
    let read = try Self.stepVariables()
    #expect(
      read.subtracting(environment).subtracting(["VRA_STEP_DOTENV"]).isEmpty,
      "the script reads \(read.subtracting(environment)) which the action never sets")
    // The step script writes exactly the outputs the action declares.
    let written = try Self.matches(#"echo "([a-z-]+)=\$"#, in: Self.text("ci/vra-engine-step.sh"))
    for output in outputs.keys { #expect(written.contains(output), "the script writes \(output)") }
  }

  @Test func gitlabTemplateSetsEveryVariableTheScriptReads() throws {
    let template = try Self.yaml("ci/gitlab/vra-engine.gitlab-ci.yml")
    let base = try #require(template[".vra-engine"] as? [String: Any])
    let variables = Set((base["variables"] as? [String: Any] ?? [:]).keys)
    let scripts = ((base["before_script"] as? [String]) ?? []).joined(separator: "\n")
    let exported = try Self.matches(#"export (VRA_STEP_[A-Z_]+)="#, in: scripts)
    let read = try Self.stepVariables()
    #expect(
      read.subtracting(variables).subtracting(exported).isEmpty,
      "not set by the template: \(read.subtracting(variables).subtracting(exported))")
    for job in [".vra-engine-validate", ".vra-engine-apply", ".vra-engine-destroy"] {
      let entry = try #require(template[job] as? [String: Any], "\(job) exists")
      #expect(entry["extends"] as? String == ".vra-engine")
    }
    let reports = (base["artifacts"] as? [String: Any])?["reports"] as? [String: Any]
    #expect(reports?["junit"] as? String == (base["variables"] as? [String: Any])?["VRA_STEP_REPORT_JUNIT"] as? String)
  }

  @Test func examplesUseOnlyWhatExists() throws {
    let inputs = Set((try Self.yaml("action.yml")["inputs"] as? [String: Any] ?? [:]).keys)
    for file in ["examples/ci/github/pull-request.yml", "examples/ci/github/main.yml"] {
      let workflow = try Self.yaml(file)
      let jobs = try #require(workflow["jobs"] as? [String: [String: Any]], "\(file)")
      var usesAction = false
      for (_, job) in jobs {
        for step in job["steps"] as? [[String: Any]] ?? []
        where (step["uses"] as? String)?.contains("/vra-engine@") == true {
          usesAction = true
          let with = Set((step["with"] as? [String: Any] ?? [:]).keys)
          #expect(with.subtracting(inputs).isEmpty, "\(file): unknown inputs \(with.subtracting(inputs))")
        }
      }
      #expect(usesAction, "\(file) uses the action")
    }
    let pipeline = try Self.yaml("examples/ci/gitlab/.gitlab-ci.yml")
    let template = try Self.yaml("ci/gitlab/vra-engine.gitlab-ci.yml")
    for (name, job) in pipeline {
      guard let job = job as? [String: Any], let extends = job["extends"] as? String else { continue }
      #expect(template[extends] != nil, "\(name) extends \(extends), which the template defines")
    }
    let variables = try Self.matches(#"(VRA_STEP_[A-Z_]+):"#, in: Self.text("examples/ci/gitlab/.gitlab-ci.yml"))
    let unknown = variables.subtracting(try Self.stepVariables())
    #expect(unknown.isEmpty, "unknown: \(unknown)")
  }
}
