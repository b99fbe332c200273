import Dispatch
import Foundation
import Tasks

/// `accomake bench layer [--lpf N] [--objective …] [--repeat R] [--json]`
///
/// Times the LOMA search on the golden layer (projects/examples/golden-layer, or the files given
/// with --hardware/--workload/--mapping/--layer): the fast search (best of R runs) and, for the
/// ratio, one run of the plain enumeration that the tests use as the oracle.
enum LayerBench {
    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, help: .named("bench layer"))
        let lpf = try a.int("lpf", default: 6, range: 1...12)
        let repeats = try a.int("repeat", default: 5, range: 1...1000)
        let objective = try a.objective()
        let folder = "projects/examples/golden-layer"
        let files = ProblemFiles(hardware: a.value("hardware") ?? folder + "/hardware.json",
                                 workload: a.value("workload") ?? folder + "/workload.json",
                                 mapping: a.value("mapping") ?? folder + "/mapping.json")
        let (layer, core) = try ProblemLoader.layer(files, id: try a.int("layer", default: 0, range: Int.min...Int.max))

        func time(_ body: () throws -> LayerSearchResult) rethrows -> (Double, LayerSearchResult) {
            let began = DispatchTime.now().uptimeNanoseconds
            let result = try body()
            return (Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9, result)
        }
        var best = Double.infinity
        var result: LayerSearchResult?
        for _ in 0..<repeats {
            let (t, r) = try time { try FastLayerSearch.run(layer: layer, core: core, lpfLimit: lpf,
                                                            objective: objective) }
            best = min(best, t)
            result = r
        }
        guard let result else { return 1 }
        var plainSeconds: Double?
        if !a.flag("no-plain") {
            let (t, plain) = try time { try PlainLayerSearch.run(layer: layer, core: core, lpfLimit: lpf,
                                                                 objective: objective) }
            plainSeconds = t
            guard objective.key(plain.evaluation) == objective.key(result.evaluation),
                plain.ordering == result.ordering else {
                throw UsageError("bench layer: the fast and plain searches disagree; this is a bug")
            }
        }
        let orderings = result.orderingsEvaluated
        let target = lpf <= 6 ? 0.005 : 0.3
        var fields: [(String, JSONText)] = [
            ("lpf", .int(lpf)), ("objective", .string(objective.rawValue)),
            ("orderings", .int(orderings)),
            ("search_seconds", .number(BenchCommand.round6(best))),
            ("orderings_per_second", .number((Double(orderings) / best).rounded())),
            ("target_seconds", .number(target)),
            ("ratio_to_target", .number(BenchCommand.round6(best / target))),
            ("energy_total", .number(result.evaluation.energyTotal)),
            ("latency_total2", .int(result.evaluation.latencyTotal2)),
        ]
        if let plainSeconds {
            fields.append(("plain_search_seconds", .number(BenchCommand.round6(plainSeconds))))
            fields.append(("speedup_over_plain", .number((plainSeconds / best * 10).rounded() / 10)))
            fields.append(("speedup_over_reference_4s", .number((4.0 / best).rounded())))
        }
        if a.flag("json") {
            print(JSONText.object(fields).rendered())
        } else {
            print("layer search benchmark: \(files.workload) layer \(layer.id), lpf \(lpf), "
                + "objective \(objective.rawValue)")
            print("  orderings            \(orderings)")
            print("  fast search          \(BenchCommand.ms(best)) (best of \(repeats)), target ≤ "
                + "\(BenchCommand.ms(target))")
            print("  orderings per second \(Int(Double(orderings) / best))")
            if let plainSeconds {
                print("  plain enumeration    \(BenchCommand.ms(plainSeconds)) "
                    + "(×\(BenchCommand.fmt(plainSeconds / best)) slower); reference implementation ≈ 4.0 s")
            }
        }
        return 0
    }
}

