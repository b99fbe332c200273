/// The result of evaluating one layer with one spatial and one temporal mapping on one core:
/// the "CME" of the reference (model.md §4.4, §4.6).
public struct LayerEvaluation: Sendable {
    public struct LevelCost: Sendable, Equatable {
        public var operand: String
        public var level: Int
        public var memory: String
        /// Word accesses per direction.
        public var accesses: [Direction: Double]
        public var energy: Double
        /// Energy per direction (accesses × the memory's read or write cost).
        public var energyByDirection: [Direction: Double] = [:]
    }

    /// Temporal loops per layer operand and memory level, innermost first (after merge-down).
    public var temporalMapping: [String: [[Loop]]]
    public var levels: [LevelCost]
    public var macEnergy: Double
    public var memoryEnergy: Double
    public var energyTotal: Double { macEnergy + memoryEnergy }
    public var idealCycle: Int
    public var idealTemporalCycle: Int
    public var stallSlack: Int
    public var onload: Int
    public var offload: Int
    /// Cycles of each off-loading pair (output level l → l + 1), innermost first (model.md §4.6).
    public var offloadPairs: [Int] = []
    /// Per operand: `[MAC level] + one flag per memory level`.
    public var doubleBuffered: [String: [Bool]]
    public var latencyTotal0: Int { idealTemporalCycle + stallSlack }
    public var latencyTotal1: Int { latencyTotal0 + onload }
    public var latencyTotal2: Int { latencyTotal1 + offload }
}

/// Evaluates mappings of one layer on one core.
struct LayerEvaluator {
    let layer: Layer
    let core: Core
    let spatial: SpatialMapping
    let spatialInt: SpatialMapping
    let memoriesOf: [String: [Int]]

    init(layer: Layer, core: Core) throws(SpatialMapping.Invalid) {
        self.layer = layer
        self.core = core
        spatial = try SpatialMapping(layer: layer, core: core, integer: false)
        spatialInt = try SpatialMapping(layer: layer, core: core, integer: true)
        var memoriesOf: [String: [Int]] = [:]
        for op in layer.operands.map(\.name) {
            memoriesOf[op] = core.levels(of: layer.memoryOperandLinks[op] ?? "")
        }
        self.memoriesOf = memoriesOf
    }

    func evaluate(_ allocated: [String: [[Loop]]]) -> LayerEvaluation {
        var temporal: [String: [[Loop]]] = [:]
        for (op, levels) in allocated {
            temporal[op] = mergeDown(levels, irrelevant: Set(layer.relevance[op]?.ir ?? []))
        }
        let ops = layer.operands.map(\.name)
        let fractional = ops.map { OperandQuantities(layer: layer, op: $0, memories: memoriesOf[$0] ?? [],
                                                      temporal: temporal[$0] ?? [], spatial: spatial) }
        let integer = ops.map { OperandQuantities(layer: layer, op: $0, memories: memoriesOf[$0] ?? [],
                                                   temporal: temporal[$0] ?? [], spatial: spatialInt) }
        let (levels, memoryEnergy) = energy(fractional)
        let flags = doubleBufferFlags(fractional)
        let latency = latencies(integer, doubleBuffered: flags)
        var evaluation = LayerEvaluation(
            temporalMapping: temporal, levels: levels,
            macEnergy: core.macEnergy * Double(layer.macCount), memoryEnergy: memoryEnergy,
            idealCycle: Int((Double(layer.macCount) / Double(core.unitCount)).rounded(.up)),
            idealTemporalCycle: integer.first?.totalCycle ?? 0,
            stallSlack: latency.stallSlack, onload: latency.onload, offload: latency.offload,
            doubleBuffered: Dictionary(uniqueKeysWithValues: zip(ops, ops.map { flags[$0] ?? [] })))
        evaluation.offloadPairs = latency.offloadPairs
        return evaluation
    }

    // MARK: Energy (model.md §4.5)

