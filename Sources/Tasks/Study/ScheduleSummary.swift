/// What a user reads about one chosen schedule: per trunk its range, tile and rows, and over the
/// whole network the warm-up row and the steady-state cost per frame. When the trunks fit on chip
/// together the DRAM round-trips between them are removed from every row, as in the allocation.
public struct ScheduleSummary: Sendable {
    public struct Trunk: Sendable {
        public var range: LayerRange
        /// The study's tile key, and the tile evaluated after clipping to the trunk output.
        public var tile: (x: Int, y: Int)
        public var clipped: (x: Int, y: Int)
        public var window: AccoReadings.Row
        public var warmup: AccoReadings.Row
        public var stable: AccoReadings.Row
        public var footprint: Footprint
        /// Where the energy is spent; its rows net of the on-chip discount via `net(onChip:)`.
        public var energy: EnergyBreakdown
        public var perKey: [(key: String, window: AccoReadings.Row, warmup: AccoReadings.Row, stable: AccoReadings.Row)]
    }

    public var cuts: [Int]
    public var schedule: GlobalAllocation.Schedule
    public var trunks: [Trunk]
    /// Σ warm-up rows (start-up).
    public var warmupLatency: Int
    public var warmupEnergy: Int
    /// Σ stable row / frames per stable row: the steady-state cost of one frame.
    public var stableFrameLatency: Double
    public var stableFrameEnergy: Double

    public init?(_ report: AllocationReport, _ entry: AllocationReport.Entry) {
        cuts = report.cutLists[entry.cutList]
        schedule = entry.schedule
        let onChip = entry.schedule.onChip
        func net(_ r: AccoReadings.Row) -> AccoReadings.Row { r.discounted(onChip: onChip) }
        var trunks: [Trunk] = []
        for (r, t) in zip(entry.trunks, entry.schedule.choice) {
            guard let rep = report.trunks[AllocationReport.Slot(range: r, tile: t)] else { return nil }
            trunks.append(Trunk(range: report.ranges[r], tile: report.tiles[t], clipped: (rep.tileX, rep.tileY),
                                window: net(rep.readings.window), warmup: net(rep.readings.warmup),
                                stable: net(rep.readings.stable),
                                footprint: rep.footprint, energy: rep.energy, perKey: rep.readings.perKey))
        }
        self.trunks = trunks
        warmupLatency = trunks.reduce(0) { $0 + $1.warmup.latency }
        warmupEnergy = trunks.reduce(0) { $0 + $1.warmup.energy }
        stableFrameLatency = trunks.reduce(0) { $0 + Double($1.stable.latency) / Double(max(1, $1.clipped.y)) }
        stableFrameEnergy = trunks.reduce(0) { $0 + Double($1.stable.energy) / Double(max(1, $1.clipped.y)) }
    }

    /// The real-time verdict: one steady-state frame takes no more than the frame period.
    public func meets(framePeriodCycles: Int) -> Bool { stableFrameLatency <= Double(framePeriodCycles) }
}
