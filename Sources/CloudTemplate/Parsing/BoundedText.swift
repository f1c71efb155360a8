import Foundation

/// A file the tools parse (a template, an inputs file, a plan, a config file) read as UTF-8 text
/// within `ParseLimits.maxBytes`: never more than `maxBytes + 1` bytes are read, and a file that
/// cannot be read, is too large or is not UTF-8 is a diagnostic that names the document (`kind`).
enum BoundedText {
  static func read(
    contentsOf url: URL, kind: String, limits: ParseLimits, hint: String? = nil
  ) throws(TemplateError) -> String {
    let fileName = url.isFileURL ? url.path : url.absoluteString
    let data: Data
    do {
      let handle = try FileHandle(forReadingFrom: url)
      defer { try? handle.close() }
      data = try handle.read(upToCount: limits.maxBytes + 1) ?? Data()
    } catch {
      throw TemplateError(
        TemplateDiagnostic(
          severity: .error, code: .fileUnreadable, message: "cannot read the \(kind): \(error.localizedDescription)",
          file: fileName, location: .startOfFile, path: ""))
    }
    return try text(of: data, fileName: fileName, kind: kind, limits: limits, hint: hint)
  }

  /// `data` as text, after the size check and UTF-8 validation (with the bad byte's position).
  static func text(
    of data: Data, fileName: String, kind: String, limits: ParseLimits, hint: String? = nil
  ) throws(TemplateError) -> String {
    guard data.count <= limits.maxBytes else {
      throw TemplateError(tooLarge(kind: kind, fileName: fileName, size: data.count, limits: limits, hint: hint))
    }
    guard let text = String(validating: data, as: UTF8.self) else {
      throw TemplateError(UTF8Checker.diagnostic(for: data, fileName: fileName, kind: kind))
    }
    return text
  }

  /// `size` bytes is over the limit (`maxBytes + 1` means "at least": the read stopped there).
  static func tooLarge(
    kind: String, fileName: String, size: Int, limits: ParseLimits, hint: String? = nil
  ) -> TemplateDiagnostic {
    TemplateDiagnostic(
      severity: .error, code: .fileTooLarge,
      message:
        "the \(kind) is larger than the \(limits.maxBytes)-byte limit (\(size > limits.maxBytes ? "at least \(size)" : "\(size)") bytes)",
      file: fileName, location: .startOfFile, path: "", hint: hint)
  }
}
