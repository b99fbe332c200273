import Cache
import Foundation
import Graph

/// Runs a command's graph on its cache (`--cache`), with `-j`, Ctrl-C handling and the progress
/// line; a failed node becomes one error line naming the command.
enum EngineSession {
    /// The build's result, or `nil` when the user interrupted it (exit 130; the next run resumes).
    static func build(_ graph: Graph, targets: [NodeID], _ a: Arguments, command: String, cache opened: LocalCache? = nil) throws -> BuildResult? {
        let cache = try opened ?? CacheLocation.open(a)
        let interrupts = Interrupts()
        let progress = ProgressLine()
        let outcome = Executor(store: cache, options: BuildOptions(jobs: try a.jobs(default: ProcessInfo.processInfo.activeProcessorCount),
                                                                  cancellation: interrupts.flag, progress: progress.update)).build(graph, targets: targets)
        progress.finish()
        try CacheLocation.finish(cache)
        if let failure = outcome.failures.first { throw UsageError("\(command): \(failure.message)") }
        return outcome.cancelled ? nil : outcome
    }
}
