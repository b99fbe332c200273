/// ACCO's Step-2 readings of one trunk evaluation (model.md §6.5): per result key and bucket the
/// latency (Σ latencyTotal2 × count) and energy (Σ energyTotal × count), each truncated to an
/// integer per key and bucket, then summed over keys.
public struct AccoReadings: Sendable {
    public struct Row: Sendable, Equatable {
        public init(latency: Int = 0, energy: Int = 0, offloadLatency: Int = 0, offloadEnergy: Int = 0,
                    reloadLatency: Int = 0, reloadEnergy: Int = 0, offloadedBytes: Int = 0, reloadedBytes: Int = 0) {
            self.latency = latency; self.energy = energy
            self.offloadLatency = offloadLatency; self.offloadEnergy = offloadEnergy
            self.reloadLatency = reloadLatency; self.reloadEnergy = reloadEnergy; self.offloadedBytes = offloadedBytes
            self.reloadedBytes = reloadedBytes
        }

        public var latency: Int = 0
        public var energy: Int = 0
        public var offloadLatency: Int = 0
        public var offloadEnergy: Int = 0
        public var reloadLatency: Int = 0
        public var reloadEnergy: Int = 0
        public var offloadedBytes: Int = 0
        public var reloadedBytes: Int = 0

        /// The on-chip discount (model.md §6.6): when every trunk of a schedule fits on chip
        /// together, its DRAM round-trips — the off-load and reload deltas — are removed.
        public var latencyDelta: Int { offloadLatency + reloadLatency }
        public var energyDelta: Int { offloadEnergy + reloadEnergy }

        /// This row with the on-chip discount applied when `onChip`.
        public func discounted(onChip: Bool) -> Row {
            guard onChip else { return self }
            var x = self
            x.latency -= latencyDelta
            x.energy -= energyDelta
            return x
        }

        static func + (a: Row, b: Row) -> Row {
            Row(latency: a.latency + b.latency, energy: a.energy + b.energy,
                offloadLatency: a.offloadLatency + b.offloadLatency,
                offloadEnergy: a.offloadEnergy + b.offloadEnergy, reloadLatency: a.reloadLatency + b.reloadLatency,
                reloadEnergy: a.reloadEnergy + b.reloadEnergy, offloadedBytes: a.offloadedBytes + b.offloadedBytes,
                reloadedBytes: a.reloadedBytes + b.reloadedBytes)
        }
    }

    /// The whole input window (all tiles), the warm-up row and the stable row, summed over keys.
    public var window = Row()
    public var warmup = Row()
    public var stable = Row()
    /// Per key: (window, warm-up, stable).
    public var perKey: [(key: String, window: Row, warmup: Row, stable: Row)] = []

    public init() {}

    public init(_ result: StackResult, trunk: Network, core: Core, isNetworkEnd: Bool) {
        let context = Context(trunk: trunk, core: core, isNetworkEnd: isNetworkEnd)
        for key in result.keys {
            guard let b = result.buckets[key] else { continue }
            let window = context.row(key, b.all), warm = context.row(key, b.row0)
            let stable = b.row1.isEmpty ? warm : context.row(key, b.row1)
            perKey.append((key, window, warm, stable))
            self.window = self.window + window
            self.warmup = self.warmup + warm
            self.stable = self.stable + stable
        }
    }

    /// What the per-key readings need to know about the trunk and the hardware (model.md §6.5).
    struct Context {
        /// The key of the trunk's last layer when its output goes on to another trunk.
        let offloadKey: String?
        /// Keys of the copy layers of trunk-input nodes made by cutting the network.
        let reloadKeys: Set<String>
        let outputLevels: Int
        let inputTop: Int
        /// Bits per word at the top of the output chain (the off-loaded and reloaded words' width).
        let dramBandwidth: Double

        init(trunk: Network, core: Core, isNetworkEnd: Bool) {
            offloadKey = isNetworkEnd ? nil : trunk.outputNode.map { ResultKey.layer($0.id) }
            reloadKeys = Set(trunk.nodes.filter(\.isCutInput).map { ResultKey.inputCopies($0.id) })
            let oChain = core.levels(of: "O"), iChain = core.levels(of: "I1")
            outputLevels = oChain.count
            inputTop = iChain.count - 1
            let dram = core.memories[oChain.last ?? core.memories.count - 1]
            dramBandwidth = Double(dram.writeBandwidth)
        }

