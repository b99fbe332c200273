/// ACCO's Step-2 readings of one trunk evaluation (acco.md §6.1): per result key and bucket the
/// latency (Σ latencyTotal2 × count) and energy (Σ energyTotal × count), each truncated to an
/// integer per key and bucket, then summed over keys.
public struct AccoReadings: Sendable {
    public struct Row: Sendable, Equatable {
        public var latency: Int = 0
        public var energy: Int = 0
        public var offloadLatency: Int = 0
        public var offloadEnergy: Int = 0
        public var reloadLatency: Int = 0
        public var reloadEnergy: Int = 0
        public var offloadedBytes: Int = 0
        public var reloadedBytes: Int = 0

        static func + (a: Row, b: Row) -> Row {
            Row(latency: a.latency + b.latency, energy: a.energy + b.energy, offloadLatency: a.offloadLatency + b.offloadLatency,
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

    public init(_ result: StackResult, trunk: Network, core: Core, isNetworkEnd: Bool) {
        for key in result.keys {
            guard let b = result.buckets[key] else { continue }
            let window = Self.row(b.all), warm = Self.row(b.row0)
            let stable = b.row1.isEmpty ? warm : Self.row(b.row1)
            perKey.append((key, window, warm, stable))
            self.window = self.window + window
            self.warmup = self.warmup + warm
            self.stable = self.stable + stable
        }
    }

    static func row(_ bucket: [(cost: KeyCost, count: Int)]) -> Row {
        var r = Row()
        var latency = 0, energy = 0.0
        for (cost, count) in bucket {
            latency += cost.latency2 * count
            energy += cost.energy * Double(count)
        }
        r.latency = latency
        r.energy = Int(energy)
        return r
    }
}
