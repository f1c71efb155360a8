import ArgumentParser

/// The CLI's documented exit codes (DESIGN.md, Conventions).
enum ExitCodes {
  static let ok = ExitCode(0)
  static let deploymentFailed = ExitCode(1)
  static let usageOrValidation = ExitCode(2)
  static let authOrConnectivity = ExitCode(3)
  static let cancelled = ExitCode(130)
}