        /// The breakdown entries of the off-load delta when `key` is the trunk's off-loading layer:
        /// the output read out of the last on-chip level and written into DRAM.
        func offloadEntries(_ key: String) -> [String]? {
            guard key == offloadKey, outputLevels >= 2 else { return nil }
            return [BreakdownKey.at("O", level: outputLevels - 2, .rdOutToHigh),
                    BreakdownKey.at("O", level: outputLevels - 1, .wrInByLow)]
        }

        /// The breakdown entries of the reload delta when `key` copies a cut input in from DRAM
        /// (and every copy of the bucket moves something): DRAM read, last on-chip level written.
        func reloadEntries(_ key: String, _ bucket: [(cost: KeyCost, count: Int)]) -> [String]? {
            guard reloadKeys.contains(key), inputTop >= 1,
                  bucket.allSatisfy({ $0.cost.firstHops.allSatisfy { $0 >= 0 } }) else { return nil }
            return [BreakdownKey.at("I1", level: inputTop, .rdOutToLow),
                    BreakdownKey.at("I1", level: inputTop - 1, .wrInByHigh)]
        }

        func row(_ key: String, _ bucket: [(cost: KeyCost, count: Int)]) -> Row {
            var r = Row()
            var latency = 0, energy = 0.0
            for (cost, count) in bucket {
                latency += cost.latency2 * count
                energy += cost.energy * Double(count)
            }
            r.latency = latency
            r.energy = Int(energy)
            if let entries = offloadEntries(key) {
                var cycles = 0, e = 0.0, written = 0.0
                for (cost, count) in bucket {
                    cycles += (cost.offload - cost.offloadPairs.prefix(2).reduce(0, +)) * count
                    e += entries.reduce(0) { $0 + (cost.breakdown[$1] ?? 0) } * Double(count)
                    written += cost.topWords * Double(count)
                }
                r.offloadLatency = cycles
                r.offloadEnergy = Int(e)
                r.offloadedBytes = Int(written * dramBandwidth / 8)
            }
            if let entries = reloadEntries(key, bucket) {
                var cycles = 0, e = 0.0, read = 0.0
                for (cost, count) in bucket {
                    cycles += cost.firstHops.reduce(0, +) * count
                    e += entries.reduce(0) { $0 + (cost.breakdown[$1] ?? 0) } * Double(count)
                    read += cost.topWords * Double(count)
                }
                r.reloadLatency = cycles
                r.reloadEnergy = Int(e)
                r.reloadedBytes = Int(read * dramBandwidth / 8)
            }
            return r
        }
    }
}

// MARK: Canonical form (part of the trunk artifact)

extension AccoReadings: Codable {
    enum CodingKeys: String, CodingKey { case window, warmup, stable, keys }

    /// One key's readings, as stored.
    struct KeyReadings: Codable {
        var key: String
        var window: Row
        var warmup: Row
        var stable: Row
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        window = try c.decode(Row.self, forKey: .window)
        warmup = try c.decode(Row.self, forKey: .warmup)
        stable = try c.decode(Row.self, forKey: .stable)
        perKey = try c.decode([KeyReadings].self, forKey: .keys).map { ($0.key, $0.window, $0.warmup, $0.stable) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(window, forKey: .window)
        try c.encode(warmup, forKey: .warmup)
        try c.encode(stable, forKey: .stable)
        try c.encode(perKey.map { KeyReadings(key: $0.key, window: $0.window, warmup: $0.warmup, stable: $0.stable) },
                     forKey: .keys)
    }
}

/// Stored as the eight readings in `storedOrder` (a trunk artifact holds three rows per key; named
/// fields would triple its size). The one list drives both directions.
extension AccoReadings.Row: Codable {
    static var storedOrder: [WritableKeyPath<Self, Int>] {
        [\.latency, \.energy, \.offloadLatency, \.offloadEnergy, \.reloadLatency, \.reloadEnergy, \.offloadedBytes,
         \.reloadedBytes]
    }

    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        self.init()
        for field in Self.storedOrder { self[keyPath: field] = try c.decode(Int.self) }
        guard c.isAtEnd else { throw MalformedArtifact(description: "readings row: more than eight values") }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        for field in Self.storedOrder { try c.encode(self[keyPath: field]) }
    }
}
