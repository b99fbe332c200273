import Graph

/// The allocation artifact's value form, made and read by hand: exactly what `ValueCoder` makes
/// of an `AllocationReport` (tested on real reports), without the coding machinery for its
/// thousands of options and per-cut-list schedules — encoding them was a fifth of a budget edit's
/// allocation time, decoding them most of reading a study's answers. Parts with few elements
/// (ranges, the trunk reports) still go through `ValueCoder`.
extension AllocationReport {
    var value: Value {
        get throws {
            let stored = trunks.sorted { ($0.key.range, $0.key.tile) < ($1.key.range, $1.key.tile) }
                .map { StoredTrunk(range: $0.key.range, tile: $0.key.tile, report: $0.value) }
            return .object([
                "budget": .int(Int64(budgetBits)),
                "table": .string(table.rawValue),
                "tiles": .array(tiles.map { TileSize($0.x, $0.y).value }),
                "ranges": try ValueCoder.encode(ranges),
                "cut_lists": .array(cutLists.map(Self.ints)),
                "per_cut_list": .array(perCutList.map(Self.byMetric)),
                "best": Self.byMetric(best),
                "front": .array(front.map(\.value)),
                "trunks": try ValueCoder.encode(stored),
                "options": .array(options.map { row in
                    .array(row.map { option in
                        option.map { o in
                            Self.ints([o.latency, o.energy, o.latencyDelta, o.energyDelta, o.peakBits])
                        } ?? .null
                    })
                }),
            ])
        }
    }

    init(value: Value) throws {
        var f = try FormReader(value, "allocation report")
        let table = try f.string("table")
        guard let known = Study.Table(rawValue: table) else { throw MalformedArtifact(description: "table \(table)") }
        self.init(budgetBits: try f.int("budget"), table: known,
                  tiles: try f.list("tiles") { tile in
                      var xy = try FormReader(tile, "tile")
                      let pair = (try xy.int("x"), try xy.int("y"))
                      try xy.end()
                      return pair
                  },
                  ranges: try ValueCoder.decode([LayerRange].self, from: f.field("ranges")),
                  cutLists: try f.list("cut_lists") { try FormReader.ints($0, "cut list") })
        perCutList = try f.list("per_cut_list", Self.byMetric)
        best = try Self.byMetric(f.field("best"))
        front = try f.list("front", Entry.init(value:))
        for t in try ValueCoder.decode([StoredTrunk].self, from: f.field("trunks")) {
            trunks[Slot(range: t.range, tile: t.tile)] = t.report
        }
        options = try f.list("options") { row in
            guard case .array(let cells) = row else { throw MalformedArtifact(description: "allocation options") }
            return try cells.map { (cell: Value) throws -> GlobalAllocation.Option? in
                if case .null = cell { return nil }
                let n = try FormReader.ints(cell, "allocation option")
                guard n.count == 5 else { throw MalformedArtifact(description: "allocation option") }
                return GlobalAllocation.Option(latency: n[0], energy: n[1], latencyDelta: n[2], energyDelta: n[3],
                                               peakBits: n[4])
            }
        }
        try f.end()
    }

    static func ints(_ list: [Int]) -> Value { .array(list.map { .int(Int64($0)) }) }

    /// A metric-keyed map: an object keyed by the metrics' names.
    static func byMetric(_ entries: [GlobalAllocation.Metric: Entry]) -> Value {
        .object(Dictionary(uniqueKeysWithValues: entries.map { ($0.key.rawValue, $0.value.value) }))
    }

    static func byMetric(_ value: Value) throws -> [GlobalAllocation.Metric: Entry] {
        guard case .object(let entries) = value else { throw MalformedArtifact(description: "metric map") }
        var out: [GlobalAllocation.Metric: Entry] = [:]
        for (name, entry) in entries {
            guard let metric = GlobalAllocation.Metric(rawValue: name) else {
                throw MalformedArtifact(description: "metric \(name)")
            }
            out[metric] = try Entry(value: entry)
        }
        return out
    }
}

extension AllocationReport.Entry {
    var value: Value {
        .object(["cut_list": .int(Int64(cutList)), "trunks": AllocationReport.ints(trunks), "schedule": .object([
            "choice": AllocationReport.ints(schedule.choice), "latency": .int(Int64(schedule.latency)),
            "energy": .int(Int64(schedule.energy)), "peak_bits": .int(Int64(schedule.peakBits)),
            "on_chip": .bool(schedule.onChip),
        ])])
    }

    init(value: Value) throws {
        var f = try FormReader(value, "allocation entry")
        var s = try FormReader(f.field("schedule"), "allocation schedule")
        guard case .bool(let onChip) = try s.field("on_chip") else {
            throw MalformedArtifact(description: "allocation schedule on_chip")
        }
        self.init(cutList: try f.int("cut_list"), trunks: try FormReader.ints(f.field("trunks"), "entry trunks"),
                  schedule: GlobalAllocation.Schedule(choice: try FormReader.ints(s.field("choice"), "choice"),
                                                      latency: try s.int("latency"), energy: try s.int("energy"),
                                                      peakBits: try s.int("peak_bits"), onChip: onChip))
        try s.end()
        try f.end()
    }
}
