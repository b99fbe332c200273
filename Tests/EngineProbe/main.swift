import Cache
import Dispatch
import Foundation
import Glibc
import Graph

/// `engine-probe`: builds the synthetic workload (`SyntheticWorkload`) on a local cache and
/// prints one JSON line with the outcome. It is the engine seen from outside, as a process: the
/// crash, kill, interrupt and multi-process tests start it, `scripts/crash-stress` kills it at
/// random moments, and `accomake bench engine` times it (each phase a fresh process, start-up
/// included). It knows nothing about CNNs and is not part of the user-facing tool.
///
///     engine-probe --cache DIR [--nodes N] [--lanes L] [--salt S] [--change I] [--large-every K] [-j N]
///                  [--all-targets] [--verify] [--fail-fast] [--hold-after N --ready-file F]
///     engine-probe --start-only      (exits at once: the process start-up, for the benchmark)
///
/// SIGINT or SIGTERM cancels the build as `accomake run` does (the same `Interrupts`); exit status
/// 0 when every target was built, 1 when a node failed, 130 when cancelled, 2 on a bad argument.
struct ProbeArguments {
    var values: [String: String] = [:]
    var flags: Set<String> = []

    static let options: Set<String> = ["cache", "nodes", "lanes", "salt", "change", "large-every", "j", "hold-after",
                                       "ready-file"]
    static let knownFlags: Set<String> = ["all-targets", "verify", "fail-fast", "start-only"]

    init(_ arguments: ArraySlice<String>) throws(ProbeError) {
        var rest = arguments
        while let word = rest.popFirst() {
            let name = String(word.drop { $0 == "-" })
            if Self.knownFlags.contains(name) {
                flags.insert(name)
            } else if Self.options.contains(name), let value = rest.popFirst() {
                values[name] = value
            } else {
                throw ProbeError("unknown or incomplete argument \(word)")
            }
        }
    }

    func int(_ name: String, default value: Int) throws(ProbeError) -> Int {
        guard let text = values[name] else { return value }
        guard let number = Int(text), number >= 0 else {
            throw ProbeError("--\(name) \(text): expected a whole number ≥ 0")
        }
        return number
    }
}

struct ProbeError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// `--hold-after N --ready-file F` (for the interrupt test): once N nodes have settled, every
/// worker that reports progress spins, busy, until the run is cancelled (at most 30 s after the
/// start; then `hold_expired` in the summary says the signal was not served), and the file F is
/// created to tell the test that the run now waits for its signal. The workers stay runnable, as
/// in a real run, so a signal handler that needs a free worker thread is not served.
func hold(_ a: ProbeArguments, until flag: CancellationFlag, expired: CancellationFlag)
    throws(ProbeError) -> (@Sendable (Int, Int) -> Void)? {
    guard let readyFile = a.values["ready-file"] else { return nil }
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

func probe() throws -> Int32 {
    let a = try ProbeArguments(CommandLine.arguments.dropFirst())
    if a.flags.contains("start-only") { return 0 }
    guard let root = a.values["cache"] else { throw ProbeError("--cache DIR is required") }
    let workload = SyntheticWorkload(nodes: try a.int("nodes", default: 1000), lanes: try a.int("lanes", default: 64),
                                     salt: Int64(try a.int("salt", default: 0)),
                                     changed: a.values["change"].flatMap { Int($0) },
                                     largeEvery: try a.int("large-every", default: 0))
    let interrupts = Interrupts()
    let holdExpired = CancellationFlag()
    let began = DispatchTime.now().uptimeNanoseconds
    let cache = try LocalCache(root: root)
    let (graph, final, all) = workload.build()
    let options = BuildOptions(jobs: max(1, try a.int("j", default: ProcessInfo.processInfo.activeProcessorCount)),
                               failFast: a.flags.contains("fail-fast"), verify: a.flags.contains("verify"),
                               cancellation: interrupts.flag,
                               progress: try hold(a, until: interrupts.flag, expired: holdExpired))
    let targets = a.flags.contains("all-targets") ? all : [final]
    let result = Executor(store: cache, options: options).build(graph, targets: targets)
    cache.flush()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
    let fields: [(String, String)] = [
        ("executed", "\(result.log.count(.executed))"), ("hit", "\(result.log.count(.hit))"),
        ("cutoff", "\(result.log.count(.cutoff))"), ("failed", "\(result.failures.count)"),
        ("mismatches", "\(result.mismatches.count)"), ("cancelled", "\(result.cancelled)"),
        ("outputs", "\(result.outputs.count)"), ("output", "\"\(result.outputs[final]?.digest.hex ?? "")\""),
        ("seconds", "\(seconds)"), ("hold_expired", "\(holdExpired.isCancelled)"), ("unstored", "\(result.unstored)"),
    ]
    print("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
    if result.cancelled { return 130 }
    return result.succeeded ? 0 : 1
}

do {
    exit(try probe())
} catch let error as ProbeError {
    FileHandle.standardError.write(Data("engine-probe: \(error.message)\n".utf8))
    exit(2)
} catch {
    FileHandle.standardError.write(Data("engine-probe: \(error)\n".utf8))
    exit(2)
}
