import Foundation
import Graph
import Tasks

/// `accomake stack --hardware F --workload F --mapping F --tile XxY --mode recompute|h-cached|fully-cached
///  [--objective energy|latency] [--lpf N] [--cuts A,B] [--json] [--cache DIR] [-j N]`
///
/// Depth-first evaluation of the network split at the weight-overflow cuts (and the given
/// ones): per trunk the tile types, where data lives, per-key energy and latency, and totals.
enum StackCommand {
    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, help: .named("stack"))
        let files = try a.problemFiles("stack")
        let (tileX, tileY) = try a.tile()
        let mode = try a.cachingMode("stack")
        let objective = try a.objective()
        let lpf = try a.int("lpf", default: 6, range: 1...12)
        let userCuts = try cuts(a.value("cuts"))
        let (network, core) = try ProblemLoader.network(files)
        let layers = network.nodes.filter { !$0.isInput }.map(\.id)
        for cut in userCuts where !layers.dropLast().contains(cut) {
            let why = layers.last == cut ? "layer \(cut) is the last layer, so nothing follows the cut"
                                         : "\(files.workload) has no layer \(cut)"
            let allowed = layers.dropLast().map(String.init).joined(separator: ", ")
            throw UsageError("stack: --cuts \(cut): \(why); cut after one of \(allowed)")
        }
        let cuts = Array(Set(StackCuts.forward(network, core) + userCuts)).sorted()
        let trunks = try network.trunks(cuts: cuts)
        let (graph, nodes) = try ExplorationGraph.stacks(trunks.map(\.network), core: core,
                                                         schedules: [.init(mode, tileX, tileY)], lpf: lpf,
                                                         objective: objective)
        guard let outcome = try EngineSession.build(graph, targets: nodes, a, command: "stack",
                                                    context: { _ in "\(files.hardware) with "
                                                        + "\(files.workload)" }) else { return 130 }
        var results: [StackResult] = []
        for n in nodes {
            guard let artifact = outcome.outputs[n] else { throw UsageError("stack: no result") }
            results.append(try StackTask.result(artifact))
        }
        let energy = results.reduce(0) { $0 + $1.energyTotal }
        let latency = results.reduce(0) { $0 + $1.latencyTotal }
        let latency1 = results.reduce(0) { $0 + $1.latencyTotal1 }
        let executed = outcome.log.count(.executed), cached = outcome.log.count(.hit) + outcome.log.count(.cutoff)
        if a.flag("json") {
            let keys: [JSONText] = results.flatMap { r in
                r.keys.map { k in
                    JSONText.object([("key", .string(k)), ("energy", .number(r.energy(k))),
                                     ("latency_total", .int(r.latency(k))), ("latency_total1", .int(r.latency1(k)))])
                }
            }
            let trunkList: [JSONText] = zip(trunks, results).map { t, r in
                .object([("cut_before", t.after.map { .int($0) } ?? .null),
                         ("cut_after", t.through.map { .int($0) } ?? .null),
                         ("energy_total", .number(r.energyTotal)), ("latency_total", .int(r.latencyTotal)),
                         ("latency_total1", .int(r.latencyTotal1)),
                         ("tile_type_counts", .array(r.tileTypeCounts.map { .int($0) })),
                         ("placements", .array(r.placements.map { p in
                             .object([("tile", .array([.int(p.width), .int(p.height)])), ("count", .int(p.count)),
                                      ("h_cache", p.hCache.map(JSONText.string) ?? .null),
                                      ("v_cache", p.vCache.map(JSONText.string) ?? .null),
                                      ("weights", .string(p.weights)),
                                      ("nodes", .array(p.nodes.map { .object([("node", .int($0.node)),
                                                                              ("input", .string($0.input)),
                                                                               ("output", .string($0.output))]) }))])
                         }))])
            }
            print(JSONText.object([
                ("tile", .array([.int(tileX), .int(tileY)])), ("mode", .string(mode.description)),
                ("objective", .string(objective.rawValue)), ("lpf", .int(lpf)), ("cuts", .array(cuts.map { .int($0) })),
                ("energy_total", .number(energy)), ("latency_total", .int(latency)), ("latency_total1", .int(latency1)),
                ("tile_type_counts", .array(results.flatMap(\.tileTypeCounts).map { .int($0) })),
                ("keys", .array(keys)), ("trunks", .array(trunkList)),
                ("nodes_executed", .int(executed)), ("nodes_cached", .int(cached)),
            ]).rendered())
            return 0
        }
        print("stack: \(files.workload) on \(core.name), tile \(tileX)×\(tileY), \(mode), objective "
            + "\(objective.rawValue), lpf \(lpf)")
        print("cuts: \(cuts.isEmpty ? "none" : cuts.map(String.init).joined(separator: ", ")); "
            + "\(TextColumns.count(executed, "node")) computed, \(cached) from cache")
        for (t, r) in zip(trunks, results) {
            print("trunk (\(t.after.map(String.init) ?? "none"), \(t.through.map(String.init) ?? "none")): "
                + "\(TextColumns.count(r.placements.count, "tile type")), \(r.columns)×\(r.rows) tiles")
            print("  tiles  size     H cache       V cache       weights       inputs → output per node")
            for p in r.placements {
                let head = "  " + [TextColumns.pad(String(p.count), 5), TextColumns.pad("\(p.width)×\(p.height)", 7),
                                   TextColumns.pad(p.hCache ?? "-", 12), TextColumns.pad(p.vCache ?? "-", 12),
                                   TextColumns.pad(p.weights, 12)].joined(separator: "  ") + "  "
                // The per-node placements wrap under their column, so a line stays within 120 columns.
                var line = head
                for (i, n) in p.nodes.enumerated() {
                    let item = "\(n.node): \(n.input)→\(n.output)" + (i < p.nodes.count - 1 ? "," : "")
                    if line.count + item.count + 1 > 120, line.count > head.count {
                        print(line)
                        line = String(repeating: " ", count: head.count)
                    }
                    line += (line.count > head.count ? " " : "") + item
                }
                print(line)
            }
            print("  key                                   energy pJ      latency  latency1")
            for k in r.keys {
                print("  " + TextColumns.pad(k, 36) + "  " + TextColumns.lpad(LayerCommand.number(r.energy(k)),
                    14) + "  "
                      + TextColumns.lpad(String(r.latency(k)), 8) + "  " + TextColumns.lpad(String(r.latency1(k)), 8))
            }
        }
        print("total: energy \(LayerCommand.number(energy)) pJ, latency \(latency) cycles (Σ latency_total2; "
            + "DeFiNES-style Σ latency_total1: \(latency1))")
        return 0
    }

    /// `--cuts 3,7`: layer ids after which to cut.
    static func cuts(_ text: String?) throws -> [Int] {
        guard let text else { return [] }
        return try text.split(separator: ",").map { part in
            guard let c = Int(part.trimmingCharacters(in: .whitespaces)) else {
                throw UsageError("--cuts \(text): expected layer ids like 3,7")
            }
            return c
        }
    }
}
