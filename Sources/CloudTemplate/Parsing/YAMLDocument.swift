import Foundation
import Yams

/// The hardened YAML front end of `TemplateParser`, for other YAML files the tools read (plan files).
///
/// It applies the same guards as template parsing: a size limit checked before reading more than
/// `limits.maxBytes + 1` bytes, UTF-8 validation with the bad byte's position, the alias-bomb budget
/// (measured on libyaml's event stream before Yams composes anything), and libyaml errors translated
/// to positioned diagnostics. Callers walk the composed `Node` themselves, with `location(of:)` and
/// `value(of:)` giving positions and YAML 1.1 scalar typing identical to templates'.
public enum YAMLDocument {
  /// Reads a file as UTF-8 text within `limits.maxBytes`. `kind` names the document in messages ("plan").
  public static func readText(
    contentsOf url: URL, kind: String, limits: ParseLimits = .default
  ) throws(TemplateError)
    -> String
  {
    try BoundedText.read(contentsOf: url, kind: kind, limits: limits)
  }

  /// Composes one YAML document after the size and alias-expansion checks; nil for an empty document.
  public static func compose(
    _ text: String, fileName: String, kind: String, limits: ParseLimits = .default
  ) throws(TemplateError)
    -> Node?
  {
    let size = text.utf8.count
    guard size <= limits.maxBytes else {
      throw TemplateError(BoundedText.tooLarge(kind: kind, fileName: fileName, size: size, limits: limits))
    }
    if let location = AliasBudget.firstExcess(in: text, maxNodes: limits.maxNodes) {
      throw TemplateError(
        TemplateDiagnostic(
          severity: .error, code: .aliasExpansionTooLarge,
          message:
            "document expands to more than \(limits.maxNodes) nodes once aliases are followed; refusing a possible alias bomb",
          file: fileName, location: location, path: ""))
    }
    do {
      let parser = try Parser(yaml: text, resolver: .basic, constructor: .default, encoding: .utf8)
      return try parser.singleRoot()
    } catch let error as YamlError {
      var diagnostic = YAMLErrorTranslator.diagnostic(for: error, fileName: fileName)
      diagnostic.message = diagnostic.message.replacingOccurrences(of: "a template file", with: "a \(kind) file")
      throw TemplateError(diagnostic)
    } catch {
      throw TemplateError(
        TemplateDiagnostic(
          severity: .error, code: .yamlSyntax, message: "\(error)", file: fileName, location: .startOfFile, path: ""))
    }
  }

  /// The keys of the file's top-level mapping, read under the same guards as everything else; nil
  /// when the file cannot be read or is not a YAML mapping. Tells a plan (`stages:`) from a
  /// template (`resources:`) by what it says, whatever its name.
  public static func topLevelKeys(ofFileAt url: URL, limits: ParseLimits = .default) -> [String]? {
    let fileName = url.isFileURL ? url.path : url.absoluteString
    guard let text = try? readText(contentsOf: url, kind: "file", limits: limits),
      let root = try? compose(text, fileName: fileName, kind: "file", limits: limits), let mapping = root.mapping
    else { return nil }
    return mapping.keys.compactMap(\.string)
  }

  /// Where `node` starts (1-based line and column).
  public static func location(of node: Node) -> SourceLocation {
    NodeConverter.location(of: node)
  }

  /// The JSON value of a scalar under the YAML 1.1 rules templates use (quoted scalars stay strings).
  public static func value(of scalar: Node.Scalar) -> JSONValue {
    ScalarResolver.resolve(scalar)
  }
}
