import CloudTemplate

/// Finds the `${...}` references in plan strings, with CloudTemplate's expression scanner doing the lexing.
///
/// A plan expression is exactly one reference (`${stages.db.outputs.address}`); operators and functions
/// are template features, so they are reported here rather than sent to vRA half-resolved.
public enum PlanReferenceScanner {
  /// One `${...}` in a string.
  public struct Occurrence: Sendable, Hashable {
    /// The reference, or nil when the expression is not a valid plan reference (see `problem`).
    public var reference: PlanReference?
    /// The expression as written, `${` and `}` included.
    public var expression: String
    /// The range of `expression` in the string, in Unicode scalars.
    public var scalarRange: Range<Int>
    /// Where the expression is written.
    public var location: SourceLocation
    /// Why the expression is not a valid plan reference.
    public var problem: String?
    /// A suggestion for `problem`.
    public var hint: String?
  }

  /// Every `${...}` in `text`, in order; `location` is where the string's text starts.
  public static func scan(_ text: String, location: SourceLocation = .startOfFile) -> [Occurrence] {
    guard ExpressionScanner.mayContainExpression(text) else { return [] }
    let scanned = ExpressionScanner.scan(text, location: location)
    let scalars = Array(text.unicodeScalars)
    var occurrences: [Occurrence] = []
    var cursor = 0
    for body in scanned.expressions {
      let expression = "${\(body)}"
      let needle = Array(expression.unicodeScalars)
      guard let start = firstIndex(of: needle, in: scalars, from: cursor) else { break }
      cursor = start + needle.count
      let position = location.advanced(over: scalars[0..<start])
      var occurrence = Occurrence(
        reference: nil, expression: expression, scalarRange: start..<cursor, location: position)
      switch parse(body: body) {
      case .success(let reference): occurrence.reference = reference
      case .failure(let failure):
        occurrence.problem = failure.message
        occurrence.hint = failure.hint
      }
      occurrences.append(occurrence)
    }
    // An unterminated `${` is a syntax error the expression list does not show.
    for error in scanned.errors where !occurrences.contains(where: { $0.location == error.location }) {
      if error.message.hasPrefix("unterminated") {
        occurrences.append(
          Occurrence(
            reference: nil, expression: error.expression, scalarRange: scalars.count..<scalars.count,
            location: error.location, problem: error.message))
      }
    }
    return occurrences
  }

  /// Every occurrence in the strings of a JSON value, with the JSON pointer of the string that holds it.
  public static func scan(
    _ value: JSONValue, pointer: String = "", locate: (String) -> SourceLocation = { _ in .startOfFile }
  ) -> [(pointer: String, occurrence: Occurrence)] {
    switch value {
    case .string(let text):
      guard ExpressionScanner.mayContainExpression(text) else { return [] }
      return scan(text, location: locate(pointer)).map { (pointer, $0) }
    case .array(let elements):
      return elements.enumerated().flatMap { index, element in
        scan(element, pointer: JSONPointer.appending(index, to: pointer), locate: locate)
      }
    case .object(let object):
      return object.keys.sorted().flatMap { key in
        scan(object[key]!, pointer: JSONPointer.appending(key, to: pointer), locate: locate)
      }
    default:
      return []
    }
  }

  /// The stages a value waits on through its references.
  public static func stages(referencedBy value: JSONValue) -> Set<String> {
    Set(scan(value).compactMap { $0.occurrence.reference?.stage })
  }

  struct Failure: Error {
    var message: String
    var hint: String?
  }

  static let roots = ["stages", "run", "env"]

  /// The reference an expression body names.
  static func parse(body: String) -> Result<PlanReference, Failure> {
    let scanned = ExpressionScanner.scan("${\(body)}")
    if let error = scanned.errors.first {
      return .failure(Failure(message: error.message))
    }
    let trimmed = PlanDurationParser.trim(body)
    guard scanned.references.count == 1, let found = scanned.references.first, found.text == trimmed else {
      return .failure(
        Failure(
          message: "'${\(body)}' is not a single reference; plan strings may hold only references",
          hint: "write ${stages.S.outputs.X}, ${stages.S.resources.R.prop}, ${stages.S.deployment.id}, "
            + "${run.id} or ${env.X}, and use text around them to combine values"))
    }
    let root = String(found.text.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
    let segments = found.segments
    switch root {
    case "env":
      guard segments.count == 1 else {
        return .failure(Failure(message: "'\(found.text)' must name one environment variable: env.NAME"))
      }
      return .success(.environment(segments[0]))
    case "run":
      guard segments == ["id"] else {
        return .failure(Failure(message: "'\(found.text)' is not known; the run offers only run.id"))
      }
      return .success(.runID)
    case "stages":
      return stageReference(segments, text: found.text)
    default:
      let suggestion = NameSuggester.suggestion(for: root, among: roots)
      return .failure(
        Failure(
          message: "'\(found.text)' starts with '\(root)'; plan references start with stages, run or env",
          hint: suggestion.map { "did you mean '\($0)'?" }
            ?? (["input", "resource", "self"].contains(root)
              ? "'\(root).' expressions belong in the template; pass the value as an input instead" : nil)))
    }
  }

  private static func stageReference(_ segments: [String], text: String) -> Result<PlanReference, Failure> {
    guard segments.count >= 2 else {
      return .failure(
        Failure(
          message: "'\(text)' is incomplete",
          hint: "write stages.S.outputs.X, stages.S.resources.R.prop or "
            + "stages.S.deployment.id"))
    }
    let stage = segments[0]
    let kind = segments[1]
    let rest = Array(segments.dropFirst(2))
    switch kind {
    case "outputs":
      guard let name = rest.first, name != "*" else {
        return .failure(Failure(message: "'\(text)' must name an output: stages.\(stage).outputs.NAME"))
      }
      return .success(.output(stage: stage, name: name, path: Array(rest.dropFirst())))
    case "resources":
      guard let name = rest.first, name != "*" else {
        return .failure(Failure(message: "'\(text)' must name a resource: stages.\(stage).resources.NAME.property"))
      }
      var property = Array(rest.dropFirst())
      var index: Int?
      if let first = property.first, let number = Int(first), number >= 0 {
        index = number
        property.removeFirst()
      }
      return .success(.resource(stage: stage, name: name, index: index, property: property))
    case "deployment":
      guard rest.count == 1, let field = PlanReference.DeploymentField(rawValue: rest[0]) else {
        return .failure(
          Failure(message: "'\(text)' is not known; a stage's deployment offers .id and .name"))
      }
      return .success(.deployment(stage: stage, field: field))
    default:
      let suggestion = NameSuggester.suggestion(for: kind, among: ["outputs", "resources", "deployment"])
      return .failure(
        Failure(
          message: "'\(text)' reads '\(kind)' of stage '\(stage)'; a stage offers outputs, resources and deployment",
          hint: suggestion.map { "did you mean '\($0)'?" }))
    }
  }

  private static func firstIndex(of needle: [Unicode.Scalar], in scalars: [Unicode.Scalar], from start: Int) -> Int? {
    guard needle.count <= scalars.count else { return nil }
    var index = start
    while index + needle.count <= scalars.count {
      if scalars[index] == needle[0], Array(scalars[index..<(index + needle.count)]) == needle { return index }
      index += 1
    }
    return nil
  }
}
