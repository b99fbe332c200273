import Graph

/// ACCO's Step 2 for one trunk as an engine operator: reads the stack evaluation (its one
/// static dependency, a `StackTask` node) into the window, warm-up and stable readings with the
/// off-load and reload deltas (model.md §6.5), and adds the trunk's cache footprint (model.md §6.3).
public enum TrunkTask {
    /// 6: the report carries the energy breakdown by memory and data.
    public static let version: Int64 = 6

    /// The node's parameters, as its key covers them.
    public struct Parameters: Codable, Sendable {
        public var trunk: Shared<Network>
        /// The trunk before the causal transform clipped its widths (for the footprint).
        public var fullSize: Shared<Network>
        public var core: Shared<Core>
        public var tile: TileSize
        /// The trunk ends the network (its output is the network's, not off-loaded).
        public var networkEnd: Bool

        enum CodingKeys: String, CodingKey { case trunk, fullSize = "full_size", core, tile,
        networkEnd = "network_end" }

        /// `ValueCoder.encode(self)`, built by hand (one per trunk node, before every run).
        var value: Value {
            .object(["trunk": .shared(trunk.reference), "full_size": .shared(fullSize.reference),
                     "core": .shared(core.reference), "tile": tile.value, "network_end": .bool(networkEnd)])
        }
    }

    public static let `operator` = Operator("accomake.trunk", version: version) { input in
        let p = try ValueCoder.decode(Parameters.self, from: input.params)
        guard input.dependencyCount == 1 else {
            throw MalformedArtifact(description: "trunk without its stack node")
        }
        let result = try StackTask.result(input.dependency(0))
        let readings = AccoReadings(result, trunk: p.trunk.value, core: p.core.value, isNetworkEnd: p.networkEnd)
        let footprint = Self.footprint(p)
        let energy = EnergyBreakdown(result, trunk: p.trunk.value, core: p.core.value,
                                     context: .init(trunk: p.trunk.value, core: p.core.value,
                                                    isNetworkEnd: p.networkEnd))
        let report = TrunkReport(readings: readings, energy: energy, footprint: footprint,
                                 tileTypeCounts: result.tileTypeCounts, tileX: p.tile.x, tileY: p.tile.y)
        return .done(try CanonicalEncoder.encode(ValueCoder.encode(report)))
    }

    /// A trunk's footprint depends on its networks and tile only, not on the hardware, the caching
    /// mode or the mapping objective, so a study's trunk nodes share each one many times over; it
    /// re-plans the tiles' layouts (a fifth of a trunk node's time). Recent ones are kept.
    static func footprint(_ p: Parameters) -> Footprint {
        footprints.value(for: FootprintKey(trunk: p.trunk.reference, fullSize: p.fullSize.reference, tile: p.tile)) {
            Footprint(trunk: p.trunk.value, fullSize: p.fullSize.value, tileX: p.tile.x, tileY: p.tile.y)
        }
    }

    struct FootprintKey: Hashable, Sendable {
        var trunk: SharedValue
        var fullSize: SharedValue
        var tile: TileSize
    }

    static let footprints = SharedMemo<FootprintKey, Footprint>(capacity: 16_384)

    public static func params(trunk: Network, fullSize: Network, core: Core, tileX: Int, tileY: Int,
                              networkEnd: Bool) throws -> Value {
        try params(TrunkValues(trunk: trunk, fullSize: fullSize, core: core), tileX: tileX, tileY: tileY,
                   networkEnd: networkEnd)
    }

    /// - Parameter v: its `fullSize` must be set (the footprint needs the untransformed widths).
    public static func params(_ v: TrunkValues, tileX: Int, tileY: Int, networkEnd: Bool) throws -> Value {
        guard let fullSize = v.fullSize else {
            throw MalformedArtifact(description: "trunk parameters without full_size")
        }
        return Parameters(trunk: v.trunk, fullSize: fullSize, core: v.core, tile: TileSize(tileX, tileY),
                          networkEnd: networkEnd).value
    }

    public static func report(_ artifact: Artifact) throws -> TrunkReport {
        try ValueCoder.decode(TrunkReport.self, from: CanonicalDecoder.decode(artifact.bytes))
    }

    /// What the allocation table needs of a trunk artifact — one row of its readings and one peak
    /// of its footprint — without decoding the rest (the energy breakdown is most of it).
    static func option(_ artifact: Artifact, table: Study.Table) throws -> GlobalAllocation.Option {
        let rowName = table == .window ? "window" : "stable"
        let peakName = table == .window ? "total" : "stable"
        let found = try CanonicalDecoder.fields([["readings", rowName], ["footprint", peakName]], in: artifact.bytes)
        guard let row = found[0], let peak = found[1] else {
            throw MalformedArtifact(description: "trunk report without readings.\(rowName) or footprint.\(peakName)")
        }
        return GlobalAllocation.Option(try ValueCoder.decode(AccoReadings.Row.self, from: row),
                                       peak: try ValueCoder.decode(Footprint.Peak.self, from: peak))
    }
}

/// What Step 2 knows about one trunk for one tile size and caching mode (the trunk artifact).
public struct TrunkReport: Sendable, Codable {
    public var readings: AccoReadings
    /// Where the energy of each row is spent (memory × data).
    public var energy: EnergyBreakdown
    public var footprint: Footprint
    public var tileTypeCounts: [Int]
    /// The tile evaluated (clipped to the trunk output); a stable row covers `tileY` frames.
    public var tileX: Int
    public var tileY: Int

    enum CodingKeys: String, CodingKey {
        case readings, energy, footprint, tileTypeCounts = "tile_type_counts", tileX = "tile_x", tileY = "tile_y"
    }
}
