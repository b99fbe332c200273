import Cache
import Dispatch
import Foundation
import Graph

/// `accomake _engine-run`: builds the synthetic workload on a cache and prints one JSON line
/// with the outcome. Used by `bench engine` (so that each run is a separate process, start-up
/// included) and by the crash and multi-process tests. Not part of the documented interface.
enum EngineRunCommand {
    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, command: "_engine-run",
                              options: ["cache", "nodes", "lanes", "salt", "change", "j", "jobs"],
                              flags: ["all-targets", "verify", "fail-fast"])
        let workload = SyntheticWorkload(nodes: try a.int("nodes", default: 1000),
                                         lanes: try a.int("lanes", default: 64),
                                         salt: Int64(try a.int("salt", default: 0, range: 0...Int.max)),
                                         changed: a.value("change").flatMap { Int($0) })
        let interrupts = Interrupts()
        let began = DispatchTime.now().uptimeNanoseconds
        let cache = try CacheLocation.open(a)
        let (graph, final, all) = workload.build()
        let options = BuildOptions(jobs: try a.jobs(default: ProcessInfo.processInfo.activeProcessorCount),
                                   failFast: a.flag("fail-fast"), verify: a.flag("verify"),
                                   cancellation: interrupts.flag)
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
        ])
        print(summary.rendered(pretty: false))
        if result.cancelled { return 130 }
        return result.succeeded ? 0 : 1
    }
}
