import Graph

/// Canonical values of the model's inputs and outputs: what task parameters and artifacts are
/// made of. Only what changes a result goes in (a layer's id or name does not, so identical
/// sub-problems share one cache entry).
enum CanonicalForms {
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    // MARK: Search result

    static func value(_ r: LayerSearchResult) -> Value {
        let e = r.evaluation
        return [
            "energy": [.double(e.macEnergy), .double(e.memoryEnergy)],
            "latency": [.int(Int64(e.idealCycle)), .int(Int64(e.idealTemporalCycle)), .int(Int64(e.stallSlack)),
                        .int(Int64(e.onload)), .int(Int64(e.offload))],
            "mapping": .object(e.temporalMapping.mapValues { levels in
                .array(levels.map { .array($0.map { [.string($0.dim), .double($0.size)] }) })
            }),
            "levels": .array(e.levels.map { l in
                [.string(l.operand), .int(Int64(l.level)), .string(l.memory),
                 .array(Direction.allCases.map { .double(l.accesses[$0] ?? 0) }), .double(l.energy),
                 .array(Direction.allCases.map { .double(l.energyByDirection[$0] ?? 0) })]
            }),
            "offload_pairs": .array(e.offloadPairs.map { .int(Int64($0)) }),
            "double_buffered": .object(e.doubleBuffered.mapValues { .array($0.map { .bool($0) }) }),
            "ordering": .array(r.ordering.map { [.string($0.dim), .int(Int64($0.factor))] }),
            "lpfs": .array(r.lpfs.map { [.string($0.dim), .int(Int64($0.factor))] }),
            "orderings_evaluated": .int(Int64(r.orderingsEvaluated)),
        ]
    }

    static func searchResult(_ v: Value) throws(Malformed) -> LayerSearchResult {
        let energy = try list(v["energy"]).map { (x: Value) throws(Malformed) in try double(x) }
        let latency = try list(v["latency"]).map { (x: Value) throws(Malformed) in try int(x) }
        guard energy.count == 2, latency.count == 5 else { throw Malformed(description: "result") }
        guard case .object(let mappingFields)? = v["mapping"] else { throw Malformed(description: "mapping") }
        var mapping: [String: [[Loop]]] = [:]
        for (op, levels) in mappingFields {
            mapping[op] = try list(levels).map { (level: Value) throws(Malformed) in
                try list(level).map { (pair: Value) throws(Malformed) in
                    let p = try list(pair)
                    guard p.count == 2 else { throw Malformed(description: "loop") }
                    return Loop(try string(p[0]), try double(p[1]))
                }
            }
        }
        var levels: [LayerEvaluation.LevelCost] = []
        for l in try list(v["levels"]) {
            let t = try list(l)
            guard t.count == 6 else { throw Malformed(description: "level") }
            let words = try list(t[3]).map { (x: Value) throws(Malformed) in try double(x) }
            let byDirection = try list(t[5]).map { (x: Value) throws(Malformed) in try double(x) }
            guard words.count == 4, byDirection.count == 4 else { throw Malformed(description: "accesses") }
            levels.append(.init(operand: try string(t[0]), level: try int(t[1]), memory: try string(t[2]),
                                accesses: Dictionary(uniqueKeysWithValues: zip(Direction.allCases, words)), energy: try double(t[4]),
                                energyByDirection: Dictionary(uniqueKeysWithValues: zip(Direction.allCases, byDirection))))
        }
        guard case .object(let dbFields)? = v["double_buffered"] else { throw Malformed(description: "flags") }
        var flags: [String: [Bool]] = [:]
        for (op, list) in dbFields {
            guard case .array(let items) = list else { throw Malformed(description: "flags") }
            flags[op] = items.compactMap(\.boolValue)
        }
        func lpfs(_ value: Value?) throws(Malformed) -> [LPF] {
            try list(value).map { (pair: Value) throws(Malformed) in
                let p = try list(pair)
                guard p.count == 2 else { throw Malformed(description: "lpf") }
                return LPF(try string(p[0]), try int(p[1]))
            }
        }
        var evaluation = LayerEvaluation(temporalMapping: mapping, levels: levels, macEnergy: energy[0], memoryEnergy: energy[1],
                                         idealCycle: latency[0], idealTemporalCycle: latency[1], stallSlack: latency[2],
                                         onload: latency[3], offload: latency[4], doubleBuffered: flags)
        evaluation.offloadPairs = try list(v["offload_pairs"]).map { (x: Value) throws(Malformed) in try int(x) }
        return LayerSearchResult(evaluation: evaluation, ordering: try lpfs(v["ordering"]),
                                 orderingsEvaluated: try int(v["orderings_evaluated"]), lpfs: try lpfs(v["lpfs"]))
    }

    // MARK: Accessors

    static func list(_ v: Value?) throws(Malformed) -> [Value] {
        guard case .array(let items)? = v else { throw Malformed(description: "expected a list") }
        return items
    }
    static func string(_ v: Value?) throws(Malformed) -> String {
        guard case .string(let s)? = v else { throw Malformed(description: "expected a string") }
        return s
    }
    static func int(_ v: Value?) throws(Malformed) -> Int {
        guard case .int(let i)? = v else { throw Malformed(description: "expected an integer") }
        return Int(i)
    }
    static func double(_ v: Value?) throws(Malformed) -> Double {
        guard case .double(let d)? = v else { throw Malformed(description: "expected a double") }
        return d
    }
    static func strings(_ v: Value?) throws(Malformed) -> [String] {
        try list(v).map { (x: Value) throws(Malformed) in try string(x) }
    }
    static func intMap(_ v: Value?) throws(Malformed) -> [String: Int] {
        guard case .object(let fields)? = v else { throw Malformed(description: "expected an object") }
        var out: [String: Int] = [:]
        for (k, x) in fields { out[k] = try int(x) }
        return out
    }
    static func stringMap(_ v: Value?) throws(Malformed) -> [String: String] {
        guard case .object(let fields)? = v else { throw Malformed(description: "expected an object") }
        var out: [String: String] = [:]
        for (k, x) in fields { out[k] = try string(x) }
        return out
    }
}
