import Foundation
import Yams

/// Reads an inputs file (`--inputs FILE`): a YAML or JSON mapping of input names to values.
///
/// Values keep the type they are written with (`count: 5` is an integer, `count: "5"` a string);
/// nothing is coerced. The same limits as templates apply (size, nesting, alias expansion), and
/// errors never quote the file's content: it may hold secrets.
public enum InputsFile {
  /// The values and the position of each top-level key.
  public struct Contents: Sendable, Hashable {
    public var values: [String: JSONValue]
    public var locations: [String: SourceLocation]
  }

  public static func read(contentsOf url: URL, limits: ParseLimits = .default) throws(TemplateError) -> Contents {
    let fileName = url.isFileURL ? url.path : url.absoluteString
    let text = try BoundedText.read(
      contentsOf: url, kind: "inputs file", limits: limits, hint: TemplateParser.maxSizeHint)
    return try parse(text, fileName: fileName, limits: limits)
  }

  /// Parses inputs-file text; `fileName` is the name diagnostics print.
  public static func parse(
    _ text: String, fileName: String, limits: ParseLimits = .default
  ) throws(TemplateError) -> Contents {
    if text.allSatisfy(\.isWhitespace) { return Contents(values: [:], locations: [:]) }
    if let location = AliasBudget.firstExcess(in: text, maxNodes: limits.maxNodes) {
      throw TemplateError(
        TemplateDiagnostic(
          severity: .error, code: .aliasExpansionTooLarge,
          message: "the inputs file expands to more than \(limits.maxNodes) nodes once aliases are followed",
          file: fileName, location: location, path: ""))
    }
    let root: Node?
    do {
      root = try Parser(yaml: text, resolver: .basic, constructor: .default, encoding: .utf8).singleRoot()
    } catch let error as YamlError {
      // libyaml reads almost every JSON document; the rare one it refuses (tabs, some escapes) is tried as JSON.
      if let values = JSONText.parse(text)?.objectValue {
        return Contents(values: values, locations: [:])
      }
      throw TemplateError(YAMLErrorTranslator.diagnostic(for: error, fileName: fileName))
    } catch {
      throw failure(.yamlSyntax, "the inputs file is not YAML or JSON", fileName)
    }
    guard let root else { return Contents(values: [:], locations: [:]) }
    guard let mapping = root.mapping else {
      throw TemplateError(
        TemplateDiagnostic(
          severity: .error, code: .notAMapping,
          message:
            "an inputs file must be a mapping of input names to values, found a \(root.sequence != nil ? "list" : "scalar")",
          file: fileName, location: NodeConverter.location(of: root), path: ""))
    }
    var converter = NodeConverter(limits: limits, file: fileName)
    var contents = Contents(values: [:], locations: [:])
    do {
      try converter.enter(root, depth: 0, path: "")
      for (keyNode, valueNode) in mapping {
        guard let name = converter.mappingKey(keyNode, path: "") else { continue }
        let path = JSONPointer.appending(name, to: "")
        contents.values[name] = try converter.convert(valueNode, path: path, depth: 1)
        contents.locations[name] = NodeConverter.location(of: keyNode)
      }
    } catch {
      throw TemplateError(error.diagnostic)
    }
    if converter.diagnostics.hasErrors { throw TemplateError(diagnostics: converter.diagnostics.diagnostics) }
    return contents
  }

  private static func failure(
    _ code: DiagnosticCode, _ message: String, _ fileName: String, hint: String? = nil
  ) -> TemplateError {
    TemplateError(
      TemplateDiagnostic(
        severity: .error, code: code, message: message, file: fileName, location: .startOfFile, path: "", hint: hint))
  }
}
