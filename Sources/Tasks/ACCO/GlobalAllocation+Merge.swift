extension GlobalAllocation {
    /// What a merge may drop before its exact pruning: partials none of whose completions can be an
    /// answer. Each partial's least completion is its costs plus, per trunk still to choose, that
    /// trunk's least cost (its resource plus the least peaks decides whether any completion is
    /// feasible at all).
    struct Bound {
        /// A latency or energy merge: the cost of a complete schedule already known. A partial whose
        /// least completion costs more cannot be the winner; one that costs as much is kept (ties
        /// go to the smaller choice, which this partial may have).
        var limit: Int?
        /// A (latency, energy) merge: complete schedules already known, as a staircase (latency
        /// ascending, energy strictly descending). A partial whose least completion one of them
        /// beats (no worse on either cost, better on one) is on no front and has a larger EDP
        /// (with positive costs).
        var stair: [(a: Int, b: Int)] = []

        init(limit: Int?) { self.limit = limit }

        /// Only points with positive costs bound (a product of two negative costs is not least
        /// where both are).
        init(beatenBy points: [(Int, Int)]) {
            for p in points.filter({ $0.0 > 0 && $0.1 > 0 }).sorted(by: { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 })
            where stair.last.map({ p.1 < $0.b }) ?? true {
                stair.append((p.0, p.1))
            }
        }

        /// Some known schedule is no worse than (a, b) on either cost and better on one.
        func beaten(a: Int, b: Int) -> Bool {
            guard let first = stair.first, first.a <= a else { return false }
            // The last step with no more latency than `a` has the least energy among those.
            var lo = 0, hi = stair.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if stair[mid].a <= a { lo = mid + 1 } else { hi = mid }
            }
            let step = stair[lo - 1]
            return step.a < a ? step.b <= b : step.b < b
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
        ///
        /// Only what the caller reads of the final points is kept: for latency or energy the one
        /// with the least cost and then the smallest choice; for `.edp` (with positive costs) the
        /// points no other one beats on (latency, energy) — the resource matters no more once every
        /// trunk is chosen. Partials that `bound` rules out are dropped as they are made.
        func merge(onChip: Bool, budget: Int, costs: Metric, bound: Bound) -> [Point] {
            guard !ranked.isEmpty else { return [] }
            let rest = Completion(ranked, onChip: onChip, costs: costs)
            // Positive costs make "beaten on both" mean "a larger EDP" (see `Bound.stair`).
            let stair = rest.positive ? bound.stair : []
            var front = [Partial(resource: onChip ? 0 : max(0, budget), a: 0, b: 0, tie: (0, 0), parent: -1)]
            var levels: [[Partial]] = []
            levels.reserveCapacity(ranked.count)
            for (level, list) in ranked.enumerated() {
                let last = level == ranked.count - 1
                // The kept prefixes' ranks in lexicographic order of their choices.
                let rank = GlobalAllocation.ranks(count: front.count) { front[$0].tie < front[$1].tie }
                // What the trunks after this one add at least, and the most a partial may have
                // here so that some completion stays feasible and within the bound.
                let restA = rest.a[level + 1], restB = rest.b[level + 1]
                let limitA = bound.limit.map { GlobalAllocation.saturating($0, minus: restA) } ?? .max
                let resourceCap = onChip ? budget - rest.leastPeak[level + 1] : rest.mostPeak[level + 1]
                var next: [Partial] = []
                next.reserveCapacity(front.count * list.count)
                // Option by option: `front` is sorted (`prune` keeps its order), and adding one
                // option's costs keeps it so, so `next` is a few long sorted runs, which the
                // stable sort in `prune` merges instead of sorting from scratch. The order of
                // `next` changes no result: `prune` sorts by a total order.
                for (position, o) in list {
                    let latency = o.latency(onChip: onChip), energy = o.energy(onChip: onChip)
                    let (da, db) = switch costs {
                    case .latency: (latency, 0)
                    case .energy: (energy, 0)
                    case .edp: (latency, energy)
                    }
                    // `front` runs in ascending resource, so the first partial over the cap ends
                    // the option's pass; with one cost, `a` never rises along it (`prune`), so the
                    // partials over the limit are a prefix, skipped at once.
                    let first = costs == .edp ? 0 : Self.firstWithin(front, limit: limitA, adding: da)
                    for i in first..<front.count {
                        let p = front[i]
                        let resource = onChip ? p.resource + o.peakBits : max(0, p.resource - o.peakBits)
                        // On chip: some completion must stay under the budget; off chip: some
                        // completion must reach it.
                        if onChip ? resource >= resourceCap : resource > resourceCap { break }
                        let a = p.a + da, b = p.b + db
                        if a > limitA { continue }
                        if !stair.isEmpty && bound.beaten(a: a + restA, b: b + restB) { continue }
                        next.append(Partial(resource: resource, a: a, b: b, tie: (rank[i], position),
                                            parent: Int32(i)))
                    }
                }
                if last {
                    // Every candidate now is a complete, feasible schedule.
                    switch costs {
                    case .latency, .energy: front = Partial.least(next).map { [$0] } ?? []
                    case .edp: front = rest.positive ? Partial.prune2D(next) : Partial.prune(next)
                    }
                } else {
                    front = Partial.prune(next)
                }
                levels.append(front)
            }
            return front.indices.map { last in
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

        /// The first index of `front` (a pruned single-cost front: `a` never rises along it)
        /// whose `a` plus `adding` is within `limit`.
        static func firstWithin(_ front: [Partial], limit: Int, adding: Int) -> Int {
            var lo = 0, hi = front.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if front[mid].a + adding > limit { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }

        /// Per trunk, the options whose sum has the least latency and the least energy (each
        /// judged as their sum decides on chip or off), so every merge starts with two known
        /// schedules to bound by.
        func greedySchedules(budget: Int) -> [Schedule] {
            guard ranked.allSatisfy({ !$0.isEmpty }) else { return [] }
            func cheapest(_ cost: (Option) -> Int) -> Point {
                let choice = ranked.map { list in
                    list.min { (cost($0.option), $0.position) < (cost($1.option), $1.position) }?.position ?? 0
                }
                return Point(resource: 0, a: 0, b: 0, choice: choice)
            }
            return [cheapest(\.latency), cheapest(\.energy)].map { schedule($0, budget: budget) }
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

    /// What the trunks from each level on add at least, for one merge: `a[k]`, `b[k]` the sums of
    /// each later trunk's least cost, `leastPeak[k]`, `mostPeak[k]` the sums of its least and
    /// largest peak (`count + 1` entries, the last 0).
    struct Completion {
        var a: [Int], b: [Int], leastPeak: [Int], mostPeak: [Int]
        /// Every option's costs in this merge are above 0.
        var positive: Bool

        init(_ ranked: [[(position: Int32, option: Option)]], onChip: Bool, costs: Metric) {
            let n = ranked.count
            a = Array(repeating: 0, count: n + 1); b = a; leastPeak = a; mostPeak = a
            positive = true
            for k in stride(from: n - 1, through: 0, by: -1) {
                let list = ranked[k].map(\.option)
                let latency = list.map { $0.latency(onChip: onChip) }, energy = list.map { $0.energy(onChip: onChip) }
                let least = (latency.min() ?? 0, energy.min() ?? 0)
                positive = positive && least.0 > 0 && least.1 > 0
                let (da, db) = switch costs {
                case .latency: (least.0, 0)
                case .energy: (least.1, 0)
                case .edp: (least.0, least.1)
                }
                a[k] = a[k + 1] &+ da; b[k] = b[k + 1] &+ db
                leastPeak[k] = leastPeak[k + 1] &+ (list.map(\.peakBits).min() ?? 0)
                // Held at 0 from below: off chip the resource left is held at 0 too.
                mostPeak[k] = mostPeak[k + 1] &+ max(0, list.map(\.peakBits).max() ?? 0)
            }
        }
    }

    /// x − y, held at the ends of `Int` instead of overflowing.
    static func saturating(_ x: Int, minus y: Int) -> Int {
        let (d, overflow) = x.subtractingReportingOverflow(y)
        return overflow ? (y < 0 ? .max : .min) : d
    }
}
