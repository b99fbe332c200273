import Graph

/// Canonical values of trunks and stack results (task parameters and artifacts).
extension CanonicalForms {
    /// A key cost; its energy breakdown is a dense list over the result's breakdown names (null
    /// where absent), so the names are written once per result, not once per cost.
    static func value(_ cost: KeyCost, names: [String: Int]) -> Value {
        var breakdown = [Value](repeating: .null, count: names.count)
        for (k, x) in cost.breakdown { if let i = names[k] { breakdown[i] = .double(x) } }
        return [.double(cost.energy), .int(Int64(cost.latency0)), .int(Int64(cost.latency1)), .int(Int64(cost.latency2)),
                .bool(cost.isCopy), .array(breakdown), .int(Int64(cost.offload)),
                .array(cost.offloadPairs.map { .int(Int64($0)) }), .array(cost.firstHops.map { .int(Int64($0)) })]
    }

    static func keyCost(_ v: Value, names: [String]) throws(Malformed) -> KeyCost {
        let t = try list(v)
        guard t.count == 9, case .bool(let isCopy) = t[4], case .array(let b) = t[5], b.count == names.count else {
            throw Malformed(description: "cost")
        }
        var breakdown: [String: Double] = [:]
        for (i, x) in b.enumerated() where x != .null { breakdown[names[i]] = try double(x) }
        return KeyCost(energy: try double(t[0]), latency0: try int(t[1]), latency1: try int(t[2]), latency2: try int(t[3]),
                       isCopy: isCopy, breakdown: breakdown, offload: try int(t[6]),
                       offloadPairs: try list(t[7]).map { (x: Value) throws(Malformed) in try int(x) },
                       firstHops: try list(t[8]).map { (x: Value) throws(Malformed) in try int(x) })
    }

    static func value(_ r: StackResult) -> Value {
        let names = Set(r.buckets.values.flatMap { b in (b.all + b.row0 + b.row1 + b.lastRow).flatMap { $0.cost.breakdown.keys } }).sorted()
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        // Per key, each distinct cost once; the buckets list (cost index, count) pairs in their
        // summation order (a cost recurs across buckets and often across tile types).
        func key(_ name: String, _ b: StackResult.Buckets) -> Value {
            var costs: [KeyCost] = []
            func bucket(_ pairs: [(cost: KeyCost, count: Int)]) -> Value {
                .array(pairs.map { pair in
                    let i = costs.firstIndex(of: pair.cost) ?? { costs.append(pair.cost); return costs.count - 1 }()
                    return [.int(Int64(i)), .int(Int64(pair.count))]
                })
            }
            let buckets = [b.all, b.row0, b.row1, b.lastRow].map(bucket)
            return .array([.string(name), .array(costs.map { value($0, names: index) })] + buckets)
        }
        return [
            "breakdown_names": .array(names.map { .string($0) }),
            "tile_type_counts": .array(r.tileTypeCounts.map { .int(Int64($0)) }),
            "rows": .int(Int64(r.rows)), "columns": .int(Int64(r.columns)),
            "placements": .array(r.placements.map { p in
                [.int(Int64(p.width)), .int(Int64(p.height)), .int(Int64(p.count)), p.hCache.map(Value.string) ?? .null,
                 p.vCache.map(Value.string) ?? .null, .string(p.weights),
                 .array(p.nodes.map { [.int(Int64($0.node)), .string($0.input), .string($0.output)] })]
            }),
            "keys": .array(r.keys.map { key($0, r.buckets[$0] ?? .init()) }),
        ]
    }

    static func stackResult(_ v: Value) throws(Malformed) -> StackResult {
        let names = try strings(v["breakdown_names"])
        func bucket(_ v: Value, _ costs: [KeyCost]) throws(Malformed) -> [(cost: KeyCost, count: Int)] {
            try list(v).map { (e: Value) throws(Malformed) in
                let pair = try list(e)
                guard pair.count == 2, case let i = try int(pair[0]), costs.indices.contains(i) else { throw Malformed(description: "bucket") }
                return (costs[i], try int(pair[1]))
            }
        }
        var result = StackResult(tileTypeCounts: try list(v["tile_type_counts"]).map { (x: Value) throws(Malformed) in try int(x) },
                                 keys: [], buckets: [:], rows: try int(v["rows"]), columns: try int(v["columns"]))
        for p in try list(v["placements"]) {
            let t = try list(p)
            guard t.count == 7 else { throw Malformed(description: "placement") }
            var nodes: [NodePlacement] = []
            for n in try list(t[6]) {
                let x = try list(n)
                guard x.count == 3 else { throw Malformed(description: "node placement") }
                nodes.append(NodePlacement(node: try int(x[0]), input: try string(x[1]), output: try string(x[2])))
            }
            result.placements.append(TilePlacement(width: try int(t[0]), height: try int(t[1]), count: try int(t[2]),
                                                   hCache: t[3].stringValue, vCache: t[4].stringValue, weights: try string(t[5]),
                                                   nodes: nodes))
        }
        for k in try list(v["keys"]) {
            let t = try list(k)
            guard t.count == 6 else { throw Malformed(description: "key") }
            let name = try string(t[0])
            let costs = try list(t[1]).map { (c: Value) throws(Malformed) in try keyCost(c, names: names) }
            result.keys.append(name)
            result.buckets[name] = .init(all: try bucket(t[2], costs), row0: try bucket(t[3], costs), row1: try bucket(t[4], costs),
                                         lastRow: try bucket(t[5], costs))
        }
        return result
    }
}
