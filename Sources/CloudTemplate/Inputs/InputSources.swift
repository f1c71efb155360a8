import Foundation

/// The three places an operator gives input values, merged into one set before validation.
///
/// Precedence, highest first: `--input name=value` flags, then the `--inputs FILE` mapping, then
/// `VRA_INPUT_<NAME>` environment variables. A value given in a higher source hides the same input
/// in the lower ones (the hidden value is neither coerced nor checked). Among flags, the last one
/// for a name wins.
///
/// Text from flags and the environment is coerced strictly to the declared type (`InputCoercion`);
/// values from the file keep the type they are written with. An environment variable names an input
/// when the part after `VRA_INPUT_` equals the input's name ignoring case, with any character other
/// than a letter or digit read as `_` (`VRA_INPUT_CPUCOUNT` gives `cpuCount`, `VRA_INPUT_VM_NAME`
/// gives `vm-name`); an exact spelling wins over a case-insensitive one. A variable that matches no
/// input is a warning, not an error: CI environments are shared between templates.
public struct InputSources: Sendable, Hashable {
  /// The prefix of environment variables that carry input values.
  public static let environmentPrefix = "VRA_INPUT_"

  /// The raw `--input` arguments, in command-line order (`name=value`).
  public var flags: [String]
  /// The `--inputs FILE` path.
  public var file: String?
  /// The process environment; only `VRA_INPUT_` variables are read.
  public var environment: [String: String]
  /// Limits for reading the inputs file.
  public var limits: ParseLimits

  public init(
    flags: [String] = [], file: String? = nil, environment: [String: String] = [:], limits: ParseLimits = .default
  ) {
    self.flags = flags
    self.file = file
    self.environment = environment
    self.limits = limits
  }

  /// Reads and merges every source for `template`.
  public func gather(for template: Template) -> GatheredInputs {
    var gathered = GatheredInputs()
    var texts: [String: (text: String, origin: InputOrigin)] = [:]

    // Lowest precedence first; each source overwrites what the ones below it gave.
    for (name, entry) in environmentTexts(for: template, problems: &gathered.problems) {
      texts[name] = entry
    }
    if let file {
      do {
        let contents = try InputsFile.read(contentsOf: URL(fileURLWithPath: file), limits: limits)
        for (name, value) in contents.values {
          texts[name] = nil
          gathered.values[name] = value
          gathered.origins[name] = .file(path: file, location: contents.locations[name] ?? .startOfFile)
        }
      } catch {
        gathered.problems += error.diagnostics
      }
    }
    for (index, argument) in flags.enumerated() {
      guard let equals = argument.firstIndex(of: "=") else {
        // The argument is not quoted back: it may be a secret typed without its name.
        gathered.problems.append(
          Self.problem(
            "--input number \(index + 1) has no '='; write --input name=value", file: "--input",
            hint: template.inputs.isEmpty ? nil : "inputs of this template: \(Self.list(template.inputs))"))
        continue
      }
      let name = String(argument[..<equals])
      guard !name.isEmpty else {
        gathered.problems.append(
          Self.problem("--input number \(index + 1) has an empty name; write --input name=value", file: "--input"))
        continue
      }
      gathered.values[name] = nil
      texts[name] = (String(argument[argument.index(after: equals)...]), .flag)
    }

    for name in texts.keys.sorted() {
      let (text, origin) = texts[name]!
      gathered.origins[name] = origin
      guard let input = template.input(named: name) else {
        gathered.values[name] = .string(text)  // InputValidator rejects the name, with a suggestion.
        continue
      }
      switch InputCoercion.coerce(text, for: input) {
      case .success(let value):
        gathered.values[name] = value
      case .failure(var violation):
        violation.source = origin
        gathered.coercionFailures.insert(name)
        gathered.violations.append(violation)
      }
    }
    return gathered
  }

