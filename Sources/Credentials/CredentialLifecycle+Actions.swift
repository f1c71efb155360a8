import Foundation

extension CredentialLifecycle {
  /// Why a refresh runs and what it replaces. A vRA token provider fetches a new token whatever
  /// the reason; a Vault driver renews a due or expired lease and logs in again after a refusal.
  public enum Refresh: Sendable, Equatable {
    /// Nothing is held (the first use, or the last refresh left nothing valid).
    case acquire
    /// `refreshDueAt` has passed: runs in the background while holders keep this credential.
    case renewDue(Credential)
    /// It expired: callers wait.
    case renewExpired(Credential)
    /// The server refused it: callers wait, and renewing it would not help.
    case replaceRejected(Credential)

    /// The credential being replaced, if any.
    public var replacing: Credential? {
      switch self {
      case .acquire: nil
      case .renewDue(let credential), .renewExpired(let credential), .replaceRejected(let credential): credential
      }
    }
  }

  /// What the driver does for a caller that asked (`credentialNeeded`, `credentialRejected`).
  public enum RequestAction: Sendable, Equatable {
    /// Hand this credential to the caller now.
    case use(Credential)
    /// Hand this credential to the caller now, and start this refresh in the background (in a
    /// task of its own: the caller may be cancelled, the refresh must not be).
    case useAndStartRefresh(Credential, Refresh)
    /// Suspend the caller until the refresh in flight ends; start this refresh first when given.
    case wait(startRefresh: Refresh?)
  }

  /// The driver's idle renewal timer: at most one is armed.
  public enum TimerAction: Sendable, Equatable {
    case none
    /// Arm the timer for this instant (replacing any armed one) and report `renewalTimerFired`.
    case schedule(at: Instant)
    case cancel
  }

  /// What the driver does when the refresh in flight ends.
  public enum CompletionAction: Sendable, Equatable {
    /// Resume these waiters with the new credential.
    case resumeWaiters([WaiterID], with: Credential, timer: TimerAction)
    /// Resume these waiters with the refresh's error. `kept`: the credential that stays in use
    /// because it is still valid (the failed refresh was a background one).
    case failWaiters([WaiterID], kept: Credential?, timer: TimerAction)
  }

  /// What the driver does for a waiter whose task was cancelled.
  public enum CancelAction: Sendable, Equatable {
    /// It had already been resumed (or never waited): nothing.
    case none
    /// Resume it with a cancellation error now.
    case failWithCancellation
  }

  /// What the driver does when its idle renewal timer goes off.
  public enum TimerFiredAction: Sendable, Equatable {
    case none
    /// Start this refresh in a task of its own; nobody waits for it.
    case startRefresh(Refresh)
    /// It went off early: arm it again.
    case schedule(at: Instant)
  }
}
