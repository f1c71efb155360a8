import Yams

/// Turns Yams/libyaml errors into positioned diagnostics with a message a template author understands.
enum YAMLErrorTranslator {
  static func diagnostic(for error: YamlError, fileName: String) -> TemplateDiagnostic {
    func make(_ code: DiagnosticCode, _ message: String, _ mark: Mark?, path: String = "") -> TemplateDiagnostic {
      make(code, message, mark.map { SourceLocation(line: $0.line, column: $0.column) } ?? .startOfFile, path: path)
    }
    func make(
      _ code: DiagnosticCode, _ message: String, _ location: SourceLocation, path: String = ""
    )
      -> TemplateDiagnostic
    {
      return TemplateDiagnostic(
        severity: .error, code: code, message: message, file: fileName, location: location, path: path)
    }
    switch error {
    case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      if problem.contains("Maximum nesting level") {
        return make(.nestingTooDeep, "nesting deeper than 1000 levels (libyaml's limit)", mark)
      }
      if problem.contains("expected a single document") || problem.contains("another document") {
        return make(.yamlSyntax, "a template file holds exactly one YAML document", mark)
      }
      let prefix = context.map { "\($0.text.trimmingTrailingSpaces) " } ?? ""
      return make(.yamlSyntax, "YAML syntax error: \(prefix)\(problem)", mark)
    case .reader(let problem, let offset, let value, let yaml):
      let location = SourceLocation.startOfFile.advanced(over: yaml.unicodeScalars.prefix(offset ?? 0))
      return make(.invalidUTF8, "unreadable character (code \(value)): \(problem)", location)
    case .duplicatedKeysInMapping(let duplicates, let context):
      let names = duplicates.map { "'\($0)'" }.joined(separator: ", ")
      return make(
        .duplicateKey, "duplicate key \(names) in the same mapping; YAML keeps only one of them", context.mark,
        path: duplicates.first ?? "")
    case .dataCouldNotBeDecoded:
      return make(.invalidUTF8, "the template is not valid UTF-8", .startOfFile)
    default:
      return make(.yamlSyntax, "YAML error: \(error)", .startOfFile)
    }
  }
}

extension String {
  fileprivate var trimmingTrailingSpaces: String {
    var text = self
    while text.last == " " || text.last == "\n" { text.removeLast() }
    return text
  }
}
