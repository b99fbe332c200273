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
        let ranked = RankedOptions(trunks)
        var winner: Point?
        for onChip in [true, false] {
            for p in ranked.merge(onChip: onChip, budget: budget, costs: metric) where winner.map({ p.beats($0,
                metric) }) ?? true {
                winner = p
            }
        }
        return winner.map { ranked.schedule($0, budget: budget) }
    }

    /// Every schedule of the cut list whose (latency, energy) no other schedule improves on, by
    /// latency ascending; among schedules with equal values the smallest choice is kept.
    public static func front(_ trunks: [[Option]], budget: Int) -> [Schedule] {
        let ranked = RankedOptions(trunks)
        let finals = ranked.merge(onChip: true, budget: budget, costs: .edp) + ranked.merge(onChip: false,
            budget: budget, costs: .edp)
        return Point.prune(finals.map { Point(resource: 0, a: $0.a, b: $0.b,
                                              choice: $0.choice) }).map { ranked.schedule($0, budget: budget) }
    }
}

extension GlobalAllocation {
    /// a × b < c × d, exactly (128-bit products).
    static func productLess(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Bool {
        let x = a.multipliedFullWidth(by: b), y = c.multipliedFullWidth(by: d)
        return x.high != y.high ? x.high < y.high : x.low < y.low
    }

    /// A partial assignment: the resource coordinate, up to two summed costs and the choice so far
    /// (positions in the latency-ranked option lists).
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

        /// Keeps the points that no other point dominates: `q` dominates `p` when it has no more
        /// resource and no higher costs, and either a lower cost or equal costs with a smaller choice.
        /// A sweep in resource order against the (a, b) staircase of the points kept so far.
        static func prune(_ points: [Point]) -> [Point] {
            let sorted = points.sorted {
                ($0.resource, $0.a, $0.b) != ($1.resource, $1.a, $1.b)
                    ? ($0.resource, $0.a, $0.b) < ($1.resource, $1.a,
                                                   $1.b) : $0.choice.lexicographicallyPrecedes($1.choice)
            }
            var kept: [Point] = []
            var stair: [Point] = []  // a ascending, b strictly descending
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
                    if s.b == p.b && (s.a != p.a || !p.choice.lexicographicallyPrecedes(s.choice)) { continue }
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
            var front = [Point(resource: onChip ? 0 : max(0, budget), a: 0, b: 0, choice: [])]
            for list in ranked {
                var next: [Point] = []
                next.reserveCapacity(front.count * list.count)
                for p in front {
                    for (position, o) in list {
                        let resource = onChip ? p.resource + o.peakBits : max(0, p.resource - o.peakBits)
                        if onChip && resource >= budget { continue }
                        let latency = o.latency(onChip: onChip), energy = o.energy(onChip: onChip)
                        let (a, b) = switch costs {
                        case .latency: (latency, 0)
                        case .energy: (energy, 0)
                        case .edp: (latency, energy)
                        }
                        next.append(Point(resource: resource, a: p.a + a, b: p.b + b, choice: p.choice + [position]))
                    }
                }
                front = Point.prune(next)
            }
            return onChip ? front : front.filter { $0.resource == 0 }
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
