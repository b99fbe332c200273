import Tasks
import Dispatch
import Foundation
import Graph

/// `accomake bench engine --nodes N [--lanes L] [-j N] [--json]`
///
/// Builds the synthetic workload in a fresh cache, each phase in its own process (start-up
/// included, as a user would see it), and prints the figures the engine issue sets targets for:
/// cold build, no-op rerun, executor overhead per executed node and restore cost per cached node.
enum BenchCommand {
    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        guard let what = args.first else {
            throw UsageError("bench: say what to measure: accomake bench engine --nodes N")
        }
        switch what {
        case "engine": return try engine(args.dropFirst())
        case "layer": return try LayerBench.run(args.dropFirst())
        case "stack": return try StackBench.run(args.dropFirst())
        case "trunk": return try TrunkBench.run(args.dropFirst())
        case "study": return try StudyBench.run(args.dropFirst())
        case "parse": return try ParseBench.run(args.dropFirst())
        case "read": return try ReadBench.run(args.dropFirst())
        case "remote": return try RemoteBench.run(args.dropFirst())
        default: throw UsageError("bench: unknown benchmark \(what) (known: engine, layer, stack, trunk, study, parse, "
                                  + "read, remote)")
        }
    }

    static func engine(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, help: .named("bench engine"))
        let nodes = try a.int("nodes", default: 10_000)
        let lanes = try a.int("lanes", default: 64)
        let jobs = try a.jobs(default: ProcessInfo.processInfo.activeProcessorCount)
        let cacheDir = NSTemporaryDirectory() + "/accomake-bench-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: cacheDir) }
        // The engine runs in `engine-probe` (the synthetic workload, no CNN), built beside us.
        let probe = URL(fileURLWithPath: ChildProcess.currentExecutable).deletingLastPathComponent()
            .appendingPathComponent("engine-probe").path
        guard FileManager.default.isExecutableFile(atPath: probe) else {
            throw UsageError("bench engine: \(probe) is missing; build it with "
                             + "swift build -c release --product engine-probe")
        }
        let common = ["--cache", cacheDir, "--nodes", String(nodes), "--lanes", String(lanes), "-j", String(jobs)]

        func timed(_ arguments: [String]) throws -> (seconds: Double, summary: [String: Any]) {
            let began = DispatchTime.now().uptimeNanoseconds
            let (status, output) = try ChildProcess(probe, arguments).finish()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
            guard status == 0 else {
                throw UsageError("bench: \(arguments.first ?? "") exited with status \(status)")
            }
            let summary = (try? JSONSerialization.jsonObject(with: Data(output))) as? [String: Any] ?? [:]
            return (seconds, summary)
        }

        // Process start-up, measured as the best of five runs that stop after reading their arguments.
        var start = Double.infinity
        for _ in 0..<5 { start = min(start, try timed(["--start-only"]).seconds) }
        let cold = try timed(common)
        let noop = try timed(common)
        let restore = try timed(["--all-targets"] + common)
        guard noop.summary["executed"] as? Int == 0, restore.summary["executed"] as? Int == 0 else {
            throw UsageError("bench: the rerun executed nodes; the cache did not hold the first run's results")
        }
        let n = Double(nodes + 1)
        let overhead = max(0, cold.seconds - start) / n * 1e6
        let restoreEach = max(0, restore.seconds - start) / n * 1e6
        let noopBudget = nodes <= 10_000 ? 0.1 : 0.6 * Double(nodes) / 100_000
        let figures: [(String, JSONText)] = [
            ("nodes", .int(nodes + 1)),
            ("jobs", .int(jobs)),
            ("process_start_seconds", .number(round6(start))),
            ("cold_seconds", .number(round6(cold.seconds))),
            ("noop_seconds", .number(round6(noop.seconds))),
            ("noop_marginal_us_per_node", .number(round6(max(0, noop.seconds - start) / n * 1e6))),
            ("per_node_overhead_us", .number(round6(overhead))),
            ("hit_restore_us", .number(round6(restoreEach))),
            ("noop_target_seconds", .number(noopBudget)),
            ("noop_ratio_to_target", .number(round6(noop.seconds / noopBudget))),
            ("overhead_ratio_to_target", .number(round6(overhead / 50))),
            ("restore_ratio_to_target", .number(round6(restoreEach / 100))),
        ]
        if a.flag("json") {
            print(JSONText.object(figures).rendered())
        } else {
            print("engine benchmark: \(nodes + 1) nodes, -j \(jobs), fresh cache, each phase a new process")
            print("  process start        \(ms(start))")
            print("  cold build           \(ms(cold.seconds))   \(fmt(overhead)) µs per executed node (target ≤ 50)")
            print("  no-op rerun          \(ms(noop.seconds))   target ≤ \(ms(noopBudget)), ratio "
                + "\(fmt(noop.seconds / noopBudget))")
            print("  restore all outputs  \(ms(restore.seconds))   \(fmt(restoreEach)) µs per "
                + "cached node (target ≤ 100)")
        }
        return 0
    }

    static func round6(_ x: Double) -> Double { (x * 1e6).rounded() / 1e6 }
    static func ms(_ s: Double) -> String { fmt(s * 1000) + " ms" }
    static func fmt(_ x: Double) -> String { String(format: "%.2f", x) }
}
