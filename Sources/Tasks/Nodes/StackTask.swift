import Graph

/// Depth-first evaluation of one trunk (tile size, caching mode, objective) as an engine
/// operator. The single-layer searches it needs are separate nodes, requested dynamically: the
/// task runs the evaluation with the results it has, collects the (layer tile, truncated
/// hierarchy) problems it still lacks, asks for them all at once, and runs again with their
/// answers, until nothing is missing. Identical layer-tile problems are therefore computed once
/// across tile sizes, modes, ranges and studies.
public enum StackTask {
    public static let version: Int64 = 8

    /// The node's parameters, as its key covers them.
    public struct Parameters: Codable, Sendable {
        public var trunk: Shared<Network>
        /// The trunk before the causal transform clipped its widths (nil: the trunk itself).
        public var fullSize: Shared<Network>?
        public var core: Shared<Core>
        public var mode: CachingMode
        public var tile: TileSize
        public var lpf: Int
        public var objective: Objective

        enum CodingKeys: String, CodingKey { case trunk, fullSize = "full_size", core, mode, tile, lpf, objective }

        /// `ValueCoder.encode(self)`, built by hand: a study graph makes one per stack node, tens
        /// of thousands, before every run (`NodeParametersTests` checks the two agree).
        var value: Value {
            var fields: [String: Value] = [
                "trunk": .shared(trunk.reference), "core": .shared(core.reference), "mode": .string(mode.description),
                "tile": tile.value, "lpf": .int(Int64(lpf)), "objective": .string(objective.rawValue),
            ]
            if let fullSize { fields["full_size"] = .shared(fullSize.reference) }
            return .object(fields)
        }
    }

    public static let `operator` = Operator("accomake.stack", version: version) { input in
        let p = try ValueCoder.decode(Parameters.self, from: input.params)
        let problem = Problem(trunk: p.trunk.value, fullSize: p.fullSize?.value, core: p.core.value, mode: p.mode,
                              tileX: p.tile.x, tileY: p.tile.y, lpf: p.lpf, objective: p.objective)
        return try problem.step(known: [:], plan: nil)
    }

    public static func params(trunk: Network, fullSize: Network? = nil, core: Core, mode: CachingMode, tileX: Int,
                              tileY: Int, lpfLimit: Int, objective: Objective) throws -> Value {
        try params(TrunkValues(trunk: trunk, fullSize: fullSize, core: core), mode: mode, tileX: tileX, tileY: tileY,
                   lpfLimit: lpfLimit, objective: objective)
    }

    /// The same from values built once: a study's many nodes then share one copy of each
    /// network and core in memory.
    public static func params(_ v: TrunkValues, mode: CachingMode, tileX: Int, tileY: Int, lpfLimit: Int,
                              objective: Objective) throws -> Value {
        Parameters(trunk: v.trunk, fullSize: v.fullSize, core: v.core, mode: mode, tile: TileSize(tileX, tileY),
                   lpf: lpfLimit, objective: objective).value
    }

    public static func result(_ artifact: Artifact) throws -> StackResult {
        try ValueCoder.decode(StackResult.self, from: CanonicalDecoder.decode(artifact.bytes))
    }

    struct Problem: Sendable {
        let trunk: Network
        let fullSize: Network?
        let core: Core
        let mode: CachingMode
        let tileX: Int, tileY: Int
        let lpf: Int
        let objective: Objective

        /// One layer-tile sub-problem: the layer as tiled and the hierarchy visible to it.
        struct SubProblem: Hashable, Sendable {
            let layer: Layer
            let core: Core

            /// What tells a stack's sub-problems apart — the layer, its tiled loop sizes, the
            /// memories kept, their sizes and how many operands each holds — not every name and
            /// cost (hashing those was 3 % of a cold study). Equality still compares everything.
            func hash(into hasher: inout Hasher) {
                hasher.combine(layer.id)
                for loop in layer.loopSizes { hasher.combine(loop.size) }
                hasher.combine(core.memories.count)
                for memory in core.memories {
                    hasher.combine(memory.size)
                    hasher.combine(memory.operands.count)
                }
            }
        }

        /// One evaluation with the searches known so far; missing ones become requests. Known
        /// answers are keyed by the sub-problem itself (Swift hashing), so a sub-problem's
        /// canonical parameters are built only when it is requested.
        /// `plan`: the tiles' types from the first pass (`StackEvaluation.Plan`), which no
        /// answer changes.
        func step(known: [SubProblem: LayerEvaluation?], plan: StackEvaluation.Plan?) throws -> Step {
            var missing: [SubProblem] = []
            var asked = Set<SubProblem>()
            var evaluation = StackEvaluation(trunk: trunk, core: core, mode: mode, tileX: tileX, tileY: tileY) { layer,
                truncated in
                let sub = SubProblem(layer: layer, core: truncated)
                if let answer = known[sub] {
                    guard let e = answer else { throw LayerSearchError.hierarchyTooSmall(layer: layer.id) }
                    return e
                }
                if asked.insert(sub).inserted { missing.append(sub) }
                return LayerEvaluation.placeholder
            }
            evaluation.fullSize = fullSize
            let plan = try plan ?? evaluation.plan()
            let result = try evaluation.run(plan)
            if missing.isEmpty { return .done(try CanonicalEncoder.encode(ValueCoder.encode(result))) }
            let requests = try missing.map(request)
            return .need(requests) { [missing] artifacts in
                var next = known
                for (sub, artifact) in zip(missing, artifacts) {
                    // updateValue, not subscript assignment: a "too small" answer is a nil that must be stored.
                    next.updateValue(try LayerSearchTask.result(artifact)?.evaluation, forKey: sub)
                }
                return try step(known: next, plan: plan)
            }
        }

        /// The layer-search request of a sub-problem, encoded once per process while it is recent:
        /// every stack of a trunk asks for most of its searches again.
        func request(_ sub: SubProblem) throws -> NodeRequest {
            try Self.requests.value(for: RequestKey(sub: sub, lpf: lpf, objective: objective)) {
                try NodeRequest.encoded(LayerSearchTask.operator.id,
                                        LayerSearchTask.params(layer: sub.layer, core: sub.core, lpfLimit: lpf,
                                                               objective: objective))
            }
        }

        struct RequestKey: Hashable, Sendable {
            let sub: SubProblem
            let lpf: Int
            let objective: Objective
        }

        static let requests = SharedMemo<RequestKey, NodeRequest>(capacity: 1024)
    }
}

extension LayerEvaluation {
    /// Stands in for a search result not yet known (the evaluation is run again once it is).
    static let placeholder = LayerEvaluation(temporalMapping: [:], levels: [], macEnergy: 0, memoryEnergy: 0,
                                             idealCycle: 0,
                                             idealTemporalCycle: 0, stallSlack: 0, onload: 0, offload: 0,
                                             doubleBuffered: [:])
}

/// A trunk, its untransformed widths and the core as shared values, built and hashed once:
/// every node parameter that names them holds the same copy, and a node key covers each by its
/// 32-byte digest instead of its encoding.
public struct TrunkValues: Sendable {
    public var trunk: Shared<Network>
    public var fullSize: Shared<Network>?
    public var core: Shared<Core>

    public init(trunk: Network, fullSize: Network?, core: Core) throws {
        try self.init(trunk: trunk, fullSize: fullSize, core: Shared(core))
    }

    public init(trunk: Network, fullSize: Network?, core: Shared<Core>) throws {
        self.trunk = try Shared(trunk, as: trunk.value)
        self.fullSize = try fullSize.map { try Shared($0, as: $0.value) }
        self.core = core
    }
}
