/// vRA answers whose meaning is not obvious from the HTTP status alone, and what to tell
/// the operator about them.
///
/// Rules are tried in order and the first match wins; the status-based defaults in
/// `ErrorClassifier` apply when none matches. Matching on message text is a last resort
/// (vRA's messages are not a contract), so every rule also checks the status.
struct KnownVRAError: Sendable {
  var statuses: ClosedRange<Int>
  var errorCodes: Set<Int> = []
  var messageIds: Set<String> = []
  /// Lower-case substrings of `message`, any of which matches.
  var messageContains: [String] = []
  /// Restrict to one path prefix (the token endpoints answer differently from the APIs).
  var pathPrefix: String?
  /// nil keeps the status-based class and only adds the hint.
  var errorClass: VRAErrorClass?
  var hint: String

  func matches(status: Int, errorCode: Int?, messageId: String?, message: String, path: String) -> Bool {
    guard statuses.contains(status) else { return false }
    if let pathPrefix, !path.hasPrefix(pathPrefix) { return false }
    let byCode = errorCode.map { errorCodes.contains($0) } ?? false
    let byId = messageId.map { messageIds.contains($0) } ?? false
    let lowered = message.lowercased()
    let byText = messageContains.contains { lowered.contains($0) }
    if errorCodes.isEmpty && messageIds.isEmpty && messageContains.isEmpty { return true }
    return byCode || byId || byText
  }
}

enum KnownVRAErrors {
  static let refreshTokenHint =
    "the refresh/API token is expired, revoked, or belongs to another organization: create a new API token "
    + "(or log in again) and check that the org in the configuration is the token's org"

  static let rules: [KnownVRAError] = [
    // Token endpoints answer 400/401/403 for a bad refresh token; all mean "get a new one".
    KnownVRAError(
      statuses: 400...403, pathPrefix: "/iaas/api/login", errorClass: .unauthorized, hint: refreshTokenHint),
    KnownVRAError(
      statuses: 400...403, pathPrefix: "/csp/gateway/am/api/auth/api-tokens/authorize", errorClass: .unauthorized,
      hint: refreshTokenHint),
    KnownVRAError(
      statuses: 400...403, pathPrefix: "/csp/gateway/am/api/login", errorClass: .unauthorized,
      hint: "the username, password or domain was refused: check them, and that the account is not locked"),
    KnownVRAError(
      statuses: 401...401, messageContains: ["expired"], errorClass: .unauthorized,
      hint: "the access token expired and a fresh one was refused too: check the clock of this machine against "
        + "vRA's (skew), and that the refresh token is still valid"),
    KnownVRAError(
      statuses: 401...401, messageContains: ["revoked"], errorClass: .unauthorized, hint: refreshTokenHint),
    KnownVRAError(
      statuses: 401...401, errorClass: .unauthorized,
      hint: "the token was refused twice in a row: the refresh token may be expired or revoked, the org may be "
        + "wrong, or this machine's clock may be skewed against vRA's"),
    KnownVRAError(
      statuses: 403...403, messageContains: ["project"], errorClass: .forbidden,
      hint: "the user is not a member of that project: add them in Projects → Users, or pick another project"),
    KnownVRAError(
      statuses: 403...403, errorClass: .forbidden,
      hint: "the user lacks the role this call needs (Cloud Assembly / Service Broker user or administrator)"),
    // One request at a time per deployment: an update, action or delete while another runs.
    KnownVRAError(
      statuses: 409...409, messageIds: [VRAError.requestInProgressMessageId],
      messageContains: ["request in progress", "in progress on", "inprogress"], errorClass: .conflict,
      hint: "another request is in progress on this deployment: wait until it ends (follow the deployment's "
        + "last request), then send this again"),
    // vRA refuses a second deployment with the same name in an org.
    KnownVRAError(
      statuses: 400...409, messageContains: ["already exists", "already in use", "duplicate"],
      errorClass: .conflict,
      hint: "an object with this name exists already: choose another name, or reuse (or delete) the existing one"),
    KnownVRAError(
      statuses: 400...400, messageContains: ["yaml", "template"], errorClass: nil,
      hint: "the cloud template is invalid: run `vra-engine validate` on it for every error with its line"),
    KnownVRAError(
      statuses: 400...400, messageContains: ["input"], errorClass: nil,
      hint: "an input does not match the template's input schema: compare with the blueprint's inputs-schema"),
    KnownVRAError(
      statuses: 404...404, errorCodes: [10404], messageIds: ["error.not.found"], errorClass: .notFound,
      hint: "the id may be wrong, from another org, or the object was deleted"),
    KnownVRAError(
      statuses: 409...409, errorClass: .conflict,
      hint: "the object is busy or in a state that forbids this call (e.g. a request still in progress): "
        + "wait for it to finish"),
    KnownVRAError(
      statuses: 429...429, errorClass: nil,
      hint: "vRA is rate limiting this client: lower the concurrency or raise the retry budget"),
    KnownVRAError(
      statuses: 502...504, errorClass: nil,
      hint: "vRA or a proxy in front of it is unavailable or overloaded: retry later, check vRA's health"),
  ]

  static func match(
    status: Int, errorCode: Int?, messageId: String?, message: String, path: String
  )
    -> KnownVRAError?
  {
    rules.first { $0.matches(status: status, errorCode: errorCode, messageId: messageId, message: message, path: path) }
  }
}
