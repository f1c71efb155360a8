/// Whether a field or input name is one whose value is always hidden (`adminPassword`,
/// `refresh_token`, `apiKey`, ...): the same rule the client's redactor applies to every log line,
/// offered to callers that print values themselves (a dry run).
public enum SensitiveFieldName {
  public static func matches(_ name: String) -> Bool {
    Redactor.isSensitive(name, extra: [])
  }
}
