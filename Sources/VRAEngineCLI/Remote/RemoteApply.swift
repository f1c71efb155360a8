import ArgumentParser
import Engine
import EngineRuntime
import EngineServer
import Foundation
import RunState

/// `vra-engine apply PLAN --server URL`: the plan and its templates are sent to the server, which
/// validates and runs it; this command shows the run as a local apply does (the run id, the
/// progress, the outputs or the JSON report) and exits with the same code for how it ended.
///
/// The submission carries a random `Idempotency-Key` (one per invocation), so that it can be sent
/// again after a lost answer or a 5xx without starting a second run.
struct RemoteApply {
  let connection: ServerConnection
  let plan: String
  let dryRun: Bool
  let output: OutputFormat
  /// `runs show` as the user types it for this server (`--server URL` when given as a flag).
  let details: String
  /// `--report`: written from the server's report of the run once it ended (stage times are not known here).
  var reports = ReportOptions()
  var retry = RetrySchedule()

  func run() async throws {
    let bundle: PlanBundle
    do {
      bundle = try PlanBundle.read(planAt: plan)
    } catch {
      throw PlanCheck.refuse(error.diagnostics, output: output)
    }
    var submission = bundle.submission
    if dryRun { submission.dryRun = true }
    let server = connection.baseURL
    let exit = try await APIClient.with(connection, retry: retry) { client -> ExitCode in
      let answer: APIClient.SubmitAnswer
      do throws(APIError) {
        answer = try await client.submit(submission, idempotencyKey: dryRun ? nil : UUID().uuidString.lowercased())
      } catch {
        if case .problem(let problem, _) = error, error.problemSlug == ProblemType.invalidPlan.slug {
          throw ServerDiagnostics.refuse(problem, output: output, path: bundle.localPath)
        }
        throw error.runtimeError(server: server)
      }
      switch answer {
      case .dryRun(let answer):
        Terminal.out(answer.requests)
        return ExitCodes.ok
      case .accepted(let run, _):
        if let position = run.queuePosition {
          Terminal.err(
            "run \(run.id) is queued (position \(position)): your tenant runs as many plans at once as it may")
        }
        return try await follow(run, client: client, planName: bundle.planName)
      }
    }
    if exit != ExitCodes.ok { throw exit }
  }

  /// Shows the run to its end, then its outputs (or report); the exit code of how it ended.
  private func follow(_ run: RunResource, client: APIClient, planName: String) async throws -> ExitCode {
    let runId = RunID(rawValue: run.id)
    let server = connection.baseURL
    do throws(APIError) {
      _ = try await RemoteRunFollower(client: client, runId: run.id).follow(
        quiet: output == .json, cancelOnInterrupt: true)
      let report = try await client.report(run.id)
      RunSummary.show(runId, status: report.run.status, report: report, output: output, details: details)
      reports.write(CIReport.of(report, planName: planName))
      return ExitCodes.code(ExitStatus.of(report))
    } catch {
      let failure = error.runtimeError(server: server, run: run.id)
      throw RuntimeError(
        failure.message + "\nrun \(run.id) was submitted and goes on on the server: see \(details) \(run.id)",
        status: failure.status)
    }
  }
}

extension PlanBundle {
  /// The plan's `name:` (the reports' suite), else its file's name.
  var planName: String {
    (try? PlanLoader.load(contentsOf: planFile))?.name ?? planFile.deletingPathExtension().lastPathComponent
  }
}
