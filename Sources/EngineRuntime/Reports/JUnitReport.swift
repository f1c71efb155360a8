import Foundation

/// A `CIReport` as JUnit XML, the common format Jenkins (junit, xunit), GitLab (`artifacts:reports:junit`)
/// and GitHub test-report actions read: `testsuites` › `testsuite` (the plan) › `testcase` (one per
/// stage, class name `vra-engine.<plan>.stage`) with `failure` (type: the failure class, message:
/// vRA's reason) or `skipped`, and `system-out` (the deployment, the request). Every attribute and
/// text is XML-escaped; characters XML 1.0 cannot carry are dropped. Times are seconds with
/// milliseconds (`12.345`), as the schema's SUREFIRE_TIME pattern wants.
public enum JUnitReport {
  public static func render(_ report: CIReport) -> String {
    let failures = report.cases.filter { if case .failed = $0.outcome { true } else { false } }.count
    let skipped = report.cases.filter { if case .skipped = $0.outcome { true } else { false } }.count
    let total = seconds(report.duration ?? report.cases.compactMap(\.duration).reduce(.zero, +))
    var lines = [#"<?xml version="1.0" encoding="UTF-8"?>"#]
    lines.append(
      "<testsuites name=\"vra-engine\" tests=\"\(report.cases.count)\" failures=\"\(failures)\" errors=\"0\" "
        + "time=\"\(total)\">")
    lines.append(
      "  <testsuite name=\"\(escape(report.planName))\" tests=\"\(report.cases.count)\" failures=\"\(failures)\" "
        + "errors=\"0\" skipped=\"\(skipped)\" time=\"\(total)\" timestamp=\"\(timestamp(report.startedAt))\" "
        + "id=\"\(escape(report.runId))\">")
    lines.append("    <properties>")
    for (name, value) in [("run.id", report.runId), ("run.status", report.status)] {
      lines.append("      <property name=\"\(name)\" value=\"\(escape(value))\"/>")
    }
    for (index, note) in report.notes.enumerated() {
      lines.append("      <property name=\"note.\(index + 1)\" value=\"\(escape(note))\"/>")
    }
    lines.append("    </properties>")
    let classPrefix = "vra-engine." + className(report.planName)
    for testCase in report.cases {
      var open = "    <testcase name=\"\(escape(testCase.name))\" classname=\"\(escape(classPrefix)).\(testCase.kind)\""
      if let duration = testCase.duration { open += " time=\"\(seconds(duration))\"" }
      lines.append(open + ">")
      switch testCase.outcome {
      case .passed: break
      case .failed(let type, let message, let details):
        let body = ([message] + (details.map { [$0] } ?? [])).joined(separator: "\n")
        lines.append(
          "      <failure type=\"\(escape(type))\" message=\"\(escape(message))\">\(escape(body, text: true))</failure>"
        )
      case .skipped(let message):
        lines.append("      <skipped message=\"\(escape(message))\"/>")
      }
      if !testCase.output.isEmpty {
        lines.append("      <system-out>\(escape(testCase.output.joined(separator: "\n"), text: true))</system-out>")
      }
      lines.append("    </testcase>")
    }
    if !report.notes.isEmpty {
      lines.append("    <system-out>\(escape(report.notes.joined(separator: "\n"), text: true))</system-out>")
    }
    lines.append("  </testsuite>")
    lines.append("</testsuites>")
    return lines.joined(separator: "\n") + "\n"
  }

  /// `12.345`: seconds with three decimals (the schema's SUREFIRE_TIME).
  static func seconds(_ duration: Duration) -> String {
    let milliseconds = max(
      0, duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    let fraction = String(milliseconds % 1000)
    return "\(milliseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
  }

  static func timestamp(_ date: Date) -> String {
    var format = Date.ISO8601FormatStyle(includingFractionalSeconds: false)
    format.timeZone = TimeZone(identifier: "UTC")!
    return date.formatted(format)
  }

  /// Letters, digits, `-` and `_` of the plan's name, so the class name stays one dotted path.
  static func className(_ name: String) -> String {
    let kept = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    return kept.isEmpty ? "plan" : kept
  }

  /// XML-escaped: `&`, `<`, `>`, and in attributes `"`, `'` and line breaks (kept as character
  /// references, so a message keeps its lines). Characters XML 1.0 forbids (most control
  /// characters, lone surrogates cannot occur in a Swift string) are dropped.
  static func escape(_ text: String, text isText: Bool = false) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"" where !isText: result += "&quot;"
      case "'" where !isText: result += "&apos;"
      case "\n" where !isText: result += "&#10;"
      case "\r": result += "&#13;"
      case "\t" where !isText: result += "&#9;"
      case "\n", "\t": result.unicodeScalars.append(scalar)
      default:
        let value = scalar.value
        let allowed =
          (value >= 0x20 && value <= 0xD7FF) || (value >= 0xE000 && value <= 0xFFFD)
          || (value >= 0x10000 && value <= 0x10FFFF)
        if allowed { result.unicodeScalars.append(scalar) }
      }
    }
    return result
  }
}
