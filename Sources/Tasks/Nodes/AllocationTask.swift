import Graph

/// ACCO's Step 3 as the top engine node of a study (model.md §6.6): reads the trunk nodes of every
/// (range, tile) of one hardware × workload × caching mode × mapping objective, and chooses per cut
/// list, per metric, the tile of each trunk (`GlobalAllocation`); then the best cut list per metric
/// and the (latency, energy) Pareto front over all schedules.
///
/// Parameters: `budget` (bits), `metrics`, `table` (window or real-time), `tiles` (study tile keys),
/// `ranges`, `cut_lists`, and `slots[range][tile]`: the index of that pair's trunk node among the
/// static dependencies (equal clipped problems share one node).
public enum AllocationTask {
    /// 4: the report keeps every (range, tile) option, for the report's baselines and tile map;
    /// 5: its trunk reports carry the energy breakdown.
    public static let version: Int64 = 5

    /// The node's parameters, as its key covers them.
    public struct Parameters: Codable, Sendable {
        /// On-chip budget in bits.
        public var budget: Int
        public var metrics: [GlobalAllocation.Metric]
        public var table: Study.Table
        /// The study's tile sizes, in study order.
        public var tiles: [TileSize]
        public var ranges: [LayerRange]
        public var cutLists: [[Int]]
        /// `slots[range][tile]`: the index of that pair's trunk node among the dependencies.
        public var slots: [[Int]]

        enum CodingKeys: String, CodingKey { case budget, metrics, table, tiles, ranges, cutLists = "cut_lists", slots }

        func checked() throws -> Parameters {
            guard slots.count == ranges.count, slots.allSatisfy({ $0.count == tiles.count }) else {
                throw MalformedArtifact(description: "allocation slots: one per range and tile")
            }
            return self
        }
    }

    public static let `operator` = Operator("accomake.allocation", version: version) { input in
        let settings = try ValueCoder.decode(Parameters.self, from: input.params).checked()
        func checked(_ slot: Int) throws -> Int {
            guard slot >= 0, slot < input.dependencyCount else {
                throw MalformedArtifact(description: "allocation slot")
            }
            return slot
        }
        func dependency(_ slot: Int) throws -> Artifact { try input.dependency(checked(slot)) }
        // Every trunk gives its option (two readings of its report); only the few trunks that a
        // chosen schedule or the front names are decoded whole, for the report. A trunk whose
        // option a long-lived process remembers is not read at all.
        var trunkCache: [Int: TrunkReport] = [:]
        let report = try allocate(settings, option: { r, t in
            let slot = try checked(settings.slots[r][t])
            return try TrunkOptionMemo.option(input.digest(of: slot), table: settings.table) {
                try TrunkTask.option(input.dependency(slot), table: settings.table)
            }
        }, trunk: { r, t in
            let slot = settings.slots[r][t]
            if let known = trunkCache[slot] { return known }
            let decoded = try TrunkTask.report(dependency(slot))
            trunkCache[slot] = decoded
            return decoded
        })
        let bytes = try CanonicalEncoder.encode(report.value)
        madeReports.give(report, for: SHA256.hash(bytes))
        return .done(bytes)
    }

    /// Reports this process has just made, by their artifact's digest, for `report(_:)` to take
    /// instead of decoding the bytes they were encoded to (a budget edit's answers are all new).
    static let madeReports = Handoff<AllocationReport>(capacity: 64)

    public static func params(budgetBits: Int, metrics: [GlobalAllocation.Metric], table: Study.Table, tiles: [(x: Int,
        y: Int)],
                              ranges: [LayerRange], cutLists: [[Int]], slots: [[Int]]) throws -> Value {
        try ValueCoder.encode(Parameters(budget: budgetBits, metrics: metrics, table: table,
                                         tiles: tiles.map { TileSize($0.x, $0.y) },
                                         ranges: ranges, cutLists: cutLists, slots: slots))
    }

    /// `params` with another budget and objectives (the rest, what the graph below decides, kept).
    static func params(_ params: Value, budgetBits: Int, metrics: [GlobalAllocation.Metric]) throws -> Value {
        var settings = try ValueCoder.decode(Parameters.self, from: params)
        settings.budget = budgetBits
        settings.metrics = metrics
        return try ValueCoder.encode(settings)
    }

