import Graph

/// Canonical values of the model's inputs and outputs: what task parameters and artifacts are
/// made of. Only what changes a result goes in (a layer's id or name does not, so identical
/// sub-problems share one cache entry).
enum CanonicalForms {
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    // MARK: Layer (the single-layer problem)

    static func value(_ layer: Layer) -> Value {
        [
            "equation": .string(layer.equation),
            "relations": .array(layer.relations.map { .string($0.text) }),
            "loop_sizes": .array(layer.loopSizes.map { [.string($0.dim), .int(Int64($0.size))] }),
            "precision": .object(layer.precision.mapValues { .int(Int64($0)) }),
            "spatial_mapping": .array(layer.spatialMapping.map { [.string($0.arrayDim), .string($0.loopDim), .int(Int64($0.unroll))] }),
            "links": .object(layer.memoryOperandLinks.mapValues { .string($0) }),
            // `relevanceFrozenFromFileSizes`: the relevance lists follow the file's sizes.
            "relevance_sizes": .array(layer.relevanceSizes.map { [.string($0.dim), .int(Int64($0.size))] }),
        ]
    }

    static func loopSizes(_ v: Value?) throws(Malformed) -> [Layer.LoopSize] {
        try list(v).map { (p: Value) throws(Malformed) in
            let pair = try list(p)
            guard pair.count == 2 else { throw Malformed(description: "loop size") }
            return Layer.LoopSize(try string(pair[0]), try int(pair[1]))
        }
    }

    static func layer(_ v: Value) throws(Malformed) -> Layer {
        do {
            return try Layer(id: 0, equation: try string(v["equation"]), relations: try strings(v["relations"]),
                             loopSizes: try loopSizes(v["loop_sizes"]),
                             precision: try intMap(v["precision"]),
                             spatialMapping: try list(v["spatial_mapping"]).map { (t: Value) throws(Malformed) in
                                 let triple = try list(t)
                                 guard triple.count == 3 else { throw Malformed(description: "spatial mapping") }
                                 return Layer.SpatialUnroll(try string(triple[0]), try string(triple[1]), try int(triple[2]))
                             },
                             memoryOperandLinks: try stringMap(v["links"]), relevanceSizes: try loopSizes(v["relevance_sizes"]))
        } catch let e as Malformed {
            throw e
        } catch {
            throw Malformed(description: "layer: \(error)")
        }
    }

    // MARK: Core

    static func value(_ core: Core) -> Value {
        [
            "array": .array(core.arrayDims.map { [.string($0.name), .int(Int64($0.size))] }),
            "mac_energy": .double(core.macEnergy),
            "memories": .array(core.memories.map { m in
                [
                    "name": .string(m.name), "size": .int(Int64(m.size)),
                    "bw": [.int(Int64(m.readBandwidth)), .int(Int64(m.writeBandwidth)),
                           .int(Int64(m.readGranularity)), .int(Int64(m.writeGranularity))],
                    "cost": [.double(m.readCost), .double(m.writeCost)],
                    "latency": .int(Int64(m.latency)),
                    "operands": .array(m.operands.map { .string($0) }),
                    "served": .array(m.servedDims.map { .string($0) }),
                    "ports": .array(m.ports.map { p in
                        [.string(p.name), .string(p.kind.rawValue),
                         .array(p.duties.map { [.string($0.memoryOperand), .int(Int64($0.level)), .string($0.direction.rawValue)] })]
                    }),
                ]
            }),
        ]
    }

    static func core(_ v: Value) throws(Malformed) -> Core {
        var dims: [(name: String, size: Int)] = []
        for d in try list(v["array"]) {
            let pair = try list(d)
            guard pair.count == 2 else { throw Malformed(description: "array dim") }
            dims.append((try string(pair[0]), try int(pair[1])))
        }
        var memories: [Memory] = []
        for m in try list(v["memories"]) {
            let bw = try list(m["bw"]).map { (x: Value) throws(Malformed) in try int(x) }
            let cost = try list(m["cost"]).map { (x: Value) throws(Malformed) in try double(x) }
            guard bw.count == 4, cost.count == 2 else { throw Malformed(description: "memory") }
            var ports: [Port] = []
            for p in try list(m["ports"]) {
                let parts = try list(p)
                guard parts.count == 3, let kind = Port.Kind(rawValue: try string(parts[1])) else { throw Malformed(description: "port") }
                var duties: [Duty] = []
                for d in try list(parts[2]) {
                    let t = try list(d)
                    guard t.count == 3, let dir = Direction(rawValue: try string(t[2])) else { throw Malformed(description: "duty") }
                    duties.append(Duty(try string(t[0]), try int(t[1]), dir))
                }
                ports.append(Port(name: try string(parts[0]), kind: kind, duties: duties))
            }
            memories.append(Memory(name: try string(m["name"]), size: try int(m["size"]), readBandwidth: bw[0],
                                   writeBandwidth: bw[1], readGranularity: bw[2], writeGranularity: bw[3],
                                   readCost: cost[0], writeCost: cost[1], latency: try int(m["latency"]),
                                   operands: try strings(m["operands"]), ports: ports, servedDims: try strings(m["served"])))
        }
        return Core(name: "", arrayDims: dims, macEnergy: try double(v["mac_energy"]), memories: memories)
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
