import Tasks
import Cache
import Dispatch
import Foundation
import Glibc
import Graph

/// `accomake _engine-run`: builds the synthetic workload on a cache and prints one JSON line
/// with the outcome. Used by `bench engine` (so that each run is a separate process, start-up
/// included) and by the crash and multi-process tests. Not part of the documented interface.
enum EngineRunCommand {
    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, command: "_engine-run",
                              options: ["cache", "nodes", "lanes", "salt", "change", "j", "jobs", "hold-after", "ready-file"],
                              flags: ["all-targets", "verify", "fail-fast"])
        let workload = SyntheticWorkload(nodes: try a.int("nodes", default: 1000),
                                         lanes: try a.int("lanes", default: 64),
                                         salt: Int64(try a.int("salt", default: 0, range: 0...Int.max)),
                                         changed: a.value("change").flatMap { Int($0) })
        let interrupts = Interrupts()
        let holdExpired = CancellationFlag()
        let began = DispatchTime.now().uptimeNanoseconds
        let cache = try CacheLocation.open(a)
        let (graph, final, all) = workload.build()
        let options = BuildOptions(jobs: try a.jobs(default: ProcessInfo.processInfo.activeProcessorCount),
                                   failFast: a.flag("fail-fast"), verify: a.flag("verify"),
                                   cancellation: interrupts.flag,
                                   progress: try hold(a, until: interrupts.flag, expired: holdExpired))
        let result = Executor(store: cache, options: options).build(graph, targets: a.flag("all-targets") ? all : [final])
        cache.flush()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        let summary: JSONText = .object([
            ("executed", .int(result.log.count(.executed))),
            ("hit", .int(result.log.count(.hit))),
            ("cutoff", .int(result.log.count(.cutoff))),
            ("failed", .int(result.failures.count)),
            ("mismatches", .int(result.mismatches.count)),
            ("cancelled", .bool(result.cancelled)),
            ("outputs", .int(result.outputs.count)),
            ("output", .string(result.outputs[final]?.digest.hex ?? "")),
            ("seconds", .number(seconds)),
            ("hold_expired", .bool(holdExpired.isCancelled)),
            ("unstored", .int(result.unstored)),
        ])
        print(summary.rendered(pretty: false))
        if result.cancelled { return 130 }
        return result.succeeded ? 0 : 1
    }

    /// `--hold-after N --ready-file F` (for the interrupt test): once N nodes have settled, every
    /// worker that reports progress spins, busy, until the run is cancelled (at most until 30 s
    /// after the command started; then `hold_expired` in the summary says the signal was not
    /// served), and
    /// the file F is created to tell the test that the run is now waiting for its signal. The
    /// workers stay runnable, as they are in a real run, so a signal handler that needs a free
    /// worker thread is not served.
    static func hold(_ a: Arguments, until flag: CancellationFlag, expired: CancellationFlag)
        throws -> (@Sendable (Int, Int) -> Void)?
    {
        guard let readyFile = a.value("ready-file") else { return nil }
        let threshold = try a.int("hold-after", default: 1)
        let deadline = DispatchTime.now().uptimeNanoseconds + 30_000_000_000
        return { settled, _ in
            guard settled >= threshold, !flag.isCancelled, !expired.isCancelled else { return }
            let fd = open(readyFile, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
            if fd >= 0 { close(fd) }
            while !flag.isCancelled {
                if DispatchTime.now().uptimeNanoseconds > deadline { return expired.cancel() }
                sched_yield()
            }
        }
    }
}
