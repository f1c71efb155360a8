import Foundation
import TestSupport
import Testing

@testable import CloudTemplate

/// A standard JSON Schema validator to compare against: Python's `jsonschema` package, run once for a
/// whole batch (one process start instead of one per case keeps the property test fast).
enum JSONSchemaOracle {
  /// Each line of the input is `{"schema": ..., "instance": ...}`; each line of the output is 1 (valid)
  /// or 0. The validator is the one for the draft the schema declares, Draft 7 when it declares none.
  static let script = """
    import json, sys
    from jsonschema.validators import Draft7Validator, validator_for
    with open(sys.argv[1], encoding="utf-8") as cases:
        for line in cases:
            case = json.loads(line)
            cls = validator_for(case["schema"], default=Draft7Validator)
            cls.check_schema(case["schema"])
            print(1 if cls(case["schema"]).is_valid(case["instance"]) else 0)
    """

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// The standard verdict for every (schema, instance) pair, in order.
  static func validate(_ cases: [(schema: JSONValue, instance: JSONValue)]) async throws -> [Bool] {
    let directory = try Scratch.directory()
    let scriptURL = directory.appendingPathComponent("oracle.py")
    let casesURL = directory.appendingPathComponent("cases.jsonl")
    let outputURL = directory.appendingPathComponent("verdicts")
    let errorURL = directory.appendingPathComponent("stderr")
    try Data(script.utf8).write(to: scriptURL)
    let lines = cases.map { JSONText.render(.object(["schema": $0.schema, "instance": $0.instance])) }
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: casesURL)
    FileManager.default.createFile(atPath: outputURL.path, contents: nil)
    FileManager.default.createFile(atPath: errorURL.path, contents: nil)

    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", scriptURL.path, casesURL.path]
    // Files, not pipes: a large output cannot block the child.
    let output = try FileHandle(forWritingTo: outputURL)
    let error = try FileHandle(forWritingTo: errorURL)
    defer {
      try? output.close()
      try? error.close()
    }
    process.standardOutput = output
    process.standardError = error
    process.standardInput = FileHandle.nullDevice
    try await ChildProcess.run(process)
    let verdicts = try String(contentsOf: outputURL, encoding: .utf8).split(separator: "\n")
    guard process.terminationStatus == 0, verdicts.count == cases.count else {
      let message = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
      throw Failure(
        description:
          "python3 jsonschema failed (status \(process.terminationStatus), \(verdicts.count) of \(cases.count) "
          + "answers; install it with `python3 -m pip install jsonschema`): \(message)")
    }
    return verdicts.map { $0 == "1" }
  }
}
