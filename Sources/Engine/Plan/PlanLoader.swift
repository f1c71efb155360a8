import CloudTemplate
import Foundation

/// Reads a plan file (YAML or TOML) and the templates its stages name into a `Plan`.
///
/// Every structural problem of the plan and every parse error of its templates is reported in one
/// `PlanError`. `loadValidated` goes further and runs `PlanValidator` too, so references, cycles and
/// inputs are reported in the same pass: what `apply` does before it submits anything.
public enum PlanLoader {
  /// Reads and decodes a plan file and parses the templates of its template stages.
  public static func load(contentsOf url: URL, limits: ParseLimits = .default) throws(PlanError) -> Plan {
    let draft = try draft(contentsOf: url, limits: limits)
    if draft.diagnostics.hasErrors { throw PlanError(diagnostics: draft.diagnostics) }
    return draft.plan
  }

  /// Decodes plan text; template paths are resolved against `baseDirectory`.
  public static func load(
    _ text: String, fileName: String, format: PlanFormat, baseDirectory: URL, limits: ParseLimits = .default
  ) throws(PlanError) -> Plan {
    let draft = try draft(text, fileName: fileName, format: format, baseDirectory: baseDirectory, limits: limits)
    if draft.diagnostics.hasErrors { throw PlanError(diagnostics: draft.diagnostics) }
    return draft.plan
  }

  /// Loads the plan and validates it against `environment`, throwing every problem found at once.
  /// Warnings of a valid plan are returned with it.
  ///
  /// - Parameter root: when set, template paths must stay inside this directory (a bundle submitted
  ///   to a service); one that leaves it is an error and is never read.
  public static func loadValidated(
    contentsOf url: URL, environment: [String: String], limits: ParseLimits = .default, confinedTo root: URL? = nil
  ) throws(PlanError) -> (plan: Plan, warnings: [PlanDiagnostic]) {
    let draft = try draft(contentsOf: url, limits: limits, confinedTo: root)
    let diagnostics = PlanValidator.ordered(
      draft.diagnostics
        + PlanValidator.validate(draft.plan, environment: environment, uncheckedStages: draft.unusableStages),
      planFile: draft.plan.file)
    if diagnostics.hasErrors { throw PlanError(diagnostics: diagnostics) }
    return (draft.plan, diagnostics)
  }

  // MARK: Drafts

  /// A plan decoded as far as it goes: stages whose template or source is unusable are kept (with an empty
  /// placeholder) so the validator can still check everything else.
  struct Draft {
    var plan: Plan
    var diagnostics: [PlanDiagnostic]
    var unusableStages: Set<String>
  }

  static func draft(contentsOf url: URL, limits: ParseLimits, confinedTo root: URL? = nil) throws(PlanError) -> Draft {
    let fileName = url.isFileURL ? url.path : url.absoluteString
    let text: String
    do {
      text = try YAMLDocument.readText(contentsOf: url, kind: "plan", limits: limits)
    } catch {
      throw PlanError(diagnostics: error.diagnostics.map(planDiagnostic(fromFileLevel:)))
    }
    return try draft(
      text, fileName: fileName, format: PlanFormat(fileExtension: url.pathExtension),
      baseDirectory: url.deletingLastPathComponent(), limits: limits, confinedTo: root)
  }

