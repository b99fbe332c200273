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
        let o = try Read.object(value)
        let table = try Read.string(o, "table")
        guard let known = Study.Table(rawValue: table) else { throw MalformedArtifact(description: "table \(table)") }
        self.init(budgetBits: try Read.int(o, "budget"), table: known,
                  tiles: try Read.array(o, "tiles").map { tile in
                      let xy = try Read.object(tile)
                      return (try Read.int(xy, "x"), try Read.int(xy, "y"))
                  },
                  ranges: try ValueCoder.decode([LayerRange].self, from: Read.field(o, "ranges")),
                  cutLists: try Read.array(o, "cut_lists").map(Read.ints))
        perCutList = try Read.array(o, "per_cut_list").map(Self.byMetric)
        best = try Self.byMetric(Read.field(o, "best"))
        front = try Read.array(o, "front").map(Entry.init(value:))
        for t in try ValueCoder.decode([StoredTrunk].self, from: Read.field(o, "trunks")) {
            trunks[Slot(range: t.range, tile: t.tile)] = t.report
        }
        options = try Read.array(o, "options").map { row in
            try Read.array(row).map { (cell: Value) throws -> GlobalAllocation.Option? in
                if case .null = cell { return nil }
                let n = try Read.ints(cell)
                guard n.count == 5 else { throw MalformedArtifact(description: "allocation option") }
                return GlobalAllocation.Option(latency: n[0], energy: n[1], latencyDelta: n[2], energyDelta: n[3],
                                               peakBits: n[4])
            }
        }
    }

    static func ints(_ list: [Int]) -> Value { .array(list.map { .int(Int64($0)) }) }

    /// A metric-keyed map: an object keyed by the metrics' names.
    static func byMetric(_ entries: [GlobalAllocation.Metric: Entry]) -> Value {
        .object(Dictionary(uniqueKeysWithValues: entries.map { ($0.key.rawValue, $0.value.value) }))
    }

    static func byMetric(_ value: Value) throws -> [GlobalAllocation.Metric: Entry] {
        var out: [GlobalAllocation.Metric: Entry] = [:]
        for (name, entry) in try Read.object(value) {
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
        let o = try Read.object(value)
        let s = try Read.object(Read.field(o, "schedule"))
        guard case .bool(let onChip) = try Read.field(s, "on_chip") else {
            throw MalformedArtifact(description: "allocation schedule on_chip")
        }
        self.init(cutList: try Read.int(o, "cut_list"), trunks: try Read.ints(Read.field(o, "trunks")),
                  schedule: GlobalAllocation.Schedule(choice: try Read.ints(Read.field(s, "choice")),
                                                      latency: try Read.int(s, "latency"),
                                                      energy: try Read.int(s, "energy"),
                                                      peakBits: try Read.int(s, "peak_bits"), onChip: onChip))
    }
}

/// Reading a value form by hand: each mismatch one `MalformedArtifact` naming the field.
private enum Read {
    static func object(_ v: Value) throws -> [String: Value] {
        guard case .object(let o) = v else { throw MalformedArtifact(description: "allocation report: not an object") }
        return o
    }

    static func field(_ o: [String: Value], _ name: String) throws -> Value {
        guard let v = o[name] else { throw MalformedArtifact(description: "allocation report without \(name)") }
        return v
    }

    static func array(_ v: Value) throws -> [Value] {
        guard case .array(let a) = v else { throw MalformedArtifact(description: "allocation report: not an array") }
        return a
    }

    static func array(_ o: [String: Value], _ name: String) throws -> [Value] { try array(field(o, name)) }

    static func int(_ v: Value) throws -> Int {
        guard case .int(let n) = v, let i = Int(exactly: n) else {
            throw MalformedArtifact(description: "allocation report: not an integer")
        }
        return i
    }

    static func int(_ o: [String: Value], _ name: String) throws -> Int { try int(field(o, name)) }

    static func ints(_ v: Value) throws -> [Int] { try array(v).map(int) }

    static func string(_ o: [String: Value], _ name: String) throws -> String {
        guard case .string(let s) = try field(o, name) else {
            throw MalformedArtifact(description: "allocation report: \(name) not a string")
        }
        return s
    }
}