    func energy(_ quantities: [OperandQuantities]) -> ([LayerEvaluation.LevelCost], Double) {
        var levels: [LayerEvaluation.LevelCost] = []
        var total = 0.0
        for q in quantities {
            for l in 0..<q.n {
                let memory = core.memories[q.memories[l]]
                var accesses: [Direction: Double] = [:]
                var byDirection: [Direction: Double] = [:]
                var energy = 0.0
                for direction in Direction.allCases {
                    let words = wordAccesses(q, level: l, direction: direction)
                    accesses[direction] = words
                    byDirection[direction] = words * memory.cost(direction)
                    energy += words * memory.cost(direction)
                }
                levels.append(.init(operand: q.op, level: l, memory: memory.name, accesses: accesses, energy: energy,
                                    energyByDirection: byDirection))
                total += energy
            }
        }
        return (levels, total)
    }

    func wordAccesses(_ q: OperandQuantities, level l: Int, direction: Direction) -> Double {
        let t = q.transfer(l, direction)
        guard t.amount != 0, t.precision != 0 else { return 0 }
        let memory = core.memories[q.memories[l]]
        let bw = Double(memory.bandwidth(direction)), bwMin = Double(memory.granularity(direction))
        let app = Double(t.amount), p = Double(t.precision)
        let units = Double(q.unitCount[l + 1])
        if !direction.isLow || l == 0 {
            return Self.wordsPerTransfer(bits: app * p, granularity: bwMin, width: bw) * Double(t.periodCount) * units
        }
        // Low directions above level 0 are throttled by the level below.
        let below = core.memories[q.memories[l - 1]]
        let opposite = Double(direction == .rdOutToLow ? below.writeBandwidth : below.readBandwidth)
        let other = opposite * q.unitUnique[l] / q.unitUnique[l + 1]
        let perCycle = min(other / p, bw / p, app)
        let k = (app / perCycle).rounded(.up)
        return Self.wordsPerTransfer(bits: perCycle * p, granularity: bwMin,
                                     width: bw) * Double(t.periodCount) * k * units
    }

    /// Full words charged for moving `bits` through a memory `width` bits wide whose smallest
    /// access is `granularity` bits: whole granules, as a fraction of a word (model.md §4.5).
    @inline(__always)
    static func wordsPerTransfer(bits: Double, granularity: Double, width: Double) -> Double {
        (bits / granularity).rounded(.up) * (granularity / width)
    }

    // MARK: Latency (model.md §4.6)

    /// model.md §4.6 on the fractional mapping: `[false] + one flag per memory level` per operand.
    func doubleBufferFlags(_ quantities: [OperandQuantities]) -> [String: [Bool]] {
        var effUtil: [String: [Double]] = [:]
        for q in quantities {
            effUtil[q.op] = (0..<q.n).map { l in Double(q.effBits[l + 1]) / Double(core.memories[q.memories[l]].size) }
        }
        // Users of each memory: (operand, level).
        var users: [Int: [(String, Int)]] = [:]
        for q in quantities { for l in 0..<q.n { users[q.memories[l], default: []].append((q.op, l)) } }
        var effShared = effUtil
        for (m, list) in users where core.memories[m].operands.count > 1 {
            let sum = list.reduce(0.0) { $0 + (effUtil[$1.0]?[$1.1] ?? 0) }
            for (op, l) in list { effShared[op]?[l] = sum }
        }
        var flags: [String: [Bool]] = [:]
        for q in quantities {
            var db = [false]
            for l in 0..<q.n {
                let shared = effShared[q.op]?[l] ?? 0, own = effUtil[q.op]?[l] ?? 0
                if shared <= 0.5 {
                    db.append(true)
                } else if own <= 1 - shared {
                    db.append(true)
                    for (op2, l2) in users[q.memories[l]] ?? [] { effShared[op2]?[l2] += own }
                } else {
                    db.append(false)
                }
            }
            flags[q.op] = db
        }
        return flags
    }

    struct DutyTiming {
        var real: Int
        var allowed: Int
        var period: Int
        var periodCount: Int
    }

