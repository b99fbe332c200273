/// The spatial mapping of one layer on one core, placed into per-level lists for every operand
/// (model.md §4.1).
struct SpatialMapping: Sendable {
    /// `lists[op][a]`: spatial loops between arch level `a` and `a + 1` (n + 1 lists for n levels).
    var lists: [String: [[Loop]]]
    var unitCount: [String: [Int]]
    var unitUnique: [String: [Double]]
    var memBWBoost: [String: [Int]]
    /// Every limited unroll, in mapping order (what model.md §4.2 divides the temporal sizes by).
    var unrolls: [Loop]

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// ACCO's limiting of the user unrolls (model.md §4.1): clipped to the array and to what remains of
    /// the loop, fractional when the unroll does not divide the loop.
    static func limitedUnrolls(_ layer: Layer, _ core: Core) -> [(arrayDim: String, loop: Loop)] {
        var remaining: [String: Double] = [:]
        for l in layer.loopSizes { remaining[l.dim] = Double(l.size) }
        var limited: [(String, Loop)] = []
        for unroll in layer.spatialMapping {
            guard let L = remaining[unroll.loopDim] else { continue }
            var u = Double(min(core.arraySize(unroll.arrayDim) ?? 1, unroll.unroll))
            u = min(L, u)
            let q = (L / u).rounded(.up)
            u = L / q
            limited.append((unroll.arrayDim, Loop(unroll.loopDim, u)))
            if q == 1 { remaining[unroll.loopDim] = nil } else { remaining[unroll.loopDim] = q }
        }
        return limited
    }

    /// Builds the mapping; `integer` gives the twin used by the latency model (model.md §4.1).
    init(layer: Layer, core: Core, integer: Bool) throws(Invalid) {
        var limited = Self.limitedUnrolls(layer, core)
        if integer { limited = limited.map { ($0.arrayDim, Loop($0.loop.dim, $0.loop.size.rounded(.up))) } }
        unrolls = limited.map(\.loop)
        lists = [:]
        for op in layer.operands.map(\.name) {
            guard let memOp = layer.memoryOperandLinks[op] else {
                throw Invalid(description: "operand \(op) has no memory operand link")
            }
            let levels = core.levels(of: memOp)
            var placed = Array(repeating: false, count: limited.count)
            var perLevel: [[Loop]] = []
            for m in levels {
                let served = core.memories[m].servedDims
                var here: [Loop] = []
                for (i, unroll) in limited.enumerated() where !placed[i] && served.contains(unroll.arrayDim) {
                    here.append(unroll.loop)
                    placed[i] = true
                }
                perLevel.append(here)
            }
            perLevel.append(limited.indices.filter { !placed[$0] }.map { limited[$0].loop })
            lists[op] = perLevel
        }
        // Spatial quantities (model.md §4.1) on the pr-decoupled lists.
        var totals: [String: [Double]] = [:]
        unitUnique = [:]
        memBWBoost = [:]
        for (op, perLevel) in lists {
            let relevance = layer.relevance[op] ?? Relevance(r: [], ir: [], pr: [])
            let decoupled = LoopLists.decouple(perLevel, relevance)
            let r = relevance.reformedR
            let n = decoupled.count
            var unique = Array(repeating: 1.0, count: n)
            var total = Array(repeating: 1.0, count: n)
            var accUnique = 1.0, accTotal = 1.0
            for a in stride(from: n - 1, through: 0, by: -1) {
                for loop in decoupled[a] {
                    accTotal *= loop.size
                    if r.contains(loop.dim) { accUnique *= loop.size }
                }
                unique[a] = accUnique
                total[a] = accTotal
            }
            unitUnique[op] = unique
            totals[op] = total
            memBWBoost[op] = (0..<(n - 1)).map { Numerics.trunc(unique[$0] / unique[$0 + 1]) }
        }
        // unitCount: round, unless the operands disagree on the array size; then ceil, then floor.
        var agreed: [String: [Int]]?
        for rule in [FloatingPointRoundingRule.toNearestOrEven, .up, .down] {
            let counts = totals.mapValues { $0.map { Int($0.rounded(rule)) } }
            if Set(counts.values.map { $0[0] }).count <= 1 { agreed = counts; break }
        }
        guard let agreed else {
            throw Invalid(description: "the operands of layer \(layer.id) disagree on the number of MAC units used")
        }
        unitCount = agreed
    }
}
