/// The per-key results of a trunk, as ACCO's Step 2 reads them (model.md §5.8): for every
/// result key the (cost, count) pairs of all tiles, the warm-up row, the second row and the
/// last row.
public struct StackResult: Sendable {
    public struct Buckets: Sendable {
        public var all: [(cost: KeyCost, count: Int)] = []
        public var row0: [(cost: KeyCost, count: Int)] = []
        public var row1: [(cost: KeyCost, count: Int)] = []
        public var lastRow: [(cost: KeyCost, count: Int)] = []
    }

    /// Tile types in first-seen order and how many tiles each covers.
    public var tileTypeCounts: [Int]
    /// Result keys in first-seen order.
    public var keys: [String]
    public var buckets: [String: Buckets]
    public var rows: Int
    public var columns: Int
    /// Per tile type, in first-seen order: where its data lives.
    public var placements: [TilePlacement] = []

    public func energy(_ key: String) -> Double {
        buckets[key]?.all.reduce(0) { $0 + $1.cost.energy * Double($1.count) } ?? 0
    }
    /// ACCO's latency of a key: Σ latencyTotal2 × count.
    public func latency(_ key: String) -> Int { buckets[key]?.all.reduce(0) { $0 + $1.cost.latency2 * $1.count } ?? 0 }
    /// DeFiNES' latency of a key: Σ latencyTotal1 × count (`latencyExcludesOffload`).
    public func latency1(_ key: String) -> Int { buckets[key]?.all.reduce(0) { $0 + $1.cost.latency1 * $1.count } ?? 0 }

    public var energyTotal: Double { keys.reduce(0) { $0 + energy($1) } }
    public var latencyTotal: Int { keys.reduce(0) { $0 + latency($1) } }
    public var latencyTotal1: Int { keys.reduce(0) { $0 + latency1($1) } }
}

/// Evaluates one trunk depth-first for one tile size and caching mode (model.md §5).
public struct StackEvaluation {
    public let trunk: Network
    public let core: Core
    public let mode: CachingMode
    public let tileX: Int
    public let tileY: Int
    /// The single-layer search on a (truncated) core: memoised, or an engine node.
    public let search: (Layer, Core) throws -> LayerEvaluation
    /// The trunk at full size before any causal transform (V cache widths).
    public var fullSize: Network?

    public init(trunk: Network, core: Core, mode: CachingMode, tileX: Int, tileY: Int,
                search: @escaping (Layer, Core) throws -> LayerEvaluation) {
        self.trunk = trunk; self.core = core; self.mode = mode
        self.tileX = tileX; self.tileY = tileY; self.search = search
    }

    public func run() throws -> StackResult { try run(plan()) }

    /// What the evaluation knows before any layer is searched: the tiles' types (model.md §5.4),
    /// each type's context, and how many tiles of each type every bucket holds. A stack node
    /// evaluates once with placeholder searches and again with the answers; both passes share it.
    struct Plan: Sendable {
        var rows: Int
        var columns: Int
        var inputOperand: String
        var outputOperand: String
        var weightOperand: String?
        /// Per tile type, in first-seen order: its context and its counts in the buckets (all,
        /// row 0, row 1, last row).
        var contexts: [TileContext] = []
        var counts: [[Int]] = []
        /// Per bucket, tile types in the order they first occur in that bucket's tiles, the order
        /// in which the reference sums them.
        var order: [[Int]] = [[], [], [], []]
    }

    func plan() throws -> Plan {
        guard let out = trunk.outputNode, let first = trunk.nodes.first(where: { !$0.isInput })?.layer else {
            throw StackError(description: "the trunk has no layer")
        }
        let firstInput = trunk.nodes.first { !$0.isInput }?.sources.first?.operand ?? "I"
        let inputOperand = first.memoryOperandLinks[firstInput] ?? "I1"
        let outputOperand = first.memoryOperandLinks[first.output] ?? "O"
        let weightOperand = trunk.nodes.lazy.compactMap { n in
            n.constantOperands.first.flatMap { n.layer?.memoryOperandLinks[$0] }
        }.first
        let hierarchy = HierarchyView(core: core)
        let tiles = TileGrid.tiles(totalX: out.size("OX"), totalY: out.size("OY"), tileX: tileX, tileY: tileY)
        let planner = StackLayoutPlanner(trunk: trunk, fullSize: fullSize ?? trunk, hierarchy: hierarchy, mode: mode,
                                         inputOperand: inputOperand, outputOperand: outputOperand,
                                         weightOperand: weightOperand)
        let grid = planner.grid(for: tiles)
        let columns = (tiles.map(\.column).max() ?? 0) + 1
        let rows = (tiles.map(\.row).max() ?? 0) + 1
        let staleV = tiles.last.map { grid.layout(tiles.count - 1, $0).vLevel } ?? nil
        var plan = Plan(rows: rows, columns: columns, inputOperand: inputOperand, outputOperand: outputOperand,
                        weightOperand: weightOperand)
        // A tile's type is the model.md §5.4 key; it is a function of its distinct layout, its last
        // column/row flags and its make/use levels, so the key text is built once per combination.
        var typeOfLayoutKey: [[Int32]: Int] = [:]
        var typeOfText: [String: Int] = [:]
        for (i, tile) in tiles.enumerated() {
            let useH: Int32 = tile.firstColumn ? -1 : grid.makeH[i - 1]
            let useV: Int32 = tile.firstRow ? -1 : grid.makeV[i - columns]
            let layoutKey = [grid.layoutOf[i], tile.lastColumn ? 1 : 0, tile.lastRow ? 1 : 0, useH, useV, grid.makeH[i],
                             grid.makeV[i], i == 0 ? 1 : 0]
            let type: Int
            if let known = typeOfLayoutKey[layoutKey] {
                type = known
            } else {
                let context = TileContext(tile: tile, layout: grid.layout(i, tile),
                                          useH: StackLayoutPlanner.Grid.level(useH),
                                          useV: StackLayoutPlanner.Grid.level(useV), weightsFromTop: i == 0,
                                          staleV: staleV, trunkWeightLevel: grid.weightLevel)
                let text = Self.memoKey(context)
                if let known = typeOfText[text] {
                    type = known
                } else {
                    type = plan.contexts.count
                    typeOfText[text] = type
                    plan.contexts.append(context)
                    plan.counts.append([0, 0, 0, 0])
                }
                typeOfLayoutKey[layoutKey] = type
            }
            for (b, inBucket) in [true, tile.row == 0, tile.row == 1,
                                  rows >= 3 && tile.row == rows - 1].enumerated() where inBucket {
                if plan.counts[type][b] == 0 { plan.order[b].append(type) }
                plan.counts[type][b] += 1
            }
        }
        return plan
    }

