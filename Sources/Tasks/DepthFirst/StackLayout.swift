/// Pass-1 decisions for one tile position (model.md §5.5).
struct TileLayout {
    /// Memories (core indices) chosen for the tile's H and V caches and the trunk weights.
    var hLevel: Int?
    var vLevel: Int?
    var wLevel: Int
    /// After the consistency passes: where the tile writes its caches.
    var makeH: Int?
    var makeV: Int?
    /// Write amounts per producer; read amounts per consumer input (model.md §5.5), sorted for keys.
    var hWrite: [(producer: Int, dim: String, amount: Int)]
    var vWrite: [(producer: Int, dim: String, amount: Int)]
    var hRead: [BackPropagation.InputKey: BackPropagation.Overlap]
    var vRead: [BackPropagation.InputKey: (rows: BackPropagation.Overlap, hDim: String)]
    /// Footprint figures (bits): live peak, with H caches, with both caches.
    var livePeak: Int
    var peakH: Int
    var peakHV: Int
    var cornerBits: Int
}

/// The memory hierarchy questions pass 1 and pass 2 ask.
struct HierarchyView {
    let core: Core

    /// Instances of a memory: Π of the array dims it does not serve.
    func unrollCount(_ m: Int) -> Int {
        core.arrayDims.filter { !core.memories[m].servedDims.contains($0.name) }.reduce(1) { $0 * $1.size }
    }

    func stores(_ m: Int, _ operand: String) -> Bool { core.memories[m].operands.contains(operand) }

    /// The first memory of `operand`'s chain (bottom-up) satisfying `fits`, then `extra` levels
    /// further up (bounded by the top); nil when none fits.
    func firstLevel(_ operand: String, extra: Int = 0, where fits: (Int) -> Bool) -> (memory: Int, walked: [Int])? {
        let chain = core.levels(of: operand)
        guard let i = chain.firstIndex(where: fits) else { return nil }
        let j = min(chain.count - 1, i + extra)
        return (chain[j], Array(chain[...j]))
    }

    func position(_ m: Int, in operand: String) -> Int? { core.levels(of: operand).firstIndex(of: m) }
}

/// Pass 1 over a trunk's grid (model.md §5.5).
struct StackLayoutPlanner {
    let trunk: Network
    /// The trunk at full size in the untransformed network (for the V cache width).
    let fullSize: Network
    let hierarchy: HierarchyView
    let mode: CachingMode
    let inputOperand: String
    let outputOperand: String
    let weightOperand: String?

    /// The layouts of a whole grid, compactly: per tile the index of its distinct pass-1 layout
    /// (`determineLayout` memoised on width, height, first column, first row) and its make levels
    /// after the consistency passes.
    struct Grid {
        var distinct: [TileLayout] = []
        var layoutOf: [Int32] = []
        var makeH: [Int32] = []
        var makeV: [Int32] = []
        var weightLevel: Int = 0

        static func level(_ m: Int32) -> Int? { m < 0 ? nil : Int(m) }

        /// Tile i's layout with its make levels and last-column/row write rules applied.
        func layout(_ i: Int, _ tile: Tile) -> TileLayout {
            var l = distinct[Int(layoutOf[i])]
            l.makeH = Grid.level(makeH[i])
            l.makeV = Grid.level(makeV[i])
            l.wLevel = weightLevel
            if tile.lastColumn { l.hWrite = [] }
            if tile.lastRow { l.vWrite = [] }
            return l
        }
    }

    func grid(for tiles: [Tile]) -> Grid {
        var grid = Grid()
        var memo: [[Int]: Int32] = [:]
        grid.layoutOf.reserveCapacity(tiles.count)
        for tile in tiles {
            let key = [tile.width, tile.height, tile.firstColumn ? 1 : 0, tile.firstRow ? 1 : 0]
            if let known = memo[key] {
                grid.layoutOf.append(known)
            } else {
                grid.distinct.append(determine(width: tile.width, height: tile.height, firstX: tile.firstColumn,
                                               firstY: tile.firstRow))
                memo[key] = Int32(grid.distinct.count - 1)
                grid.layoutOf.append(Int32(grid.distinct.count - 1))
            }
        }
        consistent(&grid, tiles)
        return grid
    }

