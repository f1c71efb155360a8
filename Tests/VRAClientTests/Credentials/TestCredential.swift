import Credentials
import VRAClient

/// Time for state-machine tests: an offset from a zero, so failures read "t+80s".
struct TestInstant: InstantProtocol, CustomStringConvertible {
  var offset: Duration

  static func seconds(_ seconds: Double) -> TestInstant { TestInstant(offset: .seconds(seconds)) }

  func advanced(by duration: Duration) -> TestInstant { TestInstant(offset: offset + duration) }
  func duration(to other: TestInstant) -> Duration { other.offset - offset }
  static func < (lhs: TestInstant, rhs: TestInstant) -> Bool { lhs.offset < rhs.offset }
  var description: String { "t+\(offset)" }
}

/// A credential with a name (two are the same credential when their names are) and a schedule,
/// shaped either like a vRA access token or like a Vault token lease.
struct TestCredential: RenewableCredential, CustomStringConvertible {
  var name: String
  var expiresAt: TestInstant?
  var refreshDueAt: TestInstant?

  static func == (lhs: TestCredential, rhs: TestCredential) -> Bool { lhs.name == rhs.name }

  /// An access token: refresh due at 80 % of its lifetime, as `AccessToken` schedules it.
  static func token(_ name: String, at obtained: TestInstant, lifetime: Double) -> TestCredential {
    TestCredential(
      name: name, expiresAt: obtained.advanced(by: .seconds(lifetime)),
      refreshDueAt: obtained.advanced(by: .seconds(lifetime * 0.8)))
  }

  /// A Vault lease: renewal due at `fraction` of the TTL when renewable, as `VaultTokenLease`
  /// schedules it; TTL 0 never expires.
  static func lease(
    _ name: String, at obtained: TestInstant, ttl: Double, renewable: Bool = true, fraction: Double = 2.0 / 3.0
  ) -> TestCredential {
    guard ttl > 0 else { return TestCredential(name: name) }
    return TestCredential(
      name: name, expiresAt: obtained.advanced(by: .seconds(ttl)),
      refreshDueAt: renewable ? obtained.advanced(by: .seconds(ttl * fraction)) : nil)
  }

  var description: String {
    "\(name) (due \(refreshDueAt.map { "\($0)" } ?? "never"), expires \(expiresAt.map { "\($0)" } ?? "never"))"
  }
}

typealias TestLifecycle = CredentialLifecycle<TestCredential>
typealias Waiter = TestLifecycle.WaiterID

extension CredentialLifecycle.Configuration {
  /// As `TokenCache` configures it: no idle timer, a failed background refresh waits 1 s.
  static var accessToken: Self { .init(retryDelay: .seconds(1)) }
  /// As `VaultClient` configures it: an idle timer, a failed renewal tried again halfway to expiry.
  static var vaultLease: Self {
    .init(renewsWhileIdle: true, retryDelay: .milliseconds(250), retryShareOfRemainingLifetime: 0.5)
  }
}

func t(_ seconds: Double) -> TestInstant { .seconds(seconds) }
func w(_ number: UInt64) -> Waiter { Waiter(number) }
