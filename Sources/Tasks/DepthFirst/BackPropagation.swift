/// Back-propagation of a tile through a trunk (model.md §5.2): the last layer's output tile
/// decides every earlier extent, and the overlaps between neighbouring tiles decide what the H
/// (column) and V (row) caches hold.
struct BackPropagation {
    /// An overlap: the tensor (or producer loop) dim it runs along and its size.
    struct Overlap: Equatable {
        var dim: String
        var amount: Int
    }

    struct InputKey: Hashable {
        var node: Int
        var operand: String
    }

    /// The trunk with every node's extents set for this tile.
    var network: Network
    /// Per consumer input: the columns / rows it shares with the previous tile (`toCacheHIn/VIn`).
    var hIn: [InputKey: Overlap] = [:]
    var vIn: [InputKey: Overlap] = [:]
    /// Per producer: the columns / rows it must keep for the next tile (`toCacheHOut/VOut`).
    var hOut: [Int: Overlap] = [:]
    var vOut: [Int: Overlap] = [:]
    /// Nodes reached from the output, in visiting order.
    var useful: [Int] = []

    /// - Parameters: `tileX`/`tileY` nil keep the output node's extent (full-size propagation).
    init(_ trunk: Network, tileX: Int?, tileY: Int?, useH: Bool, makeH: Bool, useV: Bool, makeV: Bool) {
        network = trunk
        guard let outIndex = network.nodes.lastIndex(where: { n in network.consumers(of: n.id).isEmpty }) else {
            return
        }
        let batch = network.nodes[outIndex].size("B")
        for i in network.nodes.indices { network.nodes[i].setSize("B", batch) }
        if let tileX { network.nodes[outIndex].setSize("OX", tileX) }
        if let tileY { network.nodes[outIndex].setSize("OY", tileY) }
        let outID = network.nodes[outIndex].id
        var needed: [Int: (x: Int, y: Int)] = [outID: (network.nodes[outIndex].size("OX"),
                                                       network.nodes[outIndex].size("OY"))]
        // Per producer, per consumer: (dim, overlap, lag) for the effective cache amounts.
        var colsOut: [Int: [(consumer: Int, dim: String, overlap: Int, lag: Int)]] = [:]
        var rowsOut: [Int: [(consumer: Int, dim: String, overlap: Int, lag: Int)]] = [:]
        var stack: [(node: Int, dX: String, dY: String, lagH: Int, lagV: Int)] = [(outID, "OX", "OY", 0, 0)]
        var seen = Set<Int>()
        while !stack.isEmpty {
            let (id, dX, dY, lagH, lagV) = stack.removeFirst()
            if seen.insert(id).inserted { useful.append(id) }
            guard let ni = network.index(of: id), let layer = network.nodes[ni].layer else { continue }
            let node = network.nodes[ni]
            for (operand, producer) in node.sources {
                var ext = BackPropagation.tensorDims(layer, operand)
                guard let (xI, sX) = BackPropagation.axis(layer, operand, dX, ext),
                      let (yI, sY) = BackPropagation.axis(layer, operand, dY, ext) else { continue }
                let nX = node.size(dX), nY = node.size(dY)
                let ovX = max(0, ext[xI, default: 0] - nX * sX)
                let ovY = max(0, ext[yI, default: 0] - nY * sY)
                var newLagH = sX * lagH - floorDiv(ext[xI, default: 0] - nX * sX + sX - 1, 2) + ovX
                var newLagV = sY * lagV - floorDiv(ext[yI, default: 0] - nY * sY + sY - 1, 2) + ovY
                let key = InputKey(node: id, operand: operand)
                hIn[key] = Overlap(dim: xI, amount: ovX)
                vIn[key] = Overlap(dim: yI, amount: ovY)
                if useH { ext[xI, default: 0] -= ovX }
                if useV { ext[yI, default: 0] -= ovY }
                let previous = needed[producer]
                let need = (max(previous?.x ?? 0, ext[xI, default: 0]), max(previous?.y ?? 0, ext[yI, default: 0]))
                needed[producer] = need
                let pX = node.producerDim(operand, xI), pY = node.producerDim(operand, yI)
                guard let pi = network.index(of: producer) else { continue }
                network.nodes[pi].setSize(pX, need.0)
                network.nodes[pi].setSize(pY, need.1)
                colsOut[producer, default: []].removeAll { $0.consumer == id }
                colsOut[producer, default: []].append((id, pX, makeH ? ovX : 0, newLagH))
                let h = BackPropagation.effective(colsOut[producer] ?? [], make: makeH)
                newLagH = h.lag
                hOut[producer] = Overlap(dim: pX, amount: h.amount)
                rowsOut[producer, default: []].removeAll { $0.consumer == id }
                rowsOut[producer, default: []].append((id, pY, makeV ? ovY : 0, newLagV))
                let v = BackPropagation.effective(rowsOut[producer] ?? [], make: makeV)
                newLagV = v.lag
                vOut[producer] = Overlap(dim: pY, amount: v.amount)
                stack.insert((producer, pX, pY, newLagH, newLagV), at: 0)
            }
        }
    }

    /// `tensorDims` of model.md §2.3 at the layer's current loop sizes.
    static func tensorDims(_ layer: Layer, _ operand: String) -> [String: Int] {
        guard let rel = layer.relevance[operand] else { return [:] }
        var dims: [String: Int] = [:]
        for d in rel.r { dims[d] = layer.size(of: d) }
        for r in rel.pr {
            dims[r.pr] = Numerics.prSize(r.aScale, Double(layer.size(of: r.a)), r.bScale, Double(layer.size(of: r.b)))
        }
        return dims
    }

    /// The input tensor dim carrying loop dim `d` and its scaling: `d` itself (scale 1) when it
    /// indexes the tensor, else the pr dim with `d` as partner and `d`'s coefficient.
    static func axis(_ layer: Layer, _ operand: String, _ d: String, _ ext: [String: Int]) -> (String, Int)? {
        if ext[d] != nil { return (d, 1) }
        for r in layer.relevance[operand]?.pr ?? [] {
            if r.a == d { return (r.pr, r.aScale) }
            if r.b == d { return (r.pr, r.bScale) }
        }
        return nil
    }

    /// Over all consumers of one producer: the furthest lag and the cache amount that covers
    /// every consumer's overlap (model.md §5.2 `effective`).
    static func effective(_ entries: [(consumer: Int, dim: String, overlap: Int, lag: Int)], make: Bool) -> (lag: Int,
        amount: Int) {
        guard let lag = entries.map(\.lag).max(), let leftmost = entries.map({ $0.lag - $0.overlap }).min() else {
            return (0, 0)
        }
        return (lag, make ? lag - leftmost : 0)
    }
}

/// Python's `//` on integers: rounds toward −∞.
func floorDiv(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
