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
    /// are ranked once, and the (latency, energy) merges that EDP needs are the front's too.
    public static func solve(_ trunks: [[Option]], budget: Int, metrics: [Metric],
                             front wantsFront: Bool) -> (best: [Metric: Schedule], front: [Schedule]) {
        let ranked = RankedOptions(trunks)
        func finals(_ costs: Metric) -> [[Point]] {
            [true, false].map { ranked.merge(onChip: $0, budget: budget, costs: costs) }
        }
        let edp = metrics.contains(.edp) || wantsFront ? finals(.edp) : []
        var best: [Metric: Schedule] = [:]
        for metric in metrics {
            var winner: Point?
            for p in (metric == .edp ? edp : finals(metric)).joined()
            where winner.map({ p.beats($0, metric) }) ?? true {
                winner = p
            }
            best[metric] = winner.map { ranked.schedule($0, budget: budget) }
        }
        guard wantsFront else { return (best, []) }
        let front = Point.prune(edp.joined().map { Point(resource: 0, a: $0.a, b: $0.b, choice: $0.choice) })
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
    }

    /// Each index's rank in the order `less` gives (the elements are distinct under it).
    static func ranks(count: Int, by less: (Int, Int) -> Bool) -> [Int32] {
        var ranks = [Int32](repeating: 0, count: count)
        for (rank, i) in (0..<count).sorted(by: less).enumerated() { ranks[i] = Int32(rank) }
        return ranks
    }

    /// Each trunk's options ranked by latency (stable), with exact repeats dropped (the first one
    /// has the smaller position, so it wins every tie the repeat could).
    struct RankedOptions {
        let options: [[Option]]
        let ranked: [[(position: Int32, option: Option)]]
        let originalIndex: [[Int]]

        init(_ trunks: [[Option]]) {
            options = trunks
            originalIndex = trunks.map { list in
                list.indices.sorted { (list[$0].latency, $0) < (list[$1].latency, $1) }
            }
            ranked = zip(trunks, originalIndex).map { list, order in
                var seen = Set<Option>()
                return order.enumerated().compactMap { position, i in
                    seen.insert(list[i]).inserted ? (Int32(position), list[i]) : nil
                }
            }
        }

        /// The final points of all schedules with the summed peak under the budget (`onChip`, costs
        /// discounted) or at or over it (costs as they are), pruned trunk by trunk. `costs` names
        /// the coordinates: latency or energy in `a`, or both (`.edp`: latency in `a`, energy in `b`).
        func merge(onChip: Bool, budget: Int, costs: Metric) -> [Point] {
            var front = [Partial(resource: onChip ? 0 : max(0, budget), a: 0, b: 0, tie: (0, 0), parent: -1)]
            var levels: [[Partial]] = []
            levels.reserveCapacity(ranked.count)
            for list in ranked {
                // The kept prefixes' ranks in lexicographic order of their choices.
                let rank = GlobalAllocation.ranks(count: front.count) { front[$0].tie < front[$1].tie }
                var next: [Partial] = []
                next.reserveCapacity(front.count * list.count)
                // Option by option: `front` is sorted (`prune` keeps its order), and adding one
                // option's costs keeps it so, so `next` is a few long sorted runs, which the
                // stable sort in `prune` merges instead of sorting from scratch. The order of
                // `next` changes no result: `prune` sorts by a total order.
                for (position, o) in list {
                    for (i, p) in front.enumerated() {
                        let resource = onChip ? p.resource + o.peakBits : max(0, p.resource - o.peakBits)
                        if onChip && resource >= budget { continue }
                        let latency = o.latency(onChip: onChip), energy = o.energy(onChip: onChip)
                        let (a, b) = switch costs {
                        case .latency: (latency, 0)
                        case .energy: (energy, 0)
                        case .edp: (latency, energy)
                        }
                        next.append(Partial(resource: resource, a: p.a + a, b: p.b + b, tie: (rank[i], position),
                                            parent: Int32(i)))
                    }
                }
                front = Partial.prune(next)
                levels.append(front)
            }
            let finals = onChip ? Array(front.indices) : front.indices.filter { front[$0].resource == 0 }
            return finals.map { last in
                // The choice, read back along the parent links.
                var choice = [Int32](repeating: 0, count: levels.count)
                var i = last
                for level in levels.indices.reversed() {
                    choice[level] = levels[level][i].tie.1
                    i = Int(levels[level][i].parent)
                }
                return Point(resource: front[last].resource, a: front[last].a, b: front[last].b, choice: choice)
            }
        }

        func schedule(_ p: Point, budget: Int) -> Schedule {
            let choice = p.choice.enumerated().map { trunk, position in originalIndex[trunk][Int(position)] }
            let chosen = choice.enumerated().map { trunk, i in options[trunk][i] }
            let peak = chosen.reduce(0) { $0 + $1.peakBits }
            let onChip = peak < budget
            return Schedule(choice: choice,
                            latency: chosen.reduce(0) { $0 + $1.latency(onChip: onChip) },
                            energy: chosen.reduce(0) { $0 + $1.energy(onChip: onChip) },
                            peakBits: peak, onChip: onChip)
        }
    }
}

// MARK: Canonical form (part of the allocation artifact)

extension GlobalAllocation.Schedule: Codable {
    enum CodingKeys: String, CodingKey { case choice, latency, energy, peakBits = "peak_bits", onChip = "on_chip" }
}

/// Metric-keyed maps are stored as objects keyed by the metric's name.
extension GlobalAllocation.Metric: CodingKeyRepresentable {}
