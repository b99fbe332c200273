import Foundation
import Graph
import Tasks

/// `accomake trunk --hardware F --workload F --mapping F --tile XxY [--mode M] [--objective energy|latency]
///  [--max-cuts N] [--range A,B] [--initial-dilation D] [--frames N] [--lpf N] [--json] [--cache DIR] [-j N]`
///
/// ACCO Steps 1 and 2 per fusion range: the causal trunk evaluated depth-first (a `stack` node),
/// then read into window, warm-up and stable rows with off-load/reload deltas, per key, plus the
/// trunk's cache footprint (a `trunk` node on top).
enum TrunkCommand {
    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, help: .named("trunk"))
        let files = try a.problemFiles("trunk")
        let (tileX, tileY) = try a.tile()
        let mode = try a.cachingMode("trunk")
        let objective = try a.objective()
        guard objective != .edp else {
            throw UsageError("trunk: --objective edp applies to the global allocation; use energy or latency")
        }
        let lpf = try a.int("lpf", default: 6, range: 1...12)
        var only: LayerRange?
        if let text = a.value("range") {
            let parts = text.split(separator: ",",
                                   omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            func bound(_ s: String) throws -> Int? {
                if s.isEmpty || s.lowercased() == "none" { return nil }
                guard let v = Int(s) else {
                    throw UsageError("trunk: --range \(text): expected A,B with layer ids or none, e.g. none,3")
                }
                return v
            }
            guard parts.count == 2 else { throw UsageError("trunk: --range \(text): expected A,B, e.g. 3,none") }
            only = LayerRange(after: try bound(parts[0]), through: try bound(parts[1]))
        }
        let study = try build(files: files, tileX: tileX, tileY: tileY, mode: mode, objective: objective, lpf: lpf,
                              userCuts: try StackCommand.cuts(a.value("cuts")),
                              maxCuts: try a.int("max-cuts", default: 2, range: 0...64), only: only,
                              causal: try CausalOptions(a))
        let (graph, targets, ranges, core) = (study.graph, study.targets, study.ranges, study.core)
        guard let outcome = try EngineSession.build(graph, targets: targets, a, command: "trunk",
                                                    context: { _ in "\(files.hardware) with "
                                                        + "\(files.workload)" }) else { return 130 }
        let reports = try targets.map { n -> TrunkReport in
            guard let artifact = outcome.outputs[n] else { throw UsageError("trunk: no result") }
            return try TrunkTask.report(artifact)
        }
        func row(_ r: AccoReadings.Row) -> JSONText {
            .object([("latency", .int(r.latency)), ("energy", .int(r.energy)),
                     ("offload_latency", .int(r.offloadLatency)),
                     ("offload_energy", .int(r.offloadEnergy)), ("reload_latency", .int(r.reloadLatency)),
                     ("reload_energy", .int(r.reloadEnergy)), ("offloaded_bytes", .int(r.offloadedBytes)),
                     ("reloaded_bytes", .int(r.reloadedBytes))])
        }
        func peak(_ p: Footprint.Peak) -> JSONText { .object([("peak_bits", .int(p.featureBits)),
                                                              ("weight_bits", .int(p.weightBits))]) }
        if a.flag("json") {
            print(JSONText.object([
                ("tile", .array([.int(tileX), .int(tileY)])), ("mode", .string(mode.description)),
                ("objective", .string(objective.rawValue)), ("lpf", .int(lpf)),
                ("ranges", .array(zip(ranges, reports).map { r, t in
                    .object([("cut_before", r.after.map { .int($0) } ?? .null),
                             ("cut_after", r.through.map { .int($0) } ?? .null),
                             ("window", row(t.readings.window)), ("warmup", row(t.readings.warmup)),
                             ("stable", row(t.readings.stable)),
                             ("tile_type_counts", .array(t.tileTypeCounts.map { .int($0) })),
                             ("footprint", .object([("total", peak(t.footprint.total)),
                                                    ("warmup", peak(t.footprint.warmup)),
                                                    ("stable", peak(t.footprint.stable))])),
                             ("keys", .array(t.readings.perKey.map { k in
                                 .object([("key", .string(k.key)), ("window", row(k.window)), ("warmup", row(k.warmup)),
                                          ("stable", row(k.stable))])
                             }))])
                })),
            ]).rendered())
            return 0
        }
        print("trunk: \(files.workload) on \(core.name), tile \(tileX)×\(tileY), \(mode), "
              + "objective \(objective.rawValue), "
              + "\(ranges.count) range\(ranges.count == 1 ? "" : "s")")
        // Two lines per range keep the table within 120 columns: the readings, then the window's
        // off-load and reload and the footprint.
        print("  range            window E pJ   window L  warm-up E pJ  warm-up L  stable E pJ  stable L")
        print("      window off-load pJ / B · reload pJ / B · peak bits total / stable")
        for (r, t) in zip(ranges, reports) {
            let w = t.readings.window
            print("  " + TextColumns.pad(r.description, 14) + TextColumns.lpad(String(w.energy),
                14) + TextColumns.lpad(String(w.latency), 11)
                  + TextColumns.lpad(String(t.readings.warmup.energy),
                                     14) + TextColumns.lpad(String(t.readings.warmup.latency), 11)
                  + TextColumns.lpad(String(t.readings.stable.energy),
                                     13) + TextColumns.lpad(String(t.readings.stable.latency), 10))
            print("      off-load \(w.offloadEnergy) / \(w.offloadedBytes) · reload \(w.reloadEnergy) / "
                  + "\(w.reloadedBytes) · peak \(t.footprint.total.featureBits) / \(t.footprint.stable.featureBits)")
        }
        return 0
    }
}