    /// The report an allocation artifact holds (the one this process made it from, if waiting).
    public static func report(_ artifact: Artifact) throws -> AllocationReport {
        if let made = madeReports.take(artifact.digest) { return made }
        return try AllocationReport(value: CanonicalDecoder.decode(artifact.bytes))
    }

    /// The allocation proper, given each (range index, tile index)'s option in the table and, for
    /// the report, its trunk report.
    static func allocate(_ s: Parameters, option: (Int, Int) throws -> GlobalAllocation.Option,
                         trunk: (Int, Int) throws -> TrunkReport) throws -> AllocationReport {
        // Options per range: every tile key of the table, in study order.
        let eligible = s.tiles.indices.filter { s.table == .window || s.tiles[$0].y == 1 }
        var options: [[GlobalAllocation.Option]] = []
        for r in s.ranges.indices {
            options.append(try eligible.map { t in try option(r, t) })
        }
        let rangeIndex = Dictionary(s.ranges.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var out = AllocationReport(budgetBits: s.budget, table: s.table, tiles: s.tiles.map { ($0.x, $0.y) },
                                   ranges: s.ranges,
                                  cutLists: s.cutLists)
        var fronts: [AllocationReport.Entry] = []
        for (c, cuts) in s.cutLists.enumerated() {
            let trunks = try RangeEnumeration.ranges(of: cuts).map { r -> Int in
                guard let i = rangeIndex[r] else {
                    throw MalformedArtifact(description: "cut list \(cuts) needs range \(r)")
                }
                return i
            }
            let perTrunk = trunks.map { options[$0] }
            /// Choices come back as indices into `eligible`; reports use study tile indices.
            func entry(_ schedule: GlobalAllocation.Schedule) -> AllocationReport.Entry {
                var s = schedule
                s.choice = s.choice.map { eligible[$0] }
                return AllocationReport.Entry(cutList: c, trunks: trunks, schedule: s)
            }
            let solved = GlobalAllocation.solve(perTrunk, budget: s.budget, metrics: s.metrics, front: true)
            out.perCutList.append(solved.best.mapValues(entry))
            fronts += solved.front.map(entry)
        }
        for metric in s.metrics {
            // Ties between cut lists go to the earlier one (enumeration order).
            out.best[metric] = out.perCutList.compactMap { $0[metric] }.min {
                $0.schedule.precedes($1.schedule, by: metric)
            }
        }
        out.front = AllocationReport.Entry.front(fronts)
        out.options = s.ranges.indices.map { r in
            s.tiles.indices.map { t in eligible.firstIndex(of: t).map { options[r][$0] } }
        }
        // The trunk readings the chosen schedules and the front refer to, for reports.
        for e in out.best.values.sorted(by: { $0.cutList < $1.cutList }) + out.front {
            for (r, t) in zip(e.trunks, e.schedule.choice) where out.trunks[AllocationReport.Slot(range: r,
                tile: t)] == nil {
                out.trunks[AllocationReport.Slot(range: r, tile: t)] = try trunk(r, t)
            }
        }
        return out
    }
}

/// Step 3's answer for one hardware × workload × mode × mapping objective.
public struct AllocationReport: Sendable {
    /// A schedule of one cut list: which ranges (indices into `ranges`) and which tile per trunk.
    public struct Entry: Sendable, Equatable {
        public var cutList: Int
        public var trunks: [Int]
        public var schedule: GlobalAllocation.Schedule

        /// The (latency, energy) front; among equal points the earlier cut list, then the smaller
        /// choice, is kept.
        static func front(_ entries: [Entry]) -> [Entry] {
            let sorted = entries.sorted {
                ($0.schedule.latency, $0.schedule.energy, $0.cutList)
                    < ($1.schedule.latency, $1.schedule.energy, $1.cutList)
                    || (($0.schedule.latency, $0.schedule.energy, $0.cutList)
                        == ($1.schedule.latency, $1.schedule.energy, $1.cutList)
                        && $0.schedule.choice.lexicographicallyPrecedes($1.schedule.choice))
            }
            var out: [Entry] = []
            for e in sorted where out.last.map({ e.schedule.energy < $0.schedule.energy }) ?? true { out.append(e) }
            return out
        }
    }

