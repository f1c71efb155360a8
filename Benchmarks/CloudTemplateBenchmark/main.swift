import CloudTemplate
import Foundation

// Parse + graph + validate every template of the corpus N times, the work `vra-engine validate` does
// per template, and print the time. Files are read once, before timing: the benchmark measures the
// CloudTemplate module, not the disk.
//
// Usage: CloudTemplateBenchmark [iterations] [corpus directory]
// Prints one line: `swift iterations=N templates=T seconds=S per_template_us=U`.

let arguments = CommandLine.arguments
let iterations = arguments.count > 1 ? Int(arguments[1]) ?? 200 : 200
let corpus =
  arguments.count > 2
  ? URL(fileURLWithPath: arguments[2])
  : URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/corpus/cloud-templates")

let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".yaml") }.sorted()
let texts = try files.map { try String(contentsOf: corpus.appendingPathComponent($0), encoding: .utf8) }
guard !texts.isEmpty else {
  FileHandle.standardError.write(Data("no templates in \(corpus.path)\n".utf8))
  exit(2)
}

/// One pass over the corpus; returns a checksum so the optimizer cannot drop the work.
func pass() -> Int {
  var checksum = 0
  for (name, text) in zip(files, texts) {
    guard let template = try? TemplateParser.parse(text, fileName: name) else {
      checksum += 1_000_000
      continue
    }
    if let graph = try? ResourceGraph(template: template) { checksum += graph.edges.count + graph.layers.count }
    checksum += TemplateValidator.validate(template).count
  }
  return checksum
}

let warmup = pass()
let clock = ContinuousClock()
var checksum = 0
let elapsed = clock.measure {
  for _ in 0..<iterations { checksum &+= pass() }
}
let seconds = elapsed.seconds
let perTemplate = seconds / Double(iterations * texts.count) * 1e6
print(
  "swift iterations=\(iterations) templates=\(texts.count) seconds=\(String(format: "%.3f", seconds))"
    + " per_template_us=\(String(format: "%.1f", perTemplate)) checksum=\(checksum / iterations == warmup ? "ok" : "MISMATCH")"
)