  static func draft(
    _ text: String, fileName: String, format: PlanFormat, baseDirectory: URL, limits: ParseLimits,
    confinedTo bundleRoot: URL? = nil
  ) throws(PlanError) -> Draft {
    let output = try decoded(text, fileName: fileName, format: format, limits: limits)
    var plan = output.plan
    var diagnostics = output.diagnostics
    var unusable = output.unusableStages
    var cache: [URL: Result<Template, TemplateError>] = [:]
    for index in plan.stages.indices {
      let stage = plan.stages[index]
      guard let written = output.templatePaths[stage.name] else { continue }
      let url = URL(fileURLWithPath: written.path, relativeTo: baseDirectory).standardizedFileURL
      plan.stages[index].source = .template(path: url, template: Template(fileName: url.path))
      if let bundleRoot, !url.path.hasPrefix(bundleRoot.standardizedFileURL.path + "/") {
        unusable.insert(stage.name)
        diagnostics.append(
          PlanDiagnostic(
            code: .outsideBundle,
            message: "stage '\(stage.name)': template '\(written.path)' is outside the submitted bundle",
            file: fileName, location: written.location, path: "/stages/\(JSONPointer.escape(stage.name))/template",
            hint: "name a file of the bundle, relative to the plan", stage: stage.name))
        continue
      }
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
        unusable.insert(stage.name)
        diagnostics.append(
          PlanDiagnostic(
            code: .fileUnreadable,
            message:
              "stage '\(stage.name)': template '\(written.path)' \(isDirectory.boolValue ? "is a directory" : "not found") (\(url.path))",
            file: fileName, location: written.location, path: "/stages/\(JSONPointer.escape(stage.name))/template",
            hint: "template paths are relative to the plan file's directory", stage: stage.name))
        continue
      }
      let result =
        cache[url]
        ?? Result { () throws(TemplateError) -> Template in try TemplateParser.parse(contentsOf: url, limits: limits) }
      cache[url] = result
      switch result {
      case .success(let template):
        plan.stages[index].source = .template(path: url, template: template)
      case .failure(let error):
        unusable.insert(stage.name)
        diagnostics += error.diagnostics.map { PlanDiagnostic(template: $0, stage: stage.name) }
      }
    }
    return Draft(plan: plan, diagnostics: diagnostics, unusableStages: unusable)
  }

  /// The plan's text read and decoded, its templates not read yet. Throws when the text does not
  /// parse at all; every other problem is among the output's diagnostics.
  static func decoded(
    _ text: String, fileName: String, format: PlanFormat, limits: ParseLimits
  ) throws(PlanError) -> PlanDecoder.Output {
    let root: PlanNode? =
      switch format {
      case .yaml: try YAMLPlanReader.read(text, file: fileName, limits: limits)
      case .toml: try TOMLPlanReader.read(text, file: fileName, limits: limits)
      }
    let stem = URL(fileURLWithPath: fileName).deletingPathExtension().lastPathComponent
    var decoder = PlanDecoder(file: fileName, defaultName: stem.isEmpty ? "plan" : stem)
    return decoder.decode(root)
  }

  // MARK: The files a plan names

  /// A template file a stage names, as written in the plan and resolved against its directory.
  package struct TemplateReference: Sendable, Hashable {
    package var stage: String
    /// As the plan writes it (`templates/net.yaml`).
    package var written: String
    /// Where the path is written in the plan.
    package var location: SourceLocation
    /// `written` resolved against the plan's directory, `.` and `..` removed.
    package var url: URL
  }

  /// The template files the stages of the plan `text` name, in stage order: what a bundle of the
  /// plan carries to a server (`apply --server`). Nothing is validated and no template is read;
  /// throws only when the plan text does not parse at all.
  package static func templateReferences(
    _ text: String, fileName: String, format: PlanFormat, baseDirectory: URL, limits: ParseLimits = .default
  ) throws(PlanError) -> [TemplateReference] {
    let output = try decoded(text, fileName: fileName, format: format, limits: limits)
    return output.plan.stages.compactMap { stage in
      guard let written = output.templatePaths[stage.name] else { return nil }
      return TemplateReference(
        stage: stage.name, written: written.path, location: written.location,
        url: URL(fileURLWithPath: written.path, relativeTo: baseDirectory).standardizedFileURL)
    }
  }

  /// A file-level template diagnostic (size, encoding, YAML syntax) as a plan diagnostic.
  package static func planDiagnostic(fromFileLevel diagnostic: TemplateDiagnostic) -> PlanDiagnostic {
    let code: PlanDiagnosticCode =
      switch diagnostic.code {
      case .fileUnreadable: .fileUnreadable
      case .fileTooLarge: .fileTooLarge
      case .invalidUTF8: .invalidUTF8
      case .duplicateKey: .duplicateKey
      case .notAMapping: .notAMapping
      case .nestingTooDeep: .nestingTooDeep
      case .aliasExpansionTooLarge: .aliasExpansionTooLarge
      default: .syntax
      }
    return PlanDiagnostic(
      severity: diagnostic.severity, code: code, message: diagnostic.message, file: diagnostic.file,
      location: diagnostic.location, path: diagnostic.path, hint: diagnostic.hint)
  }
}
