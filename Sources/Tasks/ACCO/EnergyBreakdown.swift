/// Where a trunk's energy is spent: per memory and kind of data (weights, input activations,
/// output activations) plus the MAC array, for the window, the warm-up row and the stable row —
/// the report's breakdown chart. Each row also keeps the part that is the DRAM round-trip between
/// trunks (the off-load and reload deltas), which the on-chip discount removes (model.md §6.6).
///
/// The parts add up to the row's energy up to ACCO's per-key truncation to whole pJ: the readings
/// truncate each key's sum, the breakdown keeps fractions.
public struct EnergyBreakdown: Sendable, Equatable {
    /// What the energy moved or computed.
    public enum Data: String, CaseIterable, Sendable, Codable {
        case mac = "MAC", weights, inputs, outputs
    }

    /// One memory (or the MAC array) and one kind of data.
    public struct Place: Hashable, Sendable, Codable {
        public var memory: String
        public var data: Data
    }

    /// One energy per place (in `places` order), and the part of it the on-chip discount removes.
    public struct Row: Sendable, Equatable, Codable {
        public var energy: [Double]
        public var delta: [Double]
    }

    /// Bottom of the hierarchy first (the MAC array, then memories in the core's order), and per
    /// memory in `Data` order; only places that spend energy somewhere.
    public var places: [Place] = []
    public var window = Row(energy: [], delta: [])
    public var warmup = Row(energy: [], delta: [])
    public var stable = Row(energy: [], delta: [])

    public static let macArray = "MAC array"

    public init() {}

    init(_ result: StackResult, trunk: Network, core: Core, context: AccoReadings.Context) {
        let outputOperand = trunk.nodes.first { !$0.isInput }?.layer.map { $0.memoryOperandLinks[$0.output] ?? "O" }
            ?? "O"
        // Places by first use, and per place its sums: (energy, delta) × window, warm-up, stable.
        var placeIndex: [Place: Int] = [:]
        var sums: [[Double]] = Array(repeating: [], count: 6)
        func index(_ p: Place) -> Int {
            if let i = placeIndex[p] { return i }
            placeIndex[p] = sums[0].count
            for s in sums.indices { sums[s].append(0) }
            return sums[0].count - 1
        }
        /// Where an entry of `key`'s breakdown is spent.
        func place(_ key: String, _ entry: String) -> Place? {
            guard let (operand, level, _) = BreakdownKey.parse(entry) else { return nil }
            var data: Data, memoryOperand: String
            if case .layer(let id) = ResultKey.meaning(key), let node = trunk.node(id), let layer = node.layer {
                data = operand == layer.output ? .outputs
                    : node.sources.contains { $0.operand == operand } ? .inputs : .weights
                memoryOperand = layer.memoryOperandLinks[operand] ?? operand
            } else {
                data = operand == outputOperand ? .outputs : .inputs
                memoryOperand = operand
            }
            let chain = core.levels(of: memoryOperand)
            let memory = level < chain.count ? core.memories[chain[level]].name : "\(memoryOperand) level \(level)"
            return Place(memory: memory, data: data)
        }
        for key in result.keys {
            guard let b = result.buckets[key] else { continue }
            let isLayer = if case .layer = ResultKey.meaning(key) { true } else { false }
            let buckets = [b.all, b.row0, b.row1.isEmpty ? b.row0 : b.row1]
            // Costs of one key share their entry names: each is placed once, and the names are
            // sorted once (each cost sums its own entries in name order, as the reference does).
            let names = Set(buckets.joined().flatMap { $0.cost.breakdown.keys }).sorted()
            let placed = names.compactMap { name in place(key, name).map { (name: name, place: index($0)) } }
            for (slot, bucket) in buckets.enumerated() {
                let discounted = Set((context.offloadEntries(key) ?? []) + (context.reloadEntries(key, bucket) ?? []))
                for (cost, count) in bucket {
                    var spent = 0.0
                    for (entry, p) in placed {
                        guard let energy = cost.breakdown[entry] else { continue }
                        sums[2 * slot][p] += energy * Double(count)
                        if discounted.contains(entry) { sums[2 * slot + 1][p] += energy * Double(count) }
                        spent += energy
                    }
                    if isLayer, cost.energy - spent > 0 {
                        sums[2 * slot][index(Place(memory: Self.macArray, data: .mac))]
                            += (cost.energy - spent) * Double(count)
                    }
                }
            }
        }
        let rank = Dictionary(core.memories.enumerated().map { ($1.name, $0 + 1) }, uniquingKeysWith: { a, _ in a })
        let order = Data.allCases
        // Only places that spend energy in some row, each with its column of sums.
        let spending = placeIndex.filter { sums[0][$0.value] > 0 || sums[2][$0.value] > 0 || sums[4][$0.value] > 0 }
            .sorted { x, y in
                let (a, b) = (x.key, y.key)
                let ra = a.data == .mac ? 0 : rank[a.memory] ?? Int.max
                let rb = b.data == .mac ? 0 : rank[b.memory] ?? Int.max
                if ra != rb { return ra < rb }
                if a.memory != b.memory { return a.memory < b.memory }
                return order.firstIndex(of: a.data) ?? 0 < order.firstIndex(of: b.data) ?? 0
            }
        places = spending.map(\.key)
        let columns = spending.map(\.value)
        func row(_ slot: Int) -> Row {
            Row(energy: columns.map { sums[2 * slot][$0] }, delta: columns.map { sums[2 * slot + 1][$0] })
        }
        (window, warmup, stable) = (row(0), row(1), row(2))
    }
}

extension EnergyBreakdown.Row {
    /// The energies with the on-chip discount applied when `onChip`.
    public func net(onChip: Bool) -> [Double] {
        onChip ? zip(energy, delta).map { $0 - $1 } : energy
    }
}

// MARK: Canonical form (part of the trunk artifact)

extension EnergyBreakdown: Codable {
    enum CodingKeys: String, CodingKey { case places, window, warmup, stable }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        places = try c.decode([Place].self, forKey: .places)
        window = try c.decode(Row.self, forKey: .window)
        warmup = try c.decode(Row.self, forKey: .warmup)
        stable = try c.decode(Row.self, forKey: .stable)
        for r in [window, warmup, stable] where r.energy.count != places.count || r.delta.count != places.count {
            throw MalformedArtifact(description: "energy breakdown: one energy and one delta per place")
        }
    }
}