    /// Evaluates each tile type of `plan` in first-seen order (the order the reference asks for
    /// its layer searches) and sums the buckets.
    func run(_ plan: Plan) throws -> StackResult {
        let hierarchy = HierarchyView(core: core)
        let evaluator = TileEvaluator(trunk: trunk, hierarchy: hierarchy, copier: DataCopier(core: core),
                                      inputOperand: plan.inputOperand, outputOperand: plan.outputOperand,
                                      weightOperand: plan.weightOperand, search: search)
        var result = StackResult(tileTypeCounts: [], keys: [], buckets: [:], rows: plan.rows, columns: plan.columns)
        let names = core.memories.map(\.name)
        var typeResults: [[(key: String, cost: KeyCost)]] = []
        for (type, context) in plan.contexts.enumerated() {
            let evaluated = try evaluator.evaluate(context)
            typeResults.append(evaluated.costs)
            result.placements.append(TilePlacement(width: context.tile.width, height: context.tile.height,
                                                   count: plan.counts[type][0],
                                                   hCache: context.layout.makeH.map { names[$0] },
                                                   vCache: context.layout.makeV.map { names[$0] },
                                                   weights: names[context.layout.wLevel],
                                                   nodes: evaluated.placement))
        }
        for (name, _) in typeResults.joined() where result.buckets[name] == nil {
            result.keys.append(name)
            result.buckets[name] = .init()
        }
        // One (cost, count) pair per tile type, never merged with an equal cost of another type:
        // the reference memoises per tile type, and the summation order decides the last bit
        // before each reading is truncated.
        let bucket: [WritableKeyPath<StackResult.Buckets, [(cost: KeyCost, count: Int)]>] = [\.all, \.row0, \.row1,
            \.lastRow]
        for b in bucket.indices {
            for type in plan.order[b] {
                for (name, cost) in typeResults[type] {
                    result.buckets[name, default: .init()][keyPath: bucket[b]].append((cost, plan.counts[type][b]))
                }
            }
        }
        result.tileTypeCounts = plan.counts.map { $0[0] }
        return result
    }

    /// The tile memo key of model.md §5.4, plus what model.md §1 adds for an engine.
    static func memoKey(_ t: TileContext) -> String {
        let l = t.layout
        func opt(_ m: Int?) -> String { m.map(String.init) ?? "-" }
        let hw = l.hWrite.map { "\($0.producer):\($0.dim)\($0.amount)" }.joined(separator: ",")
        let vw = l.vWrite.map { "\($0.producer):\($0.dim)\($0.amount)" }.joined(separator: ",")
        let hr = l.hRead.sorted { ($0.key.node, $0.key.operand) < ($1.key.node, $1.key.operand) }
            .map { "\($0.key.node)\($0.key.operand):\($0.value.dim)\($0.value.amount)" }.joined(separator: ",")
        let vr = l.vRead.sorted { ($0.key.node, $0.key.operand) < ($1.key.node, $1.key.operand) }
            .map { "\($0.key.node)\($0.key.operand):\($0.value.rows.dim)\($0.value.rows.amount)\($0.value.hDim)" }
            .joined(separator: ",")
        return [String(t.tile.width), String(t.tile.height), t.weightsFromTop ? "top" : "trunk", opt(l.makeH),
                opt(t.useH), hw, hr,
                opt(l.makeV), opt(t.useV), vw, vr, String(t.trunkWeightLevel), opt(t.staleV)].joined(separator: "|")
    }
}
