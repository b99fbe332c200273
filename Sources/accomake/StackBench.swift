import Cache
import Dispatch
import Foundation
import Graph
import Tasks

/// `accomake bench stack [--lpf N] [-j N] [--json] [--skip-fsrcnn]`
///
/// (1) The DeFiNES 3-layer stack, fully cached 8×8 (reference: 52 s CPU); (2) the DeFiNES FSRCNN
/// case study on Meta_prototype_DF: 3 modes × tile x {1, 4, 16, 60, 240, 960} × tile y
/// {1, 4, 18, 72, 270, 540} = 108 schedules (reference: 45 min at lpf 6, 18 h at lpf 8). Each
/// runs cold on a fresh cache, then warm (a second run on the same cache).
enum StackBench {
    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, help: .named("bench stack"))
        let lpf = try a.int("lpf", default: 6, range: 1...12)
        let jobs = try a.jobs(default: ProcessInfo.processInfo.activeProcessorCount)
        var fields: [(String, JSONText)] = [("lpf", .int(lpf)), ("jobs", .int(jobs))]

        let three = "projects/examples/defines-3layer"
        let small = try measure(files: ProblemFiles(hardware: three + "/hardware.json",
                                                    workload: three + "/workload.json",
                                                    mapping: three + "/mapping.json"),
                                schedules: [(.fullyCached, 8, 8)], lpf: lpf, jobs: jobs)
        fields += [("three_layer_cold_seconds", .number(BenchCommand.round6(small.cold))),
                   ("three_layer_warm_seconds", .number(BenchCommand.round6(small.warm))),
                   ("three_layer_nodes_executed", .int(small.executed)),
                   ("three_layer_energy_total", .number(small.energy)),
                   ("three_layer_target_seconds", .number(0.2))]
        var fsrcnn: (cold: Double, warm: Double, executed: Int, hits: Int, energy: Double)?
        if !a.flag("skip-fsrcnn") {
            var schedules: [(CachingMode, Int, Int)] = []
            for mode in [CachingMode.recompute, .hCached, .fullyCached] {
                for x in [1, 4, 16, 60, 240, 960] {
                    for y in [1, 4, 18, 72, 270, 540] { schedules.append((mode, x, y)) }
                }
            }
            schedules = Array(schedules.prefix(try a.int("schedules", default: schedules.count,
                                                         range: 1...schedules.count)))
            fsrcnn = try measure(files: ProblemFiles(hardware: "projects/hardware/meta_prototype_df.json",
                                                     workload: "projects/workloads/fsrcnn.json",
                                                     mapping: "projects/mappings/meta_prototype_df.json"),
                                 schedules: schedules, lpf: lpf, jobs: jobs)
            if let f = fsrcnn {
                fields += [("fsrcnn_schedules", .int(schedules.count)),
                           ("fsrcnn_cold_seconds", .number(BenchCommand.round6(f.cold))),
                           ("fsrcnn_warm_seconds", .number(BenchCommand.round6(f.warm))),
                           ("fsrcnn_nodes_executed", .int(f.executed)), ("fsrcnn_warm_cache_hits", .int(f.hits)),
                           ("fsrcnn_target_cold_seconds", .number(lpf <= 6 ? 30 : 600)),
                           ("fsrcnn_target_warm_seconds", .number(1))]
            }
        }
        if a.flag("json") {
            print(JSONText.object(fields).rendered())
        } else {
            print("stack benchmark, lpf \(lpf), -j \(jobs), fresh cache:")
            print("  3-layer, fully cached 8×8   cold \(BenchCommand.ms(small.cold)) (target ≤ 200 ms; reference 52 "
                + "s), warm \(BenchCommand.ms(small.warm)), \(small.executed) nodes")
            if let f = fsrcnn {
                let (target, reference) = lpf <= 6 ? ("30 s", "45 min") : ("10 min", "18 h")
                print("  FSRCNN, 108 schedules       cold \(BenchCommand.fmt(f.cold)) s (target ≤ \(target); "
                      + "reference \(reference)), warm \(BenchCommand.ms(f.warm)) (target ≤ 1 s)")
                print("                              \(f.executed) nodes computed cold; \(f.hits) cache hits warm")
            }
        }
        return 0
    }

    static func measure(files: ProblemFiles, schedules: [(CachingMode, Int, Int)], lpf: Int, jobs: Int) throws
        -> (cold: Double, warm: Double, executed: Int, hits: Int, energy: Double)
    {
        let folder = NSTemporaryDirectory() + "/accomake-stack-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func once() throws -> (Double, BuildResult, [NodeID]) {
            let began = DispatchTime.now().uptimeNanoseconds
            let (network, core) = try ProblemLoader.network(files)
            let trunks = try network.trunks(cuts: StackCuts.forward(network, core))
            let (graph, targets) = try ExplorationGraph.stacks(trunks.map(\.network), core: core,
                                                               schedules: schedules.map { .init($0.0, $0.1, $0.2) },
                                                               lpf: lpf, objective: .energy)
            let cache = try LocalCache(root: folder)
            let result = Executor(store: cache, options: BuildOptions(jobs: jobs)).build(graph, targets: targets)
            cache.flush()
            if let failure = result.failures.first { throw UsageError("bench stack: \(failure)") }
            return (Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9, result, targets)
        }
        let (cold, first, targets) = try once()
        let (warm, second, _) = try once()
        let energy = try targets.reduce(0.0) { sum, n in
            guard let artifact = first.outputs[n] else { return sum }
            return sum + (try StackTask.result(artifact)).energyTotal
        }
        return (cold, warm, first.log.count(.executed), second.log.count(.hit), energy)
    }
}