extension TrunkCommand {
    /// The graph of one trunk study (`ExplorationGraph.trunks`), after checking the options.
    static func build(files: ProblemFiles, tileX: Int, tileY: Int, mode: CachingMode, objective: Objective, lpf: Int,
                      userCuts: [Int], maxCuts: Int, only: LayerRange?, causal: CausalOptions = CausalOptions()) throws
        -> (graph: Graph, targets: [NodeID], ranges: [LayerRange], core: Core)
    {
        let (core, trunks, all) = try causal.load(files, userCuts: userCuts, maxCuts: maxCuts)
        if let r = only {
            for id in [r.after, r.through].compactMap({ $0 }) {
                try CausalOptions.checkLayer(id, in: trunks.fullSize, option: "--range", file: files.workload)
            }
            if let a = r.after, let b = r.through, let i = trunks.fullSize.index(of: a),
                let j = trunks.fullSize.index(of: b), i >= j {
                throw UsageError("trunk: --range \(r): the range holds the layers after \(a) through \(b), so "
                    + "\(a) must come before \(b)")
            }
        }
        if let r = only, !trunks.admits(after: r.after, through: r.through) {
            throw UsageError("trunk: --range \(r): the range does not exist or its first layer's time dilation is "
                + "below --initial-dilation \(causal.initialDilation ?? 1); lower it or pick a later range")
        }
        let ranges = only.map { [$0] } ?? all
        let (graph, targets) = try ExplorationGraph.trunks(trunks, core: core, ranges: ranges, tileX: tileX,
                                                           tileY: tileY, mode: mode, objective: objective, lpf: lpf)
        return (graph, targets, ranges, core)
    }
}

/// The causal-transform settings of a study (model.md §6.1, §7) and loading the problem with them.
struct CausalOptions {
    /// `nil`: each trunk starts from the dilation it has in the whole network (the reference's −1).
    var initialDilation: Int?
    /// The trunk output's batch (`frameAmount`).
    var frames = 1

    init() {}

    init(_ a: Arguments) throws {
        initialDilation = a.value("initial-dilation") == nil ? nil : try a.int("initial-dilation", default: 1,
            range: 1...1 << 20)
        frames = try a.int("frames", default: 1, range: 1...1 << 20)
    }

    /// The hardware, the causal trunks and the ranges to evaluate, in the reference's order; a
    /// range whose first layer has a smaller dilation than the user's initial one is skipped.
    func load(_ files: ProblemFiles, userCuts: [Int], maxCuts: Int) throws -> (Core, CausalTrunks, [LayerRange]) {
        let (network, core) = try ProblemLoader.network(files)
        let trunks = CausalTrunks(network: network, frameAmount: frames, initialDilation: initialDilation)
        for cut in userCuts { try Self.checkLayer(cut, in: trunks.fullSize, option: "--cuts", file: files.workload) }
        let ranges = StudyRanges.ranges(trunks.fullSize, core: core, userCuts: userCuts, maxCuts: maxCuts)
            .filter { trunks.admits(after: $0.after, through: $0.through) }
        return (core, trunks, ranges)
    }

    /// A layer id given on the command line must name a layer of the workload.
    static func checkLayer(_ id: Int, in network: Network, option: String, file: String) throws {
        guard let node = network.node(id), !node.isInput else {
            let ids = network.nodes.filter { !$0.isInput }.map(\.id)
            let known = ids.map(String.init).joined(separator: ", ")
            throw UsageError("\(option): \(file) has no layer \(id) (its layer ids are \(known))")
        }
    }
}