    func timing(_ q: OperandQuantities, level l: Int, direction: Direction, doubleBuffered db: [Bool]) -> DutyTiming {
        let t = q.transfer(l, direction)
        let memory = core.memories[q.memories[l]]
        let buffered = direction.isLow ? db[l] : db[l + 1]
        let real = Int((Double(t.amount * t.precision) / Double(memory.bandwidth(direction))).rounded(.up))
        return DutyTiming(real: real, allowed: buffered ? t.period : t.window, period: t.period,
                          periodCount: t.periodCount)
    }

    func latencies(_ quantities: [OperandQuantities], doubleBuffered: [String: [Bool]])
        -> (stallSlack: Int, onload: Int, offload: Int, offloadPairs: [Int])
    {
        var byMemOp: [String: OperandQuantities] = [:]
        for q in quantities { if let m = layer.memoryOperandLinks[q.op] { byMemOp[m] = q } }
        func dutyTiming(_ duty: Duty) -> DutyTiming? {
            guard let q = byMemOp[duty.memoryOperand], duty.level < q.n else { return nil }
            let t = timing(q, level: duty.level, direction: duty.direction, doubleBuffered: doubleBuffered[q.op] ?? [])
            return t.periodCount > 0 ? t : nil
        }

        // model.md §4.6 stalls and slack, per port; ports work in parallel.
        var combined = 0
        var inputRecords: [String: [String: (real: Int, shared: Bool)]] = [:]
        let inputMemOps = Set(layer.inputs.compactMap { layer.memoryOperandLinks[$0] })
        for memory in core.memories {
            for port in memory.ports {
                let timed = port.duties.compactMap { duty in dutyTiming(duty).map { (duty, $0) } }
                // "Shared" = the port serves both input operands (I1 and I2 in every shipped model).
                let memOps = Set(port.duties.map(\.memoryOperand))
                let sharedByInputs = inputMemOps.count >= 2 && inputMemOps.isSubset(of: memOps)
                for (duty, t) in timed where inputMemOps.contains(duty.memoryOperand) {
                    inputRecords[duty.memoryOperand, default: [:]]["\(duty.level)_\(duty.direction.rawValue)"] =
                        (t.real, sharedByInputs)
                }
                guard !timed.isEmpty else { continue }
                let ss = timed.map { ($0.1.real - $0.1.allowed) * ($0.1.periodCount - 1) }
                let portSS: Int
                if timed.count == 1 {
                    portSS = ss[0]
                } else {
                    let muw = timed.reduce(0) { $0 + $1.1.allowed * ($1.1.periodCount - 1) }
                    let positive = ss.filter { $0 > 0 }.reduce(0, +)
                    let negative = ss.filter { $0 < 0 }.reduce(0, +)
                    portSS = positive + max(0, negative + muw - Self.memoryUpdateWindowUnion(timed.map(\.1)))
                }
                combined = max(combined, portSS)
            }
        }

        // model.md §4.6 on-loading.
        var individual: [String: Int] = [:], shared: [String: Int] = [:], half: [String: Int] = [:]
        let inputs = layer.inputs
        for op in inputs {
            guard let memOp = layer.memoryOperandLinks[op], let q = byMemOp[memOp], q.n >= 2 else { continue }
            let records = inputRecords[memOp] ?? [:]
            for l in 0..<(q.n - 1) {
                let a = records["\(l)_\(Direction.wrInByHigh.rawValue)"]
                let b = records["\(l + 1)_\(Direction.rdOutToLow.rawValue)"]
                let m = max(a?.real ?? 0, b?.real ?? 0)
                let sa = a?.shared ?? false, sb = b?.shared ?? false
                if !sa && !sb { individual[op, default: 0] += m } else if sa && sb { shared[op,
                    default: 0] += m } else {
                    half[op] = m
                }
            }
        }
        var onload = 0
        if inputs.count == 1 {
            onload = individual[inputs[0]] ?? 0
        } else if inputs.count >= 2 {
            let (o1, o2) = (inputs[0], inputs[1])
            let s1 = shared[o1] ?? 0, s2 = shared[o2] ?? 0, h1 = half[o1] ?? 0, h2 = half[o2] ?? 0
            let i1 = individual[o1] ?? 0, i2 = individual[o2] ?? 0
            let p1 = s1 + max(s2 + h2 + i2, h1 + i1)
            let p2 = s2 + max(s1 + h1 + i1, h2 + i2)
            onload = min(p1, p2)
        }

        // model.md §4.6 off-loading (`offloadSharingTestNeverFires`).
        var offload = 0
        var pairs: [Int] = []
        if let out = quantities.first(where: \.isOutput), out.n >= 2 {
            let db = doubleBuffered[out.op] ?? []
            func real(_ l: Int, _ d: Direction) -> Int {
                let t = timing(out, level: l, direction: d, doubleBuffered: db)
                return t.periodCount > 0 ? t.real : 0
            }
            pairs = (0..<(out.n - 1)).map { max(real($0, .rdOutToHigh), real($0 + 1, .wrInByLow)) }
            let top = out.n - 2
            offload = pairs[top]
            for l in 0..<top { offload += core.memories[out.memories[l + 1]].latency }
        }
        return (max(0, combined), onload, offload, pairs)
    }

