import Cache
import Foundation
import Graph
import Tasks

/// Runs a command's graph on its cache (`--cache`), with `-j`, Ctrl-C handling and the progress
/// line; a failed node becomes one error line naming the command.
enum EngineSession {
    /// The build's result, or `nil` when the user interrupted it (exit 130; the next run resumes).
    /// - Parameter context: what the command knows about a failed node (its name, the hardware
    ///   file), put before the failure's message.
    /// - Parameter closureKeys: answer unchanged subgraphs at their top (`BuildOptions`); study
    ///   runs do, unless `--no-shortcut` asks for the whole walk.
    /// - Parameter cancellation: the flag of signal handlers the caller installed for longer than
    ///   this build (`run --watch`); without it the build installs its own.
    static func build(_ graph: Graph, targets: [NodeID], _ a: Arguments, command: String,
                      cache opened: LocalCache? = nil, remote: RemoteUse = .fromArguments,
                      context: (NodeID) -> String? = { _ in nil },
                      keepGoing: (Failure) -> Bool = { _ in false },
                      closureKeys: Bool = false,
                      cancellation: CancellationFlag? = nil) throws -> BuildResult? {
        let cache = try opened ?? CacheLocation.open(a)
        let shared: RemoteCache?
        switch remote {
        case .fromArguments:
            shared = try RemoteLocation.open(a)
        case .given(let given):
            shared = given
        }
        defer { if case .fromArguments = remote, let shared { RemoteLocation.finish(shared) } }
        let interrupts = cancellation == nil ? Interrupts() : nil
        let progress = ProgressLine()
        // `cache verify --deep` is a verify run that may sample and that evicts what differs.
        let deep = a.flag("deep"), verify = a.flag("verify") || deep
        var options = BuildOptions(jobs: try a.jobs(default: ProcessInfo.processInfo.activeProcessorCount),
                                   verify: verify, verifyPercent: try a.int("sample", default: 100, range: 1...100),
                                   cancellation: cancellation ?? interrupts?.flag, progress: progress.update,
                                   remote: shared)
        options.closureKeys = closureKeys
        let outcome = Executor(store: cache, options: options).build(graph, targets: targets)
        if deep {
            for event in outcome.log.events where event.kind == .mismatch { event.key.map(cache.forget) }
        }
        progress.finish()
        try CacheLocation.finish(cache)
        if outcome.unstored > 0 {
            let message = "accomake: warning: \(outcome.unstored) computed results could not be written to "
                + "the cache at \(cache.root) (\(outcome.unstoredError ?? "?")); the answers are complete, "
                + "and the next run computes those results again\n"
            FileHandle.standardError.write(Data(message.utf8))
        }
        if let failure = outcome.failures.first(where: { !keepGoing($0) }) {
            throw UsageError("\(command): " + (context(failure.node).map { "\($0): " } ?? "") + failure.message)
        }
        if outcome.cancelled { return nil }
        if verify { try report(verification: outcome, command: command, evicted: deep) }
        return outcome
    }

    /// `--verify` (engine.md §7, G12): every node was recomputed and compared with its cached
    /// output. All equal: one line on stderr. Any different: the failure names each operator
    /// and the first differing node, and the command exits with status 1.
    /// - Parameter evicted: the differing entries were evicted (`cache verify --deep`).
    static func report(verification outcome: BuildResult, command: String, evicted: Bool) throws {
        let recomputed = outcome.log.count(.executed), compared = outcome.verified
        guard let first = outcome.mismatches.first else {
            let fresh = recomputed - compared
            let uncached = fresh > 0 ? "; \(TextColumns.count(fresh, "node")) \(fresh == 1 ? "was" : "were") not "
                + "cached yet (computed, nothing to compare)" : ""
            let message = "\(command) --verify: \(compared) recomputed outputs equal the cached ones\(uncached)\n"
            FileHandle.standardError.write(Data(message.utf8))
            return
        }
        var perOperator: [String: Int] = [:]
        for m in outcome.mismatches { perOperator[m.op, default: 0] += 1 }
        let counts = perOperator.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
        let eviction = evicted ? ", evicted: the next run computes them again" : ""
        throw VerificationFailure(description: "\(command) --verify: \(outcome.mismatches.count) of \(compared) "
                                      + "recomputed outputs differ from the cache (\(counts))\(eviction); "
                                      + "first: \(first)")
    }
}

/// Where a build's remote cache comes from: opened from the command's arguments (and finished
/// when the build ends), or given by a caller that uses it for more than the build (`run`'s shortcut).
enum RemoteUse {
    case fromArguments
    case given(RemoteCache?)
}

/// Some recomputed output differed from the cache: a non-deterministic operator, or a model
/// change made without bumping the operator's version. Exit status 1.
struct VerificationFailure: Error, CustomStringConvertible {
    let description: String
}
