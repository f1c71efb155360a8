import Foundation
import Yams

/// Reads cloud template YAML into a `Template`, with every structural error positioned.
///
/// Only structure is checked here (YAML syntax, limits, field types); references, cycles and
/// input schemas are the job of `TemplateValidator`.
public enum TemplateParser {
  /// Parses template text. `fileName` is the name diagnostics print.
  public static func parse(
    _ text: String, fileName: String, limits: ParseLimits = .default
  ) throws(TemplateError)
    -> Template
  {
    let size = text.utf8.count
    guard size <= limits.maxBytes else {
      throw TemplateError(
        BoundedText.tooLarge(kind: "template", fileName: fileName, size: size, limits: limits, hint: maxSizeHint))
    }
    if let location = AliasBudget.firstExcess(in: text, maxNodes: limits.maxNodes) {
      throw TemplateError(
        TemplateDiagnostic(
          severity: .error, code: .aliasExpansionTooLarge,
          message:
            "document expands to more than \(limits.maxNodes) nodes once aliases are followed; refusing a possible alias bomb",
          file: fileName, location: location, path: ""))
    }
    let root: Node
    do {
      let parser = try Parser(yaml: text, resolver: .basic, constructor: .default, encoding: .utf8)
      guard let document = try parser.singleRoot() else {
        throw TemplateError(
          TemplateDiagnostic(
            severity: .error, code: .notAMapping, message: "the template is empty", file: fileName,
            location: .startOfFile, path: ""))
      }
      root = document
    } catch let error as TemplateError {
      throw error
    } catch let error as YamlError {
      throw TemplateError(YAMLErrorTranslator.diagnostic(for: error, fileName: fileName))
    } catch {
      throw TemplateError(
        TemplateDiagnostic(
          severity: .error, code: .yamlSyntax, message: "\(error)", file: fileName, location: .startOfFile, path: ""))
    }
    var builder = TemplateBuilder(file: fileName, text: text, limits: limits)
    do {
      let (template, diagnostics) = try builder.build(root: root)
      if diagnostics.hasErrors { throw TemplateError(diagnostics: diagnostics.errors + diagnostics.warnings) }
      return template
    } catch let abort as NodeConverter.Abort {
      throw TemplateError(abort.diagnostic)
    } catch {
      throw error as! TemplateError  // build only throws Abort; the line above rethrows our own error.
    }
  }

  /// Parses template bytes, rejecting invalid UTF-8 with the position of the first bad byte.
  public static func parse(
    _ data: Data, fileName: String, limits: ParseLimits = .default
  ) throws(TemplateError)
    -> Template
  {
    let text = try BoundedText.text(of: data, fileName: fileName, kind: "template", limits: limits, hint: maxSizeHint)
    return try parse(text, fileName: fileName, limits: limits)
  }

  /// Reads and parses a template file, never reading more than `limits.maxBytes + 1` bytes.
  public static func parse(contentsOf url: URL, limits: ParseLimits = .default) throws(TemplateError) -> Template {
    let fileName = url.isFileURL ? url.path : url.absoluteString
    let text = try BoundedText.read(contentsOf: url, kind: "template", limits: limits, hint: maxSizeHint)
    return try parse(text, fileName: fileName, limits: limits)
  }

  /// What to do about a file over the limit, when it is legitimate.
  static let maxSizeHint = "raise the limit with --max-size if the file is legitimate"
}
