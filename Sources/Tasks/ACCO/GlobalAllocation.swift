/// ACCO's Step 3 for one cut list (model.md §6.6): choose one tile option per trunk so that
/// latency, energy or their product is least, where the DRAM round-trips between trunks are removed
/// when the trunks' summed peak footprint is under the on-chip budget.
///
/// The reference tries all 70^n assignments; this merges per-trunk Pareto fronts instead, which is
/// exact: a partial assignment is dropped only when another one with no more footprint and no
/// higher cost exists, so every completion of the dropped one is matched or beaten.
public enum GlobalAllocation {
    /// One way to run one trunk: a tile key's Step-2 totals and its peak footprint.
    public struct Option: Sendable, Hashable {
        public var latency: Int
        public var energy: Int
        /// Off-load + reload latency and energy: what is saved when every trunk fits on chip together.
        public var latencyDelta: Int
        public var energyDelta: Int
        public var peakBits: Int

        public init(latency: Int, energy: Int, latencyDelta: Int, energyDelta: Int, peakBits: Int) {
            self.latency = latency; self.energy = energy
            self.latencyDelta = latencyDelta; self.energyDelta = energyDelta
            self.peakBits = peakBits
        }

        /// A trunk's readings as an option: `row`'s totals and deltas, `peak`'s feature bits.
        public init(_ row: AccoReadings.Row, peak: Footprint.Peak) {
            self.init(latency: row.latency, energy: row.energy, latencyDelta: row.latencyDelta,
                      energyDelta: row.energyDelta, peakBits: peak.featureBits)
        }

        /// The cost with the on-chip discount applied when `onChip`.
        func latency(onChip: Bool) -> Int { latency - (onChip ? latencyDelta : 0) }
        func energy(onChip: Bool) -> Int { energy - (onChip ? energyDelta : 0) }
    }

    public enum Metric: String, Sendable, CaseIterable, Hashable, Codable {
        case latency, energy, edp
    }

    /// One complete assignment for a cut list.
    public struct Schedule: Sendable, Hashable {
        /// Per trunk, the index of the chosen option in the caller's list.
        public var choice: [Int]
        public var latency: Int
        public var energy: Int
        public var peakBits: Int
        /// The trunks' summed peak is under the budget, so their DRAM round-trips were removed.
        public var onChip: Bool

        /// Latency × energy, exact.
        public var edp: Double { Double(latency) * Double(energy) }
    }

    /// The schedule minimising `metric`; ties go to the lexicographically smallest choice, with each
    /// trunk's options ranked by latency (stable). `nil` only when a trunk has no option.
    public static func best(_ trunks: [[Option]], budget: Int, metric: Metric) -> Schedule? {
        solve(trunks, budget: budget, metrics: [metric], front: false).best[metric]
    }

    /// Every schedule of the cut list whose (latency, energy) no other schedule improves on, by
    /// latency ascending; among schedules with equal values the smallest choice is kept.
    public static func front(_ trunks: [[Option]], budget: Int) -> [Schedule] {
        solve(trunks, budget: budget, metrics: [], front: true).front
    }

    /// `best` for each of `metrics` and, when asked, the `front`, sharing their work: the options
    /// are ranked once, the latency and energy winners come first and bound the (latency, energy)
    /// merges that EDP and the front share (`Bound`).
    public static func solve(_ trunks: [[Option]], budget: Int, metrics: [Metric],
                             front wantsFront: Bool) -> (best: [Metric: Schedule], front: [Schedule]) {
        let ranked = RankedOptions(trunks)
        var known = ranked.greedySchedules(budget: budget)
        var best: [Metric: Schedule] = [:]
        for metric in metrics where metric != .edp {
            var winner: Point?
            for onChip in [true, false] {
                let bound = Bound(limit: known.map { metric == .latency ? $0.latency : $0.energy }.min())
                for p in ranked.merge(onChip: onChip, budget: budget, costs: metric, bound: bound)
                where winner.map({ p.beats($0, metric) }) ?? true {
                    winner = p
                }
                if let winner { known.append(ranked.schedule(winner, budget: budget)) }
            }
            best[metric] = winner.map { ranked.schedule($0, budget: budget) }
        }
        guard metrics.contains(.edp) || wantsFront else { return (best, []) }
        var finals: [Point] = []
        for onChip in [true, false] {
            let bound = Bound(beatenBy: known.map { ($0.latency, $0.energy) }
                              + finals.map { ($0.a, $0.b) })
            finals += ranked.merge(onChip: onChip, budget: budget, costs: .edp, bound: bound)
        }
        if metrics.contains(.edp) {
            var winner: Point?
            for p in finals where winner.map({ p.beats($0, .edp) }) ?? true { winner = p }
            best[.edp] = winner.map { ranked.schedule($0, budget: budget) }
        }
        guard wantsFront else { return (best, []) }
        let front = Point.prune(finals.map { Point(resource: 0, a: $0.a, b: $0.b, choice: $0.choice) })
        return (best, front.map { ranked.schedule($0, budget: budget) })
    }
}

