/// The schedules a designer would otherwise use, costed exactly as Step 3 costs ACCO's choice
/// (the same trunk options, the same on-chip discount under the same budget), so the ratios show
/// what the fusion-range and tile search buys (docs/model.md §6.7). Computed from the
/// allocation node's options: no node is added; a baseline whose trunks the study's sweep did not
/// evaluate says so.
public struct Baseline: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case layerByLayer = "layer by layer"
        case wholeNetwork = "whole network, one trunk"
        case weightOverflowCuts = "cuts where weights overflow, one tile"
        case dilatedCausalStream = "dilated causal stream"

        /// What the baseline is, as the report's table says it.
        public var definition: String {
            switch self {
            case .layerByLayer: "a cut after every layer; each trunk its best tile"
            case .wholeNetwork: "no cut (the whole network one trunk); its best tile"
            case .weightOverflowCuts:
                "DeFiNES' rule: only the forced cuts (where the weights overflow, and the study's own cuts); "
                    + "one tile for every trunk, the best such tile"
            case .dilatedCausalStream:
                "the fixed streaming schedule: no cut, tiles one frame tall (the widest such tile of the sweep)"
            }
        }
    }

    public var kind: Kind
    public var cuts: [Int]
    /// The study tile index per trunk; empty when the baseline could not be costed.
    public var tiles: [Int] = []
    public var schedule: GlobalAllocation.Schedule?
    /// Why it could not be costed (a trunk the sweep did not evaluate, no suitable tile).
    public var missing: String?
    /// Whether its cut list is one the study's allocation searched: then ACCO's choice is at
    /// least as good on the objective; outside the sweep a baseline may beat it.
    public var inSweep = false

    /// The baseline's value on `metric` over ACCO's best schedule's (1 = as good as ACCO).
    public func ratio(to best: GlobalAllocation.Schedule, _ metric: GlobalAllocation.Metric) -> Double? {
        guard let s = schedule else { return nil }
        switch metric {
        case .energy: return Double(s.energy) / Double(max(1, best.energy))
        case .latency: return Double(s.latency) / Double(max(1, best.latency))
        case .edp: return s.edp / max(1, best.edp)
        }
    }

    /// The baselines of one answer, for the allocation objective `metric`. `layers`: the network's
    /// layer ids in order; `causal`: whether the streaming baseline applies.
    public static func all(_ r: AllocationReport, layers: [Int], causal: Bool,
                           metric: GlobalAllocation.Metric) -> [Baseline] {
        var out: [Baseline] = []
        let cutEveryLayer = Array(layers.dropLast())
        out.append(cost(r, .layerByLayer, cuts: cutEveryLayer, tiles: nil, metric: metric))
        out.append(cost(r, .wholeNetwork, cuts: [], tiles: nil, metric: metric))
        // The forced cuts: the first cut list enumerated has no cut beyond them.
        let forced = r.cutLists.min { $0.count < $1.count } ?? []
        let single = r.tiles.indices.map { cost(r, .weightOverflowCuts, cuts: forced, tiles: [$0], metric: metric) }
        out.append(single.filter { $0.schedule != nil }.min { a, b in
            guard let x = a.schedule, let y = b.schedule else { return false }
            return x.precedes(y, by: metric)
        } ?? single.first ?? Baseline(kind: .weightOverflowCuts, cuts: forced, missing: "no tile"))
        if causal {
            let oneFrame = r.tiles.indices.filter { r.tiles[$0].y == 1 }
            if let widest = oneFrame.max(by: { r.tiles[$0].x < r.tiles[$1].x }) {
                out.append(cost(r, .dilatedCausalStream, cuts: [], tiles: [widest], metric: metric))
            } else {
                out.append(Baseline(kind: .dilatedCausalStream, cuts: [],
                                    missing: "the sweep has no tile one frame tall (add 1 to tile_y)"))
            }
        }
        return out
    }

    /// The best schedule of one cut list with each trunk's tile among `tiles` (nil: any).
    static func cost(_ r: AllocationReport, _ kind: Kind, cuts: [Int], tiles allowed: [Int]?,
                     metric: GlobalAllocation.Metric) -> Baseline {
        var b = Baseline(kind: kind, cuts: cuts)
        b.inSweep = r.cutLists.contains(cuts.sorted())
        switch schedule(r, cuts: cuts, tiles: allowed, metric: metric) {
        case .success(let (schedule, tiles)): (b.schedule, b.tiles) = (schedule, tiles)
        case .failure(let why): b.missing = why.reason
        }
        return b
    }

    public struct NotCosted: Error { public var reason: String }

    /// Step 3's best schedule of the cut list `cuts` with every trunk's tile among `allowed`
    /// (nil: any tile), and the study tile index chosen per trunk.
    public static func schedule(_ r: AllocationReport, cuts: [Int], tiles allowed: [Int]?,
                                metric: GlobalAllocation.Metric)
        -> Result<(GlobalAllocation.Schedule, [Int]), NotCosted> {
        var perTrunk: [[(tile: Int, option: GlobalAllocation.Option)]] = []
        for range in RangeEnumeration.ranges(of: cuts) {
            guard let i = r.ranges.firstIndex(of: range), i < r.options.count else {
                return .failure(NotCosted(reason: "trunk \(range.description) is not evaluated in this study "
                                              + "(raise max_cuts, or drop cuts that exclude it)"))
            }
            let choices = r.options[i].enumerated().compactMap { t, o in
                o.map { (tile: t, option: $0) }
            }.filter { allowed?.contains($0.tile) ?? true }
            guard !choices.isEmpty else {
                return .failure(NotCosted(reason: "no tile of the sweep is admitted for trunk \(range.description)"))
            }
            perTrunk.append(choices)
        }
        guard let schedule = GlobalAllocation.best(perTrunk.map { $0.map(\.option) }, budget: r.budgetBits,
                                                    metric: metric) else {
            return .failure(NotCosted(reason: "no schedule"))
        }
        return .success((schedule, zip(perTrunk, schedule.choice).map { $0[$1].tile }))
    }
}