    func determine(width: Int, height: Int, firstX: Bool, firstY: Bool) -> TileLayout {
        let cache = BackPropagation(trunk, tileX: width, tileY: height, useH: !firstX, makeH: true, useV: !firstY,
                                    makeV: true)
        let live = BackPropagation(trunk, tileX: width, tileY: height, useH: !firstX && mode.h, makeH: true,
                                   useV: !firstY && mode.v, makeV: true)
        let la = Self.livePeak(live.network)
        // model.md §5.5 cache sizes from the cache geometry.
        let caches = cacheBits(cache)
        let hInBits = caches.reduce(0) { $0 + $1.hIn }, vInBits = caches.reduce(0) { $0 + $1.vIn }
        let corner = caches.reduce(0) { $0 + $1.corner }
        // model.md §5.5 levels.
        let io = hierarchy.firstLevel(outputOperand) { m in
            hierarchy.stores(m, inputOperand) && hierarchy.core.memories[m].size >= la && hierarchy.unrollCount(m) == 1
        }
        let reserveIO = io?.walked ?? []
        let peakH = firstX ? la : la + hInBits
        let peakHV = peakH + vInBits
        func cacheLevel(_ need: @escaping (Int) -> Int) -> Int? {
            hierarchy.firstLevel(outputOperand) { m in
                hierarchy.stores(m, inputOperand) && hierarchy.unrollCount(m) == 1
                    && hierarchy.core.memories[m].size >= need(m)
            }?.memory
        }
        let hLevel = mode.h ? cacheLevel { _ in peakH } : nil
        let vLevel = mode.v ? cacheLevel { m in peakHV - (m == hLevel ? corner : 0) } : nil
        let wTot = trunk.nodes.reduce(0) { $0 + $1.weightBits }
        var wLevel = hierarchy.core.memories.count - 1
        if let weightOperand {
            wLevel = hierarchy.firstLevel(weightOperand) { m in
                var fit = wTot
                if reserveIO.contains(m) { fit = wTot + la }
                if m == hLevel { fit = wTot + peakH }
                if m == vLevel { fit = wTot + peakHV }
                if m == hLevel && m == vLevel { fit = wTot + peakHV - corner }
                return hierarchy.core.memories[m].size >= fit
            }?.memory ?? hierarchy.core.levels(of: weightOperand).last ?? wLevel
        }
        // model.md §5.5 amounts: outside the first column (row) a tile cannot refresh more columns (rows)
        // than it produced.
        func writes(_ out: [Int: BackPropagation.Overlap], clip: Bool) -> [(producer: Int, dim: String, amount: Int)] {
            out.keys.sorted().compactMap { p in
                guard let o = out[p], let node = cache.network.node(p) else { return nil }
                return (p, o.dim, clip ? min(o.amount, node.size(o.dim)) : o.amount)
            }
        }
        // A mode that does not cache in a direction reads and writes nothing in it.
        let hWrite = mode.h ? writes(cache.hOut, clip: !firstX) : []
        let vWrite = mode.v ? writes(cache.vOut, clip: !firstY) : []
        var vRead: [BackPropagation.InputKey: (rows: BackPropagation.Overlap, hDim: String)] = [:]
        if mode.v && !firstY { for (k, v) in cache.vIn { vRead[k] = (v, cache.hIn[k]?.dim ?? "") } }
        return TileLayout(hLevel: hLevel, vLevel: vLevel, wLevel: wLevel, makeH: nil, makeV: nil, hWrite: hWrite,
                          vWrite: vWrite, hRead: mode.h && !firstX ? cache.hIn : [:], vRead: vRead, livePeak: la,
                          peakH: peakH, peakHV: peakHV, cornerBits: corner)
    }

