import CloudTemplate
import Engine
import EngineServer
import Foundation

/// A plan file and every template its stages name, read into the body of `POST /api/v1/runs`: the
/// plan's text under its file name, each template by its path relative to the plan's directory, as
/// in a checkout of that directory. The server resolves the plan's template paths in the bundle,
/// so a template outside the plan's directory (`../shared/app.yaml`) or named by an absolute path
/// cannot be sent: it is refused here, before anything is sent, naming the stage and the file.
///
/// Nothing else is checked here: the server validates the plan (its `${env.X}` are the server's
/// environment, its secrets the server's to read) and answers every problem at once.
struct PlanBundle: Sendable {
  var submission: RunSubmission
  /// The plan file, absolute.
  var planFile: URL
  /// The plan's directory: the bundle's paths are relative to it.
  var directory: URL

  /// Reads the plan at `path` and the templates it names. A plan or template that cannot be read,
  /// a plan that does not parse, or a template outside the plan's directory throws `PlanError`
  /// with every such problem, as `apply` reports an invalid plan.
  static func read(planAt path: String, limits: ParseLimits = .default) throws(PlanError) -> PlanBundle {
    let planFile = URL(fileURLWithPath: path).standardizedFileURL
    let directory = planFile.deletingLastPathComponent()
    let text: String
    do {
      text = try YAMLDocument.readText(contentsOf: planFile, kind: "plan", limits: limits)
    } catch {
      throw PlanError(diagnostics: error.diagnostics.map(PlanLoader.planDiagnostic(fromFileLevel:)))
    }
    let references = try PlanLoader.templateReferences(
      text, fileName: planFile.path, format: PlanFormat(fileExtension: planFile.pathExtension),
      baseDirectory: directory, limits: limits)

    var files: [String: String] = [:]
    var problems: [PlanDiagnostic] = []
    for reference in references {
      switch bundlePath(of: reference, in: directory) {
      case .failure(let refusal):
        problems.append(diagnostic(refusal, reference, planFile: planFile))
      case .success(let relative) where files[relative] == nil:
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: reference.url.path, isDirectory: &isDirectory),
          !isDirectory.boolValue
        else {
          let what = isDirectory.boolValue ? "is a directory" : "not found"
          problems.append(
            diagnostic(
              "template '\(reference.written)' \(what) (\(reference.url.path))", reference, planFile: planFile,
              hint: "template paths are relative to the plan file's directory"))
          continue
        }
        do {
          files[relative] = try YAMLDocument.readText(contentsOf: reference.url, kind: "template", limits: limits)
        } catch {
          problems += error.diagnostics.map { PlanDiagnostic(template: $0, stage: reference.stage) }
        }
      case .success:
        continue  // another stage deploys the same template
      }
    }
    if !problems.isEmpty { throw PlanError(diagnostics: problems) }
    return PlanBundle(
      submission: RunSubmission(
        plan: text, planPath: planFile.lastPathComponent, files: files.isEmpty ? nil : files),
      planFile: planFile, directory: directory)
  }

  /// The path of a template in the bundle (`templates/net.yaml`), or why it cannot be in it.
  static func bundlePath(of reference: PlanLoader.TemplateReference, in directory: URL) -> Result<String, Refusal> {
    if reference.written.hasPrefix("/") || reference.written.hasPrefix("~") { return .failure(.absolute) }
    let base = directory.standardizedFileURL.path
    let prefix = base.hasSuffix("/") ? base : base + "/"
    guard reference.url.path.hasPrefix(prefix), reference.url.path.count > prefix.count else {
      return .failure(.outside)
    }
    return .success(String(reference.url.path.dropFirst(prefix.count)))
  }

  enum Refusal: Error {
    case absolute, outside
  }

  private static func diagnostic(
    _ refusal: Refusal, _ reference: PlanLoader.TemplateReference, planFile: URL
  )
    -> PlanDiagnostic
  {
    switch refusal {
    case .absolute:
      diagnostic(
        "template '\(reference.written)' is an absolute path; a plan run through a server names its templates "
          + "relative to the plan's directory", reference, planFile: planFile,
        hint: "move the template beside the plan (or below it) and name it by a relative path")
    case .outside:
      diagnostic(
        "template '\(reference.written)' is outside the plan's directory (\(reference.url.path)); a plan run "
          + "through a server can only send files in its directory or below it", reference, planFile: planFile,
        hint: "move the template beside the plan (or below it), or the plan up to a directory that holds both")
    }
  }

  private static func diagnostic(
    _ message: String, _ reference: PlanLoader.TemplateReference, planFile: URL, hint: String? = nil
  ) -> PlanDiagnostic {
    PlanDiagnostic(
      code: .invalidValue, message: "stage '\(reference.stage)': \(message)", file: planFile.path,
      location: reference.location, path: "/stages/\(JSONPointer.escape(reference.stage))/template", hint: hint,
      stage: reference.stage)
  }

  /// A diagnostic's file as the user knows it: a path of the bundle (`templates/net.yaml`) made the
  /// local file it came from; anything else as the server wrote it.
  func localPath(of file: String) -> String {
    if file == submission.planPath ?? RunSubmission.defaultPlanPath { return planFile.path }
    if submission.files?[file] != nil { return directory.appendingPathComponent(file).standardizedFileURL.path }
    return file
  }
}
