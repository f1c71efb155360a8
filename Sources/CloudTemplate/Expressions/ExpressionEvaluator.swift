/// Evaluates the `${...}` references vRA resolves at provisioning time: `input.X`, `self.prop`,
/// `resource.R.prop`, `resource.R[N].prop`, `resource["R"].prop` and `resource.R[*].prop` (the
/// property of every instance, as a list), each optionally followed by more `.key` / `[N]` steps.
///
/// Anything richer (functions, operators, `secret.X`, `env.X`) and any reference that does not resolve
/// is left as written, the way an unevaluated expression shows up in a vRA deployment's properties.
/// The expressions are found and parsed by `ExpressionScanner`/`ExpressionParser`, so the simulator and
/// `validate` agree on what an expression is.
public struct ExpressionEvaluator: Sendable {
  /// The bound input values.
  public var inputs: [String: JSONValue]
  /// The properties of the resource being provisioned, for `self.X`; nil outside a resource.
  public var selfProperties: [String: JSONValue]?
  /// The properties of each instance of the template resource named, in instance order
  /// (one element for a resource without `count`).
  public var resourceInstances: @Sendable (String) -> [[String: JSONValue]]

  public init(
    inputs: [String: JSONValue], selfProperties: [String: JSONValue]? = nil,
    resourceInstances: @escaping @Sendable (String) -> [[String: JSONValue]] = { _ in [] }
  ) {
    self.inputs = inputs
    self.selfProperties = selfProperties
    self.resourceInstances = resourceInstances
  }

  /// Resolves every string inside `value`, keeping its structure.
  public func evaluate(_ value: JSONValue) -> JSONValue {
    switch value {
    case .string(let text): return evaluate(text)
    case .array(let items): return .array(items.map(evaluate))
    case .object(let object): return .object(object.mapValues(evaluate))
    default: return value
    }
  }

  /// A string that is one whole expression keeps the referenced value's type (`${input.count}` → 3);
  /// expressions inside other text are interpolated (strings as they are, other values as compact JSON).
  public func evaluate(_ text: String) -> JSONValue {
    let scan = ExpressionScanner.scan(text)
    guard !scan.ranges.isEmpty else { return .string(text) }
    let scalars = Array(text.unicodeScalars)
    let contentStart = scalars.firstIndex { !$0.properties.isWhitespace } ?? 0
    let contentEnd = (scalars.lastIndex { !$0.properties.isWhitespace } ?? 0) + 1
    if scan.ranges.count == 1, scan.ranges[0] == contentStart..<contentEnd {
      return value(ofBody: scan.expressions[0]) ?? .string(text)
    }
    var result = ""
    var position = 0
    for (range, body) in zip(scan.ranges, scan.expressions) {
      result += String(scalars: scalars[position..<range.lowerBound])
      if let value = value(ofBody: body) {
        result += value.stringValue ?? value.compactJSONText
      } else {
        result += String(scalars: scalars[range])
      }
      position = range.upperBound
    }
    result += String(scalars: scalars[position...])
    return .string(result)
  }

  /// The value of an expression body (the text between `${` and `}`) when it is a single reference
  /// this evaluator resolves; nil otherwise.
  public func value(ofBody body: String) -> JSONValue? {
    guard let (kind, segments) = Self.wholeReference(body) else { return nil }
    switch kind {
    case .input:
      guard let name = segments.first, let value = inputs[name] else { return nil }
      return Self.navigate(value, segments.dropFirst())
    case .self:
      guard let name = segments.first, let value = selfProperties?[name] else { return nil }
      return Self.navigate(value, segments.dropFirst())
    case .resource:
      return resourceValue(segments)
    default:
      return nil
    }
  }

  /// `R[.N|[N]|[*]].prop...`: instance 0 unless an index or the splat follows the name.
  private func resourceValue(_ segments: [String]) -> JSONValue? {
    guard let name = segments.first else { return nil }
    var rest = segments.dropFirst()
    var instance: Int? = 0
    if let first = rest.first, first == "*" || Int(first) != nil {
      instance = Int(first)  // nil: the splat
      rest = rest.dropFirst()
    }
    guard let property = rest.first else { return nil }
    let instances = resourceInstances(name)
    guard let instance else {
      let values = instances.compactMap { $0[property].flatMap { Self.navigate($0, rest.dropFirst()) } }
      return values.count == instances.count && !instances.isEmpty ? .array(values) : nil
    }
    guard instance >= 0, instance < instances.count, let value = instances[instance][property] else { return nil }
    return Self.navigate(value, rest.dropFirst())
  }

  private static func navigate(_ value: JSONValue, _ segments: ArraySlice<String>) -> JSONValue? {
    var current = value
    for segment in segments {
      switch current {
      case .object(let object):
        guard let next = object[segment] else { return nil }
        current = next
      case .array(let items):
        guard let index = Int(segment), index >= 0, index < items.count else { return nil }
        current = items[index]
      default:
        return nil
      }
    }
    return current
  }

  /// The reference when `body` is nothing but one static reference path (`resource.web[0].address`),
  /// nil for a call, an operator, a literal or a syntax error.
  static func wholeReference(_ body: String) -> (ReferenceKind, [String])? {
    let scalars = Array(body.unicodeScalars)
    guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
      let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }),
      let tokens = try? ExpressionLexer.tokens(of: scalars)
    else { return nil }
    var parser = ExpressionParser(tokens: tokens, bodyLength: scalars.count)
    guard (try? parser.parse()) != nil, parser.references.count == 1 else { return nil }
    let reference = parser.references[0]
    guard reference.startOffset == first, reference.endOffset == last + 1 else { return nil }
    return (reference.kind, reference.segments)
  }
}

extension JSONValue {
  /// Compact JSON text, used when a non-string value is interpolated into a string.
  var compactJSONText: String { JSONText.render(self, pretty: false) }
}