  /// `VRA_INPUT_<NAME>` variables matched to declared inputs.
  private func environmentTexts(
    for template: Template, problems: inout [TemplateDiagnostic]
  ) -> [String: (text: String, origin: InputOrigin)] {
    let variables = environment.keys.filter { $0.hasPrefix(Self.environmentPrefix) }.sorted()
    guard !variables.isEmpty else { return [:] }
    var byNormalized: [String: [String]] = [:]
    for input in template.inputs { byNormalized[Self.normalized(input.name), default: []].append(input.name) }
    var chosen: [String: (variable: String, exact: Bool)] = [:]
    for variable in variables {
      let suffix = String(variable.dropFirst(Self.environmentPrefix.count))
      let target: String
      if template.input(named: suffix) != nil {
        target = suffix
      } else {
        let candidates = byNormalized[Self.normalized(suffix)] ?? []
        guard candidates.count == 1 else {
          if candidates.isEmpty {
            let hint = NameSuggester.suggestion(for: suffix, among: template.inputs.map(\.name))
            problems.append(
              Self.problem(
                "\(variable) matches no input of this template; it is ignored", file: "environment",
                severity: .warning, hint: hint.map { "did you mean \(Self.environmentPrefix)\($0)?" }))
          } else {
            problems.append(
              Self.problem(
                "\(variable) matches several inputs (\(candidates.joined(separator: ", "))); "
                  + "spell the input name exactly after \(Self.environmentPrefix)",
                file: "environment"))
          }
          continue
        }
        target = candidates[0]
      }
      let exact = suffix == target
      if let previous = chosen[target] {
        if previous.exact == exact {
          problems.append(
            Self.problem(
              "\(previous.variable) and \(variable) both give input '\(target)'; keep one", file: "environment"))
          continue
        }
        if previous.exact { continue }
      }
      chosen[target] = (variable, exact)
    }
    return chosen.mapValues { (environment[$0.variable]!, .environment(variable: $0.variable)) }
  }

  /// Upper-cased, with every character other than an ASCII letter or digit replaced by `_`.
  static func normalized(_ name: String) -> String {
    String(
      String.UnicodeScalarView(
        name.uppercased().unicodeScalars.map { scalar in
          ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) ? scalar : "_"
        }))
  }

  private static func list(_ inputs: [TemplateInput]) -> String {
    let names = inputs.prefix(8).map(\.name).joined(separator: ", ")
    return inputs.count > 8 ? names + ", ..." : names
  }

  private static func problem(
    _ message: String, file: String, severity: TemplateDiagnostic.Severity = .error, hint: String? = nil
  ) -> TemplateDiagnostic {
    TemplateDiagnostic(
      severity: severity, code: .invalidInputSource, message: message, file: file, location: .startOfFile, path: "",
      hint: hint)
  }
}

/// Input values merged from every source, with where each came from and what went wrong reading them.
public struct GatheredInputs: Sendable, Hashable {
  /// The values that won, by input name; flag and environment text already coerced.
  public var values: [String: JSONValue] = [:]
  /// Where each value in `values` (and each failed coercion) came from.
  public var origins: [String: InputOrigin] = [:]
  /// Text that is not of its input's declared type (`coercion` violations, with `source` set).
  public var violations: [InputViolation] = []
  /// Problems with the sources themselves: malformed flags, an unreadable or invalid inputs file
  /// (errors), environment variables that match no input (warnings). File diagnostics carry the
  /// file's path and position; the others name `--input` or `environment` as their file.
  public var problems: [TemplateDiagnostic] = []
  /// Names whose text failed coercion: they were given, so they are not also "required".
  public var coercionFailures: Set<String> = []

  public init() {}

  public var hasErrors: Bool { !violations.isEmpty || problems.hasErrors }

  /// Checks the gathered values against `template` (`InputValidator`), adding the coercion failures
  /// and labelling every violation with the source of its value.
  public func validate(against template: Template) -> InputValidationResult {
    var result = InputValidator.validate(values, against: template)
    // An input whose text failed coercion was given: its `coercion` violation says what is wrong.
    let given = Set(coercionFailures.map { JSONPointer.appending($0, to: "") })
    result.violations.removeAll { $0.rule == "required" && given.contains($0.path) }
    for index in result.violations.indices {
      result.violations[index].source = origins[Self.topLevelName(result.violations[index].path)]
    }
    result.violations = violations + result.violations
    return result
  }

  /// The input name a violation's JSON pointer starts with (`/disks/0/size` → `disks`).
  static func topLevelName(_ pointer: String) -> String {
    let token = pointer.dropFirst().split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    return token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
  }
}
