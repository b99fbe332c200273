import Cache
import Dispatch
import Foundation
import Glibc
import Graph
import Tasks

/// `accomake bench trunk [--tile XxY] [--json]`: seldnet_oxoy_M on Meta_prototype_DF, all 36
/// ranges, fully cached, energy objective (the reference implementation: 770 s of CPU and 418 MB
/// for the 2 × 1 point). Cold on a fresh cache, then warm on the same cache, in this process.
enum TrunkBench {
    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, help: .named("bench trunk"))
        let (tileX, tileY) = try a.tile(default: "2x1")
        let jobs = try a.jobs(default: ProcessInfo.processInfo.activeProcessorCount)
        let files = ProblemFiles(hardware: "projects/hardware/meta_prototype_df.json",
                                 workload: "projects/workloads/seldnet_oxoy_m.json",
                                 mapping: "projects/mappings/meta_prototype_df.json")
        let folder = NSTemporaryDirectory() + "/accomake-trunk-bench-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func once() throws -> (seconds: Double, result: BuildResult, ranges: Int) {
            let began = DispatchTime.now().uptimeNanoseconds
            let study = try TrunkCommand.build(files: files, tileX: tileX, tileY: tileY, mode: .fullyCached,
                                               objective: .energy, lpf: 6, userCuts: [], maxCuts: 2, only: nil)
            let cache = try LocalCache(root: folder)
            let result = Executor(store: cache, options: BuildOptions(jobs: jobs)).build(study.graph,
                targets: study.targets)
            cache.flush()
            if let failure = result.failures.first { throw UsageError("bench trunk: \(failure)") }
            return (Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9, result, study.ranges.count)
        }
        let cold = try once()
        let warm = try once()
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peakMB = Double(usage.ru_maxrss) / 1024
        let fields: [(String, JSONText)] = [
            ("tile", .array([.int(tileX), .int(tileY)])), ("ranges", .int(cold.ranges)), ("jobs", .int(jobs)),
            ("cold_seconds", .number(BenchCommand.round6(cold.seconds))),
            ("warm_seconds", .number(BenchCommand.round6(warm.seconds))),
            ("nodes_executed", .int(cold.result.log.count(.executed))),
            ("warm_cache_hits", .int(warm.result.log.count(.hit))),
            ("warm_nodes_executed", .int(warm.result.log.count(.executed))),
            ("peak_memory_mb", .number((peakMB * 10).rounded() / 10)),
            ("target_cold_seconds", .number(2)), ("target_warm_seconds", .number(0.05)),
            ("target_memory_mb", .number(100)),
            ("speedup_over_reference_770s", .number((770 / cold.seconds).rounded())),
        ]
        if a.flag("json") {
            print(JSONText.object(fields).rendered())
        } else {
            print("trunk benchmark: seldnet_oxoy_M, Meta_prototype_DF, \(cold.ranges) ranges, tile \(tileX)×\(tileY), "
                + "fully cached, energy, -j \(jobs)")
            print("  cold  \(BenchCommand.ms(cold.seconds)) (target ≤ 2 s; reference 770 s CPU), "
                + "\(cold.result.log.count(.executed)) nodes computed")
            print("  warm  \(BenchCommand.ms(warm.seconds)) (target ≤ 50 ms), \(warm.result.log.count(.hit)) cache "
                + "hits, \(warm.result.log.count(.executed)) computed")
            print("  peak memory \(BenchCommand.fmt(peakMB)) MB (target ≤ 100 MB; reference 418 MB)")
        }
        return 0
    }
}
