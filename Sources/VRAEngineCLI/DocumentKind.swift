import CloudTemplate
import Foundation

/// What `validate` and `graph` were given: a plan or a cloud template. Told apart by what the file
/// says (a plan has `stages:`, a template `resources:`), not by its name; a TOML file can only be a
/// plan. A file that cannot be read is taken as a template, and reported as one.
enum DocumentKind: Equatable {
  case plan, template

  static func of(_ path: String, limits: ParseLimits) -> DocumentKind {
    let url = URL(fileURLWithPath: path)
    if url.pathExtension.lowercased() == "toml" { return .plan }
    guard let keys = YAMLDocument.topLevelKeys(ofFileAt: url, limits: limits) else { return .template }
    return keys.contains("stages") && !keys.contains("resources") ? .plan : .template
  }
}
