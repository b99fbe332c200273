import Foundation
import Graph
import Tasks

/// `accomake layer --hardware FILE --workload FILE --mapping FILE --layer ID
///  [--objective energy|latency|edp] [--lpf N] [--json] [--cache DIR]`
///
/// Searches one layer's temporal mapping through the engine (so the result comes from, and goes
/// to, the cache) and prints the mapping, the accesses and energy per level and direction, and
/// the totals.
enum LayerCommand {
    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, help: .named("layer"))
        let files = try a.problemFiles("layer")
        guard let idText = a.value("layer"), let id = Int(idText) else {
            throw UsageError("layer: --layer ID is required (a layer id of the workload)")
        }
        let objective = try a.objective()
        let lpf = try a.int("lpf", default: 6, range: 1...12)
        let (layer, core) = try ProblemLoader.layer(files, id: id)

        var graph = Graph()
        let node = try graph.add(LayerSearchTask.operator, LayerSearchTask.params(layer: layer, core: core,
            lpfLimit: lpf, objective: objective))
        let cache = try CacheLocation.open(a)
        let outcome = Executor(store: cache, options: BuildOptions(jobs: 1)).build(graph, targets: [node])
        try CacheLocation.finish(cache)
        if let failure = outcome.failures.first { throw UsageError("layer \(id): \(failure.message)") }
        guard let artifact = outcome.outputs[node] else { throw UsageError("layer \(id): no result (interrupted)") }
        guard let result = try LayerSearchTask.result(artifact) else {
            throw UsageError("layer \(id): no temporal mapping fits the memory hierarchy of \(files.hardware)")
        }
        let source = outcome.log.count(.executed) > 0 ? "computed" : "from cache"
        let e = result.evaluation
        let ops = layer.operands.map(\.name)
        if a.flag("json") {
            let mapping: [(String, JSONText)] = ops.map { op in
                let memories = core.levels(of: layer.memoryOperandLinks[op] ?? "")
                return (op, .array((e.temporalMapping[op] ?? []).enumerated().map { l, loops in
                    .object([("memory", .string(l < memories.count ? core.memories[memories[l]].name : "?")),
                             ("loops", .array(loops.map { .array([.string($0.dim), .number($0.size)]) }))])
                }))
            }
            let levels: [JSONText] = e.levels.map { l in
                .object([("operand", .string(l.operand)), ("level", .int(l.level)), ("memory", .string(l.memory))]
                    + Direction.allCases.map { ($0.rawValue, JSONText.number(l.accesses[$0] ?? 0)) }
                    + [("energy", .number(l.energy))])
            }
            let object: JSONText = .object([
                ("layer", .int(id)), ("objective", .string(objective.rawValue)), ("lpf", .int(lpf)),
                ("energy_total", .number(e.energyTotal)), ("mac_energy", .number(e.macEnergy)),
                ("memory_energy", .number(e.memoryEnergy)),
                ("latency_total0", .int(e.latencyTotal0)), ("latency_total1", .int(e.latencyTotal1)),
                ("latency_total2", .int(e.latencyTotal2)), ("ideal_cycle", .int(e.idealCycle)),
                ("stall_slack", .int(e.stallSlack)), ("onload", .int(e.onload)), ("offload", .int(e.offload)),
                ("orderings_evaluated", .int(result.orderingsEvaluated)),
                ("ordering", .array(result.ordering.map { .string($0.description) })),
                ("mapping", .object(mapping)), ("levels", .array(levels)), ("source", .string(source)),
            ])
            print(object.rendered())
            return 0
        }
        print("layer \(id)\(layer.name.isEmpty ? "" : " (\(layer.name))") on \(core.name): objective "
            + "\(objective.rawValue), lpf \(lpf), \(result.orderingsEvaluated) orderings evaluated (\(source))")
        print("temporal mapping, innermost first:")
        for op in ops {
            let memories = core.levels(of: layer.memoryOperandLinks[op] ?? "")
            let text = (e.temporalMapping[op] ?? []).enumerated().map { l, loops in
                let memory = l < memories.count ? core.memories[memories[l]].name : "?"
                return "\(memory) [\(loops.map(\.description).joined(separator: " "))]"
            }
            print("  \(op.padding(toLength: 3, withPad: " ", startingAt: 0)) " + text.joined(separator: " | "))
        }
        print("word accesses and energy per level:")
        let header = ["operand", "memory", "rd_out_to_low", "wr_in_by_low", "rd_out_to_high", "wr_in_by_high",
                      "energy pJ"]
        var rows = [header]
        for l in e.levels {
            rows.append([l.operand,
                         l.memory] + Direction.allCases.map { number(l.accesses[$0] ?? 0) } + [number(l.energy)])
        }
        let widths = header.indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        for row in rows {
            print("  " + row.enumerated().map { c, cell in
                c < 2 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                      : String(repeating: " ", count: widths[c] - cell.count) + cell
            }.joined(separator: "  "))
        }
        print("energy: \(number(e.energyTotal)) pJ (MAC \(number(e.macEnergy)), memory \(number(e.memoryEnergy)))")
        print("latency: total0 \(e.latencyTotal0), total1 \(e.latencyTotal1), total2 \(e.latencyTotal2) cycles (ideal "
            + "\(e.idealCycle), stall \(e.stallSlack), on-load \(e.onload), off-load \(e.offload))")
        return 0
    }

    /// For reading: whole numbers without a fraction, others to two decimals (JSON output keeps
    /// every digit).
    static func number(_ x: Double) -> String {
        if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
        return abs(x) >= 1 ? String(format: "%.2f", x) : String(format: "%.6g", x)
    }
}
