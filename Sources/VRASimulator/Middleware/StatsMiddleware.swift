import Foundation
import HTTPTypes
import Hummingbird

/// Counts every API call by route template and status, remembers recent calls, and
/// stamps the server time (`Date`) a tracker uses as its watermark.
struct StatsMiddleware: RouterMiddleware {
  typealias Context = SimulatorContext
  let stats: SimulatorStats

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws
    -> Response
  {
    let path = request.uri.path
    let isAdmin = path.hasPrefix("/_sim/")
    do {
      var response = try await next(request, context)
      response.headers[.date] = Self.httpDate(Date())
      if !isAdmin { await record(request, context: context, status: response.status.code) }
      return response
    } catch let error as any HTTPResponseError {
      if !isAdmin { await record(request, context: context, status: error.status.code) }
      throw error
    } catch {
      if !isAdmin { await record(request, context: context, status: 500) }
      throw error
    }
  }

  private func record(_ request: Request, context: Context, status: Int) async {
    await stats.record(
      RecordedCall(
        method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "",
        route: context.endpointPath ?? request.uri.path, status: status,
        userAgent: request.headers[.userAgent], traceparent: request.headers[HTTPField.Name("traceparent")!],
        at: Date()))
  }

  static func httpDate(_ date: Date) -> String {
    date.formatted(
      Date.VerbatimFormatStyle(
        format:
          "\(weekday: .abbreviated), \(day: .twoDigits) \(month: .abbreviated) \(year: .defaultDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits) GMT",
        locale: Locale(identifier: "en_US_POSIX"), timeZone: TimeZone(identifier: "GMT")!,
        calendar: Calendar(identifier: .gregorian)))
  }
}
