import VRAModels
import Yams

/// Converts Yams nodes to `JSONValue`s while enforcing the depth and alias-expansion limits.
///
/// Yams composes an alias as a shared reference to the anchored node, so a "billion laughs"
/// document is small in memory until something walks it; this walker counts every node it
/// visits and stops at `ParseLimits.maxNodes`.
struct NodeConverter {
  /// Why conversion stopped: the document as a whole is unusable.
  struct Abort: Error {
    var diagnostic: TemplateDiagnostic
  }

  /// A string that contains `${`, remembered with where it was written so its expressions can be scanned.
  struct ExpressionString {
    var text: String
    var path: String
    var mark: SourceLocation
    var style: Node.Scalar.Style
  }

  let limits: ParseLimits
  let file: String
  private(set) var visitedNodes = 0
  /// Strings holding `${`, collected only while `collectsExpressions` is true.
  var expressionStrings: [ExpressionString] = []
  var collectsExpressions = false
  /// Non-fatal structural problems (e.g. a non-scalar mapping key).
  var diagnostics = DiagnosticCollector(file: "")

  init(limits: ParseLimits, file: String) {
    self.limits = limits
    self.file = file
    self.diagnostics = DiagnosticCollector(file: file)
  }

  static func location(of node: Node) -> SourceLocation {
    node.mark.map { SourceLocation(line: $0.line, column: $0.column) } ?? .startOfFile
  }

  /// Counts one node against the limits; `depth` is the nesting level of `node` in the document.
  mutating func enter(_ node: Node, depth: Int, path: String) throws(Abort) {
    visitedNodes += 1
    if visitedNodes > limits.maxNodes {
      throw Abort(
        diagnostic: TemplateDiagnostic(
          severity: .error, code: .aliasExpansionTooLarge,
          message:
            "document expands to more than \(limits.maxNodes) nodes (aliases are expanded); refusing a possible alias bomb",
          file: file, location: Self.location(of: node), path: path))
    }
    if depth > limits.maxDepth {
      throw Abort(
        diagnostic: TemplateDiagnostic(
          severity: .error, code: .nestingTooDeep,
          message: "nesting deeper than \(limits.maxDepth) levels", file: file, location: Self.location(of: node),
          path: path))
    }
  }

  mutating func convert(_ node: Node, path: String, depth: Int) throws(Abort) -> JSONValue {
    try enter(node, depth: depth, path: path)
    switch node {
    case .scalar(let scalar):
      let value = ScalarResolver.resolve(scalar)
      if collectsExpressions, case .string(let text) = value, ExpressionScanner.mayContainExpression(text) {
        expressionStrings.append(
          ExpressionString(text: text, path: path, mark: Self.location(of: node), style: scalar.style))
      }
      return value
    case .sequence(let sequence):
      var elements: [JSONValue] = []
      elements.reserveCapacity(sequence.count)
      for (index, element) in sequence.enumerated() {
        elements.append(try convert(element, path: JSONPointer.appending(index, to: path), depth: depth + 1))
      }
      return .array(elements)
    case .mapping(let mapping):
      var object: [String: JSONValue] = [:]
      object.reserveCapacity(mapping.count)
      for (keyNode, valueNode) in mapping {
        if isMergeKey(keyNode) {
          // `<<: *defaults` copies keys the mapping does not set itself.
          let merged = try convert(valueNode, path: path, depth: depth)
          for source in merged.arrayValue ?? [merged] {
            for (key, value) in source.objectValue ?? [:] where object[key] == nil { object[key] = value }
          }
          continue
        }
        guard let key = mappingKey(keyNode, path: path) else { continue }
        object[key] = try convert(valueNode, path: JSONPointer.appending(key, to: path), depth: depth + 1)
      }
      return .object(object)
    case .alias:
      // Yams resolves aliases while composing; a bare alias node means an undefined anchor.
      return .null
    }
  }

  /// The string form of a mapping key; templates only use scalar keys.
  mutating func mappingKey(_ node: Node, path: String) -> String? {
    guard case .scalar(let scalar) = node else {
      diagnostics.error(
        .invalidFieldType,
        "mapping keys must be plain scalars, found a \(node.sequence != nil ? "sequence" : "mapping")",
        at: Self.location(of: node), path: path)
      return nil
    }
    return scalar.string
  }

  private func isMergeKey(_ node: Node) -> Bool {
    guard case .scalar(let scalar) = node else { return false }
    return scalar.string == "<<" && scalar.style == .plain
  }
}