extension GlobalAllocation {
    /// a × b < c × d, exactly (128-bit products).
    static func productLess(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Bool {
        let x = a.multipliedFullWidth(by: b), y = c.multipliedFullWidth(by: d)
        return x.high != y.high ? x.high < y.high : x.low < y.low
    }

    /// A complete assignment found by a merge: the resource coordinate, up to two summed costs and
    /// the choice (positions in the latency-ranked option lists).
    struct Point {
        /// On chip: the summed peak (lower is better, must stay under the budget). Off chip: what is
        /// left of the budget to exceed it, `max(0, budget − Σ peak)` (lower is better, must reach 0).
        var resource: Int
        var a: Int
        var b: Int
        var choice: [Int32]

        func beats(_ other: Point, _ metric: Metric) -> Bool {
            if metric == .edp {
                if GlobalAllocation.productLess(a, b, other.a, other.b) { return true }
                if GlobalAllocation.productLess(other.a, other.b, a, b) { return false }
            } else if a != other.a {
                return a < other.a
            }
            return choice.lexicographicallyPrecedes(other.choice)
        }

        /// Keeps the points that no other point dominates (`Partial.prune`).
        static func prune(_ points: [Point]) -> [Point] {
            let order = GlobalAllocation.ranks(count: points.count) {
                points[$0].choice.lexicographicallyPrecedes(points[$1].choice)
            }
            let partials = points.indices.map { i in
                Partial(resource: points[i].resource, a: points[i].a, b: points[i].b, tie: (order[i], 0),
                        parent: Int32(i))
            }
            return Partial.prune(partials).map { points[Int($0.parent)] }
        }
    }

    /// A partial assignment during a merge. Its choice is not an array: `parent` is its prefix's
    /// index among the previous trunk's kept partials and `tie` = (that prefix's rank among them in
    /// lexicographic order, this trunk's position), which orders choices lexicographically
    /// without building one array per candidate.
    struct Partial {
        var resource: Int
        var a: Int
        var b: Int
        var tie: (Int32, Int32)
        var parent: Int32

        /// Keeps the partials that no other one dominates: `q` dominates `p` when it has no more
        /// resource and no higher costs, and either a lower cost or equal costs with a smaller
        /// choice. A sweep in resource order against the (a, b) staircase of those kept so far.
        static func prune(_ points: [Partial]) -> [Partial] {
            // Field by field: the hot loop of Step 3 (tuples compared twice cost twice as much).
            let sorted = points.sorted { p, q in
                if p.resource != q.resource { return p.resource < q.resource }
                if p.a != q.a { return p.a < q.a }
                if p.b != q.b { return p.b < q.b }
                return p.tie < q.tie
            }
            var kept: [Partial] = []
            var stair: [Partial] = []  // a ascending, b strictly descending
            for p in sorted {
                // The last stair step with a ≤ p.a has the least b among them.
                var lo = 0, hi = stair.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if stair[mid].a <= p.a { lo = mid + 1 } else { hi = mid }
                }
                let index = lo - 1
                if index >= 0 {
                    let s = stair[index]
                    if s.b < p.b { continue }
                    if s.b == p.b && (s.a != p.a || !(p.tie < s.tie)) { continue }
                }
                kept.append(p)
                let start = index >= 0 && stair[index].a == p.a ? index : index + 1
                var end = start
                while end < stair.count && stair[end].b >= p.b { end += 1 }
                stair.replaceSubrange(start..<end, with: [p])
            }
            return kept
        }

        /// `prune` for complete schedules, whose resource no longer matters: the (a, b) staircase,
        /// among equal costs the smallest choice.
        static func prune2D(_ points: [Partial]) -> [Partial] {
            let sorted = points.sorted { p, q in
                if p.a != q.a { return p.a < q.a }
                if p.b != q.b { return p.b < q.b }
                return p.tie < q.tie
            }
            var kept: [Partial] = []
            for p in sorted where kept.last.map({ p.b < $0.b }) ?? true { kept.append(p) }
            return kept
        }

        /// The one with the least `a`, then the smallest choice.
        static func least(_ points: [Partial]) -> Partial? {
            points.min { p, q in p.a != q.a ? p.a < q.a : p.tie < q.tie }
        }
    }

    /// Each index's rank in the order `less` gives (the elements are distinct under it).
    static func ranks(count: Int, by less: (Int, Int) -> Bool) -> [Int32] {
        var ranks = [Int32](repeating: 0, count: count)
        for (rank, i) in (0..<count).sorted(by: less).enumerated() { ranks[i] = Int32(rank) }
        return ranks
    }
}

// MARK: Canonical form (part of the allocation artifact)

extension GlobalAllocation.Schedule: Codable {
    enum CodingKeys: String, CodingKey { case choice, latency, energy, peakBits = "peak_bits", onChip = "on_chip" }
}

/// Metric-keyed maps are stored as objects keyed by the metric's name.
extension GlobalAllocation.Metric: CodingKeyRepresentable {}
