/// Loop-order-based memory allocation of one ordering (model.md §4.3): walking the memories
/// bottom-up, each operand keeps as many of its innermost remaining loops as fit, and operands
/// sharing a memory choose jointly the combination with the fewest accesses.
struct Allocator {
    let layer: Layer
    let core: Core
    /// Layer operands using each memory, in the memory's declared operand order.
    let operandsAt: [[String]]
    /// Is memory m the top level of the operand?
    let isTop: [[Bool]]
    let spatial: SpatialMapping
    let plainIR: [String: Set<String>]

    enum Failure: Error { case memoryTooSmall, hierarchyTooSmall }

    init(layer: Layer, core: Core, spatial: SpatialMapping) {
        self.layer = layer
        self.core = core
        self.spatial = spatial
        var byMemOp: [String: String] = [:]
        for (op, memOp) in layer.memoryOperandLinks where layer.relevance[op] != nil { byMemOp[memOp] = op }
        var operandsAt: [[String]] = []
        var isTop: [[Bool]] = []
        for (m, memory) in core.memories.enumerated() {
            let ops = memory.operands.compactMap { byMemOp[$0] }
            operandsAt.append(ops)
            isTop.append(ops.map { op in core.levels(of: layer.memoryOperandLinks[op] ?? "").last == m })
        }
        self.operandsAt = operandsAt
        self.isTop = isTop
        plainIR = layer.relevance.mapValues { Set($0.ir) }
    }

    /// Per operand, the temporal loops allocated to each of its levels (innermost first).
    func allocate(_ ordering: [LPF]) throws(Failure) -> [String: [[Loop]]] {
        let loops = ordering.map(\.loop)
        var unallocated: [String: ArraySlice<Loop>] = [:]
        var allocated: [String: [Loop]] = [:]
        var levelIndex: [String: Int] = [:]
        var tm: [String: [[Loop]]] = [:]
        for op in layer.operands.map(\.name) {
            unallocated[op] = loops[...]
            allocated[op] = spatial.lists[op]?[0] ?? []
            levelIndex[op] = 1
            tm[op] = []
        }
        for (m, memory) in core.memories.enumerated() {
            let ops = operandsAt[m]
            if ops.isEmpty { continue }
            // Candidate slices per operand: (index, bits, accesses).
            var candidates: [[(index: Int, bits: Int, accesses: Double)]] = []
            for (k, op) in ops.enumerated() {
                let rest = unallocated[op] ?? []
                let precision = slicePrecision(op, remaining: rest)
                var slices: [(Int, Int, Double)] = []
                var sizes = LoopLists.sizesByDim(allocated[op] ?? [])
                var remainingProduct = LoopLists.product(rest)
                for i in 0...rest.count {
                    if i > 0 {
                        let loop = rest[rest.startIndex + i - 1]
                        sizes[loop.dim, default: 1] *= loop.size
                        remainingProduct /= loop.size
                    }
                    let bits = layer.tensorSize(op, sizes) * precision
                    if bits > memory.size { break }
                    slices.append((i, bits, remainingProduct * Double(bits)))
                }
                if slices.isEmpty { throw .memoryTooSmall }
                if isTop[m][k] {
                    let last = slices[slices.count - 1]
                    slices = [(last.0, last.1, 0)]
                }
                candidates.append(slices)
            }
            let choice = jointChoice(candidates, capacity: memory.size)
            for (k, op) in ops.enumerated() {
                let count = choice[k]
                let rest = unallocated[op] ?? []
                let prefix = Array(rest.prefix(count))
                unallocated[op] = rest.dropFirst(count)
                allocated[op, default: []] += prefix
                tm[op, default: []].append(prefix)
                let level = levelIndex[op] ?? 1
                allocated[op, default: []] += spatial.lists[op]?[level] ?? []
                levelIndex[op] = level + 1
                if isTop[m][k] && !(unallocated[op] ?? []).isEmpty { throw .hierarchyTooSmall }
            }
        }
        return tm
    }

    /// The output is stored at partial-sum precision while any remaining loop is output-irrelevant.
    func slicePrecision(_ op: String, remaining: ArraySlice<Loop>) -> Int {
        if op == layer.output {
            let ir = plainIR[op] ?? []
            return remaining.contains { ir.contains($0.dim) } ? layer.precision[op] ?? 0 : layer.outputFinalPrecision
        }
        return layer.precision[op] ?? 0
    }

    /// Cartesian product over the operands, the last varying fastest; the fitting combination
    /// with the fewest summed accesses, the last of equals. None fits: every operand takes slice 0
    /// (`allocatorNoFitKeepsEmpty`). Returns the chosen loop count per operand.
    func jointChoice(_ candidates: [[(index: Int, bits: Int, accesses: Double)]], capacity: Int) -> [Int] {
        var best: [Int]?
        var bestAccesses = Double.infinity
        var pick = Array(repeating: 0, count: candidates.count)
        while true {
            var bits = 0
            var accesses = 0.0
            for (k, p) in pick.enumerated() {
                bits += candidates[k][p].bits
                accesses += candidates[k][p].accesses
            }
            if bits <= capacity && accesses <= bestAccesses {
                bestAccesses = accesses
                best = pick.enumerated().map { candidates[$0.offset][$0.element].index }
            }
            // Advance like an odometer, the last operand fastest.
            var k = candidates.count - 1
            while k >= 0 {
                pick[k] += 1
                if pick[k] < candidates[k].count { break }
                pick[k] = 0
                k -= 1
            }
            if k < 0 { break }
        }
        return best ?? Array(repeating: 0, count: candidates.count)
    }
}
