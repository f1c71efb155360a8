import Foundation

/// A file the tools parse (a template, an inputs file, a plan, a config file) read as UTF-8 text
/// within `ParseLimits.maxBytes`: never more than `maxBytes + 1` bytes are read, and a file that
/// cannot be read (a diagnostic of the whole file, saying why in a few words), is too large or is
/// not UTF-8 (a diagnostic that names the document, `kind`) is refused.
enum BoundedText {
  static func read(
    contentsOf url: URL, kind: String, limits: ParseLimits, hint: String? = nil
  ) throws(TemplateError) -> String {
    let fileName = url.isFileURL ? url.path : url.absoluteString
    let data: Data
    do {
      data = try bytes(of: url, upTo: limits.maxBytes + 1)
    } catch {
      // The file as a whole: `error: plan.yaml: no such file`, with no line to point at.
      throw TemplateError(
        TemplateDiagnostic(
          severity: .error, code: .fileUnreadable, message: error.reason, file: fileName, location: .wholeFile,
          path: ""))
    }
    return try text(of: data, fileName: fileName, kind: kind, limits: limits, hint: hint)
  }

  /// Why a file could not be read, in a few words: "no such file", "is a directory", "permission
  /// denied" (never Foundation's "The operation could not be completed").
  struct Unreadable: Error {
    var reason: String
  }

  /// At most `count` bytes of the file.
  private static func bytes(of url: URL, upTo count: Int) throws(Unreadable) -> Data {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
      throw Unreadable(reason: "no such file")
    }
    guard !isDirectory.boolValue else { throw Unreadable(reason: "is a directory") }
    do {
      let handle = try FileHandle(forReadingFrom: url)
      defer { try? handle.close() }
      return try handle.read(upToCount: count) ?? Data()
    } catch {
      guard FileManager.default.isReadableFile(atPath: url.path) else { throw Unreadable(reason: "permission denied") }
      let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
      if let underlying, underlying.domain == NSPOSIXErrorDomain, let message = strerror(Int32(underlying.code)) {
        throw Unreadable(reason: String(cString: message).lowercased())
      }
      throw Unreadable(reason: "cannot be read")
    }
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
