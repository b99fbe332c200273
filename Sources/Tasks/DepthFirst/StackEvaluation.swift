/// The per-key results of a trunk, as ACCO's Step 2 reads them (depth-first.md §10): for every
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

    public func energy(_ key: String) -> Double { buckets[key]?.all.reduce(0) { $0 + $1.cost.energy * Double($1.count) } ?? 0 }
    /// ACCO's latency of a key: Σ latencyTotal2 × count.
    public func latency(_ key: String) -> Int { buckets[key]?.all.reduce(0) { $0 + $1.cost.latency2 * $1.count } ?? 0 }
    /// DeFiNES' latency of a key: Σ latencyTotal1 × count (`latencyExcludesOffload`).
    public func latency1(_ key: String) -> Int { buckets[key]?.all.reduce(0) { $0 + $1.cost.latency1 * $1.count } ?? 0 }

    public var energyTotal: Double { keys.reduce(0) { $0 + energy($1) } }
    public var latencyTotal: Int { keys.reduce(0) { $0 + latency($1) } }
    public var latencyTotal1: Int { keys.reduce(0) { $0 + latency1($1) } }
}

/// Evaluates one trunk depth-first for one tile size and caching mode (depth-first.md §1).
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
        self.trunk = trunk; self.core = core; self.mode = mode; self.tileX = tileX; self.tileY = tileY; self.search = search
    }

    public func run() throws -> StackResult {
        guard let out = trunk.outputNode, let first = trunk.nodes.first(where: { !$0.isInput })?.layer else {
            throw StackError(description: "the trunk has no layer")
        }
        let inputOperand = first.memoryOperandLinks[trunk.nodes.first { !$0.isInput }?.sources.first?.operand ?? "I"] ?? "I1"
        let outputOperand = first.memoryOperandLinks[first.output] ?? "O"
        let weightOperand = trunk.nodes.lazy.compactMap { n -> String? in
            guard let l = n.layer else { return nil }
            return l.inputs.first { op in !n.sources.contains { $0.operand == op } }.flatMap { l.memoryOperandLinks[$0] }
        }.first
        let hierarchy = HierarchyView(core: core)
        let tiles = TileGrid.tiles(totalX: out.size("OX"), totalY: out.size("OY"), tileX: tileX, tileY: tileY)
        let planner = StackLayoutPlanner(trunk: trunk, fullSize: fullSize ?? trunk, hierarchy: hierarchy, mode: mode,
                                         inputOperand: inputOperand, outputOperand: outputOperand, weightOperand: weightOperand)
        let layouts = planner.layouts(for: tiles)
        let evaluator = TileEvaluator(trunk: trunk, hierarchy: hierarchy, copier: DataCopier(core: core), inputOperand: inputOperand,
                                      outputOperand: outputOperand, weightOperand: weightOperand, search: search)
        let columns = (tiles.map(\.column).max() ?? 0) + 1
        let rows = (tiles.map(\.row).max() ?? 0) + 1
        var typeIndex: [String: Int] = [:]
        var typeResults: [[(key: String, cost: KeyCost)]] = []
        var counts: [Int] = []
        var result = StackResult(tileTypeCounts: [], keys: [], buckets: [:], rows: rows, columns: columns)
        for (i, tile) in tiles.enumerated() {
            let layout = layouts[i]
            let context = TileContext(
                tile: tile, layout: layout,
                useH: tile.firstColumn ? nil : layouts[i - 1].makeH,
                useV: tile.firstRow ? nil : layouts[i - columns].makeV,
                weightsFromTop: i == 0, staleV: layouts.last?.vLevel, trunkWeightLevel: layout.wLevel)
            let key = Self.memoKey(context)
            let type: Int
            if let known = typeIndex[key] {
                type = known
            } else {
                type = typeResults.count
                typeIndex[key] = type
                typeResults.append(try evaluator.evaluate(context))
                counts.append(0)
            }
            counts[type] += 1
            for (name, cost) in typeResults[type] {
                if result.buckets[name] == nil { result.keys.append(name); result.buckets[name] = .init() }
                Self.add(cost, to: &result.buckets[name]!.all)
                if tile.row == 0 { Self.add(cost, to: &result.buckets[name]!.row0) }
                if tile.row == 1 { Self.add(cost, to: &result.buckets[name]!.row1) }
                if rows >= 3 && tile.row == rows - 1 { Self.add(cost, to: &result.buckets[name]!.lastRow) }
            }
        }
        result.tileTypeCounts = counts
        return result
    }

    /// Identical costs merge into one (cost, count) pair.
    static func add(_ cost: KeyCost, to list: inout [(cost: KeyCost, count: Int)]) {
        if let i = list.firstIndex(where: { $0.cost == cost }) { list[i].count += 1 } else { list.append((cost, 1)) }
    }

    /// The tile memo key of depth-first.md §6.4, plus what §12 adds for an engine.
    static func memoKey(_ t: TileContext) -> String {
        let l = t.layout
        func opt(_ m: Int?) -> String { m.map(String.init) ?? "-" }
        let hw = l.hWrite.map { "\($0.producer):\($0.dim)\($0.amount)" }.joined(separator: ",")
        let vw = l.vWrite.map { "\($0.producer):\($0.dim)\($0.amount)" }.joined(separator: ",")
        let hr = l.hRead.sorted { ($0.key.node, $0.key.operand) < ($1.key.node, $1.key.operand) }
            .map { "\($0.key.node)\($0.key.operand):\($0.value.dim)\($0.value.amount)" }.joined(separator: ",")
        let vr = l.vRead.sorted { ($0.key.node, $0.key.operand) < ($1.key.node, $1.key.operand) }
            .map { "\($0.key.node)\($0.key.operand):\($0.value.rows.dim)\($0.value.rows.amount)\($0.value.hDim)" }.joined(separator: ",")
        return [String(t.tile.width), String(t.tile.height), t.weightsFromTop ? "top" : "trunk", opt(l.makeH), opt(t.useH), hw, hr,
                opt(l.makeV), opt(t.useV), vw, vr, String(t.trunkWeightLevel), opt(t.staleV)].joined(separator: "|")
    }
}