    /// Per consumer input of the cache geometry: the H-in, V-in and corner bits of model.md §5.5.
    func cacheBits(_ cache: BackPropagation) -> [(node: Int, operand: String, hIn: Int, vIn: Int, corner: Int)] {
        var out: [(Int, String, Int, Int, Int)] = []
        for node in cache.network.nodes {
            guard let layer = node.layer else { continue }
            for (operand, _) in node.sources {
                let key = BackPropagation.InputKey(node: node.id, operand: operand)
                guard let h = cache.hIn[key], let v = cache.vIn[key] else { continue }
                let rel = layer.relevance[operand]
                let dims = BackPropagation.tensorDims(layer, operand)
                let size = layer.sizeElements(operand), p = layer.precision[operand] ?? 0
                let hTile = max(1, dims[h.dim] ?? 1), vTile = max(1, dims[v.dim] ?? 1)
                var hIn = 0, vIn = 0, corner = 0
                if !(rel?.r.contains(h.dim) ?? false) { hIn = (size / hTile) * h.amount * p }
                if !(rel?.r.contains(v.dim) ?? false) {
                    // The width comes from the full, untransformed network (X is untouched by the transform).
                    let fullLayer = fullSize.node(node.id)?.layer ?? layer
                    let hFull = BackPropagation.tensorDims(fullLayer, operand)[h.dim] ?? hTile
                    vIn = ((size / hTile) * hFull / vTile) * v.amount * p
                }
                if !layer.loopSizes.contains(where: { $0.dim == h.dim || $0.dim == v.dim }) {
                    corner = ((size / hTile) * h.amount / vTile) * v.amount * p
                }
                out.append((node.id, operand, hIn, vIn, corner))
            }
        }
        return out
    }

    /// The consistency passes over the grid (model.md §5.5): make levels and the trunk weight level.
    private func consistent(_ grid: inout Grid, _ tiles: [Tile]) {
        func m(_ level: Int?) -> Int32 { level.map(Int32.init) ?? -1 }
        let hLevel = grid.distinct.map { m($0.hLevel) }, vLevel = grid.distinct.map { m($0.vLevel) }
        grid.makeH = Array(repeating: -1, count: tiles.count)
        grid.makeV = Array(repeating: -1, count: tiles.count)
        var highestV = grid.layoutOf.first.map { vLevel[Int($0)] } ?? -1
        for i in tiles.indices {
            let tile = tiles[i]
            let h = hLevel[Int(grid.layoutOf[i])], v = vLevel[Int(grid.layoutOf[i])]
            grid.makeH[i] = tile.lastColumn ? -1 : h
            if !tile.firstColumn, grid.makeH[i - 1] != h {
                grid.makeH[i - 1] = h  // `hCacheLevelLatestWins`
            }
            if v != highestV {
                highestV = v  // `vCacheLevelLatestWins`
                for j in 0..<i where grid.makeV[j] >= 0 { grid.makeV[j] = highestV }
            }
            grid.makeV[i] = tile.lastRow ? -1 : highestV
        }
        // The weight level is the highest any tile needs.
        grid.weightLevel = grid.distinct.first?.wLevel ?? 0
        if let weightOperand {
            let chain = hierarchy.core.levels(of: weightOperand)
            let highest = grid.distinct.map { chain.firstIndex(of: $0.wLevel) ?? 0 }.max() ?? 0
            if highest < chain.count { grid.weightLevel = chain[highest] }
        }
    }

    /// The live-data peak of one tile walked in topological order (model.md §5.5); the first-column
    /// H-cache addition never takes effect (`firstColumnHPeakOmitsCaches`).
    static func livePeak(_ network: Network) -> Int {
        var current = 0, peak = 0
        var alive: [Int: (pending: Set<Int>, bits: Int)] = [:]
        for node in network.nodes {
            let si = node.inputBits, so = node.outputBits
            let preds = Array(Set(node.sources.map(\.producer)))
            for p in preds { current -= alive[p]?.bits ?? 0 }
            current += si + so
            peak = max(peak, current)
            current -= si
            for p in preds { current += alive[p]?.bits ?? 0 }
            for p in preds {
                alive[p]?.pending.remove(node.id)
                if alive[p]?.pending.isEmpty == true {
                    current -= alive[p]?.bits ?? 0
                    alive[p] = nil
                }
            }
            alive[node.id] = (Set(network.consumers(of: node.id)), so)
        }
        return peak
    }
}
