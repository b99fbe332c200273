import Graph

/// ACCO's Step 2 for one trunk as an engine operator: reads the stack evaluation (its one
/// static dependency, a `StackTask` node) into the window, warm-up and stable readings with the
/// off-load and reload deltas (acco.md §6), and adds the trunk's cache footprint (§4.3).
public enum TrunkTask {
    public static let version: Int64 = 3

    /// The node's parameters, as its key covers them.
    public struct Parameters: Codable, Sendable {
        public var trunk: Shared<Network>
        /// The trunk before the causal transform clipped its widths (for the footprint).
        public var fullSize: Shared<Network>
        public var core: Shared<Core>
        public var tile: TileSize
        /// The trunk ends the network (its output is the network's, not off-loaded).
        public var networkEnd: Bool

        enum CodingKeys: String, CodingKey { case trunk, fullSize = "full_size", core, tile, networkEnd = "network_end" }
    }

    public static let `operator` = Operator("accomake.trunk", version: version) { input in
        let p = try ValueCoder.decode(Parameters.self, from: input.params)
        guard let stack = input.dependencies.first else { throw CanonicalForms.Malformed(description: "trunk without its stack node") }
        let result = try CanonicalForms.stackResult(try CanonicalDecoder.decode(stack.bytes))
        let readings = AccoReadings(result, trunk: p.trunk.value, core: p.core.value, isNetworkEnd: p.networkEnd)
        let footprint = Footprint(trunk: p.trunk.value, fullSize: p.fullSize.value, tileX: p.tile.x, tileY: p.tile.y)
        return .done(try CanonicalEncoder.encode(CanonicalForms.value(TrunkReport(readings: readings, footprint: footprint,
                                                                                   tileTypeCounts: result.tileTypeCounts,
                                                                                   tileX: p.tile.x, tileY: p.tile.y))))
    }

    public static func params(trunk: Network, fullSize: Network, core: Core, tileX: Int, tileY: Int, networkEnd: Bool) throws -> Value {
        try params(TrunkValues(trunk: trunk, fullSize: fullSize, core: core), tileX: tileX, tileY: tileY, networkEnd: networkEnd)
    }

    /// - Parameter v: its `fullSize` must be set (the footprint needs the untransformed widths).
    public static func params(_ v: TrunkValues, tileX: Int, tileY: Int, networkEnd: Bool) throws -> Value {
        guard let fullSize = v.fullSize else { throw CanonicalForms.Malformed(description: "trunk parameters without full_size") }
        return try ValueCoder.encode(Parameters(trunk: v.trunk, fullSize: fullSize, core: v.core, tile: TileSize(tileX, tileY),
                                                networkEnd: networkEnd))
    }

    public static func report(_ artifact: Artifact) throws -> TrunkReport {
        try CanonicalForms.trunkReport(try CanonicalDecoder.decode(artifact.bytes))
    }
}

/// What Step 2 knows about one trunk for one tile size and caching mode.
public struct TrunkReport: Sendable {
    public var readings: AccoReadings
    public var footprint: Footprint
    public var tileTypeCounts: [Int]
    /// The tile evaluated (clipped to the trunk output); a stable row covers `tileY` frames.
    public var tileX: Int
    public var tileY: Int
}

extension CanonicalForms {
    static func value(_ r: AccoReadings.Row) -> Value {
        .array([r.latency, r.energy, r.offloadLatency, r.offloadEnergy, r.reloadLatency, r.reloadEnergy, r.offloadedBytes,
                r.reloadedBytes].map { .int(Int64($0)) })
    }

    static func row(_ v: Value) throws(Malformed) -> AccoReadings.Row {
        let x = try list(v).map { (e: Value) throws(Malformed) in try int(e) }
        guard x.count == 8 else { throw Malformed(description: "readings row") }
        return AccoReadings.Row(latency: x[0], energy: x[1], offloadLatency: x[2], offloadEnergy: x[3], reloadLatency: x[4],
                                reloadEnergy: x[5], offloadedBytes: x[6], reloadedBytes: x[7])
    }

    static func value(_ p: Footprint.Peak) -> Value { [.int(Int64(p.featureBits)), .int(Int64(p.weightBits))] }

    static func peak(_ v: Value) throws(Malformed) -> Footprint.Peak {
        let x = try list(v).map { (e: Value) throws(Malformed) in try int(e) }
        guard x.count == 2 else { throw Malformed(description: "footprint") }
        return Footprint.Peak(featureBits: x[0], weightBits: x[1])
    }

    static func value(_ t: TrunkReport) -> Value {
        [
            "window": value(t.readings.window), "warmup": value(t.readings.warmup), "stable": value(t.readings.stable),
            "keys": .array(t.readings.perKey.map { [.string($0.key), value($0.window), value($0.warmup), value($0.stable)] }),
            "footprint": [value(t.footprint.total), value(t.footprint.warmup), value(t.footprint.stable)],
            "tile_type_counts": .array(t.tileTypeCounts.map { .int(Int64($0)) }),
            "tile": [.int(Int64(t.tileX)), .int(Int64(t.tileY))],
        ]
    }

    static func trunkReport(_ v: Value) throws(Malformed) -> TrunkReport {
        var readings = AccoReadings()
        readings.window = try row(v["window"] ?? .null)
        readings.warmup = try row(v["warmup"] ?? .null)
        readings.stable = try row(v["stable"] ?? .null)
        for k in try list(v["keys"]) {
            let t = try list(k)
            guard t.count == 4 else { throw Malformed(description: "key readings") }
            readings.perKey.append((try string(t[0]), try row(t[1]), try row(t[2]), try row(t[3])))
        }
        let f = try list(v["footprint"])
        guard f.count == 3 else { throw Malformed(description: "footprint") }
        let footprint = Footprint(total: try peak(f[0]), warmup: try peak(f[1]), stable: try peak(f[2]))
        let tile = try ints(v["tile"])
        guard tile.count == 2 else { throw Malformed(description: "trunk tile") }
        return TrunkReport(readings: readings, footprint: footprint, tileTypeCounts: try ints(v["tile_type_counts"]),
                           tileX: tile[0], tileY: tile[1])
    }
}