    public struct Slot: Sendable, Hashable {
        public var range: Int
        public var tile: Int
    }

    public var budgetBits: Int
    public var table: Study.Table
    public var tiles: [(x: Int, y: Int)]
    public var ranges: [LayerRange]
    public var cutLists: [[Int]]
    /// Per cut list, the best schedule for each requested metric.
    public var perCutList: [[GlobalAllocation.Metric: Entry]] = []
    /// Per requested metric, the best schedule over all cut lists.
    public var best: [GlobalAllocation.Metric: Entry] = [:]
    /// The (latency, energy) Pareto front over every schedule of every cut list, by latency.
    public var front: [Entry] = []
    /// The trunk readings of every (range, tile) that `best` and `front` use.
    public var trunks: [Slot: TrunkReport] = [:]
    /// `options[range][tile]`: what Step 3 chose among — each (range, study tile)'s cost and peak
    /// in the report's table; nil for a tile the table does not admit.
    public var options: [[GlobalAllocation.Option?]] = []
}

extension GlobalAllocation.Schedule {
    /// Strictly better on `metric` (EDP compared exactly).
    public func precedes(_ other: Self, by metric: GlobalAllocation.Metric) -> Bool {
        switch metric {
        case .latency: return latency < other.latency
        case .energy: return energy < other.energy
        case .edp: return GlobalAllocation.productLess(latency, energy, other.latency, other.energy)
        }
    }
}

// MARK: Canonical form (the allocation artifact)

extension AllocationReport: Codable {
    enum CodingKeys: String, CodingKey {
        case budget, table, tiles, ranges, cutLists = "cut_lists", perCutList = "per_cut_list", best, front, trunks
        case options
    }

    /// One trunk report the schedules use, stored in (range, tile) order.
    struct StoredTrunk: Codable {
        var range: Int
        var tile: Int
        var report: TrunkReport
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(budgetBits: try c.decode(Int.self, forKey: .budget), table: try c.decode(Study.Table.self,
            forKey: .table),
                  tiles: try c.decode([TileSize].self, forKey: .tiles).map { ($0.x, $0.y) },
                  ranges: try c.decode([LayerRange].self, forKey: .ranges),
                  cutLists: try c.decode([[Int]].self, forKey: .cutLists))
        perCutList = try c.decode([[GlobalAllocation.Metric: Entry]].self, forKey: .perCutList)
        best = try c.decode([GlobalAllocation.Metric: Entry].self, forKey: .best)
        front = try c.decode([Entry].self, forKey: .front)
        for t in try c.decode([StoredTrunk].self, forKey: .trunks) {
            trunks[Slot(range: t.range, tile: t.tile)] = t.report
        }
        options = try c.decode([[[Int]?]].self, forKey: .options).map { row in
            try row.map { (o: [Int]?) throws -> GlobalAllocation.Option? in
                guard let o else { return nil }
                guard o.count == 5 else { throw MalformedArtifact(description: "allocation option") }
                return GlobalAllocation.Option(latency: o[0], energy: o[1], latencyDelta: o[2], energyDelta: o[3],
                                               peakBits: o[4])
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(budgetBits, forKey: .budget)
        try c.encode(table, forKey: .table)
        try c.encode(tiles.map { TileSize($0.x, $0.y) }, forKey: .tiles)
        try c.encode(ranges, forKey: .ranges)
        try c.encode(cutLists, forKey: .cutLists)
        try c.encode(perCutList, forKey: .perCutList)
        try c.encode(best, forKey: .best)
        try c.encode(front, forKey: .front)
        let stored = trunks.sorted { ($0.key.range, $0.key.tile) < ($1.key.range, $1.key.tile) }
            .map { StoredTrunk(range: $0.key.range, tile: $0.key.tile, report: $0.value) }
        try c.encode(stored, forKey: .trunks)
        try c.encode(options.map { $0.map { o in o.map { [$0.latency, $0.energy, $0.latencyDelta, $0.energyDelta,
                                                         $0.peakBits] } } }, forKey: .options)
    }
}

extension AllocationReport.Entry: Codable {
    enum CodingKeys: String, CodingKey { case cutList = "cut_list", trunks, schedule }
}