    /// The union of the duties' memory-update windows over one longest period, times its count
    /// (model.md §4.6), by the analytic nested-period count.
    static func memoryUpdateWindowUnion(_ duties: [DutyTiming]) -> Int {
        if let full = duties.first(where: { $0.allowed == $0.period }) { return full.period * full.periodCount }
        guard var longest = duties.indices.first else { return 0 }
        for i in duties.indices where duties[i].period > duties[longest].period { longest = i }
        let sorted = duties.sorted { $0.period < $1.period }
        // occ(k, L): cycles of [0, L) occupied by duties 0..<k.
        func occ(_ k: Int, _ length: Int) -> Int {
            guard k > 0 else { return 0 }
            let d = sorted[k - 1]
            let a = min(d.allowed, d.period)
            func g(_ r: Int) -> Int { min(a, r) + occ(k - 1, r) - occ(k - 1, min(a, r)) }
            return (length / d.period) * g(d.period) + g(length % d.period)
        }
        return occ(sorted.count, duties[longest].period) * duties[longest].periodCount
    }
}

// MARK: Canonical form (the layer-search artifact)

extension LayerEvaluation: Codable {
    enum CodingKeys: String, CodingKey {
        case temporalMapping = "temporal_mapping", levels, macEnergy = "mac_energy", memoryEnergy = "memory_energy"
        case idealCycle = "ideal_cycle", idealTemporalCycle = "ideal_temporal_cycle", stallSlack = "stall_slack"
        case onload, offload, offloadPairs = "offload_pairs", doubleBuffered = "double_buffered"
    }
}

/// Accesses and energies are stored densely over `Direction.allCases` (0 where a direction has
/// none) and read back with all four directions, as the per-direction energy breakdown keys
/// of the depth-first results expect.
extension LayerEvaluation.LevelCost: Codable {
    enum CodingKeys: String, CodingKey { case operand, level, memory, accesses, energy,
    energyByDirection = "energy_by_direction" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func dense(_ key: CodingKeys) throws -> [Direction: Double] {
            let values = try c.decode([Double].self, forKey: key)
            guard values.count == Direction.allCases.count else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "one value per direction")
            }
            return Dictionary(uniqueKeysWithValues: zip(Direction.allCases, values))
        }
        self.init(operand: try c.decode(String.self, forKey: .operand), level: try c.decode(Int.self, forKey: .level),
                  memory: try c.decode(String.self, forKey: .memory), accesses: try dense(.accesses),
                  energy: try c.decode(Double.self, forKey: .energy), energyByDirection: try dense(.energyByDirection))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(operand, forKey: .operand)
        try c.encode(level, forKey: .level)
        try c.encode(memory, forKey: .memory)
        try c.encode(Direction.allCases.map { accesses[$0] ?? 0 }, forKey: .accesses)
        try c.encode(energy, forKey: .energy)
        try c.encode(Direction.allCases.map { energyByDirection[$0] ?? 0 }, forKey: .energyByDirection)
    }
}
