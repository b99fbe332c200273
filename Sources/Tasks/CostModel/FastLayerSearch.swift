/// The production LOMA search: the same orderings in the same order as `PlainLayerSearch`,
/// with the same arithmetic, but on a compiled form of the layer (dimensions as small integers,
/// relevance as bit masks, temporal levels as index ranges into the ordering) and with reused
/// buffers, so that the inner loop allocates nothing. Two further savings, both exact:
///
/// - merge-down (§7.1) only moves level boundaries, since levels are contiguous runs of the
///   ordering;
/// - every cost term is ≥ 0, so an ordering is abandoned as soon as its partial cost exceeds the
///   best so far (a bound that only prunes orderings proven worse; ties are evaluated fully, as
///   the first strictly best ordering wins).
///
/// The winner is then evaluated by the plain evaluator, so reported numbers come from one place.
public enum FastLayerSearch {
    public static func run(layer: Layer, core: Core, lpfLimit: Int, objective: Objective) throws(LayerSearchError) -> LayerSearchResult {
        let evaluator: LayerEvaluator
        do { evaluator = try LayerEvaluator(layer: layer, core: core) } catch { throw .invalidMapping(error.description) }
        let lpfs = try PlainLayerSearch.orderingLPFs(layer: layer, evaluator: evaluator, lpfLimit: lpfLimit)
        guard var compiled = CompiledLayer(layer: layer, core: core, evaluator: evaluator, lpfs: lpfs) else {
            // Layers outside the compiled form's assumptions (an output with pr dims) use the plain search.
            return try PlainLayerSearch.run(layer: layer, core: core, lpfLimit: lpfLimit, objective: objective)
        }
        var best = Double.infinity
        var bestOrdering: [LPF]?
        var evaluated = 0
        for ordering in MultisetPermutations(elements: lpfs) {
            guard compiled.load(ordering) else { continue }
            evaluated += 1
            let cost = compiled.cost(objective, bound: best)
            if cost < best {
                best = cost
                bestOrdering = ordering
            }
        }
        guard let bestOrdering else { throw .hierarchyTooSmall(layer: layer.id) }
        let allocator = Allocator(layer: layer, core: core, spatial: evaluator.spatial)
        guard let tm = try? allocator.allocate(bestOrdering) else { throw .hierarchyTooSmall(layer: layer.id) }
        return LayerSearchResult(evaluation: evaluator.evaluate(tm), ordering: bestOrdering,
                                 orderingsEvaluated: evaluated, lpfs: lpfs)
    }
}

/// A layer on a core, compiled for fast evaluation of many orderings.
struct CompiledLayer {
    struct CLoop {
        var dim: Int
        var size: Double
    }

    struct PR {
        var a: Int, aScale: Int, b: Int, bScale: Int
    }

    /// Ordering-independent facts of one operand, for one spatial mapping (fractional or integer).
    struct Spatial {
        var lists: [[CLoop]]
        var unitCount: [Int]
        var unitUnique: [Double]
        var boost: [Int]
    }

    struct Operand {
        var isOutput: Bool
        var n: Int
        var memories: [Int]
        var rMask: UInt32
        var irMask: UInt32
        /// Reformed-r membership without the P_r pseudo-dims: plain r dims.
        var pr: [PR]
        /// Partner dims that are neither r nor ir: these are decoupled.
        var partnerMask: UInt32
        var frac: Spatial
        var int: Spatial
        var precision: Int
        var finalPrecision: Int
        var sizeElem: Double
    }

    struct Mem {
        var size: Int
        var rBW: Int, wBW: Int, rMin: Int, wMin: Int
        var rCost: Double, wCost: Double
        var latency: Int
        /// (operand index, is it the operand's top level) in the memory's declared order.
        var ops: [(op: Int, top: Bool)]
        var shared: Bool
    }

    struct PortDuty {
        var op: Int, level: Int, direction: Direction
    }

    let ops: [Operand]
    let mems: [Mem]
    let ports: [[PortDuty]]
    /// Per port: does it carry both input memory operands (on-loading's "shared").
    let portSharedByInputs: [Bool]
    let outputIndex: Int
    let inputIndices: [Int]
    let macEnergy: Double
    let dimCount: Int

    // The current ordering and what depends on it (reused buffers).
    var order: [CLoop]
    var suffixProduct: [Double]
    var suffixHasOutputIR: [Bool]
    var prefixProduct: [Int]
    /// `starts[op][l]` = first ordering index of level l; `starts[op][n]` = ordering count.
    var starts: [[Int]]
    let lpfDims: [String: Int]

    init?(layer: Layer, core: Core, evaluator: LayerEvaluator, lpfs: [LPF]) {
        var dims: [String: Int] = [:]
        func dim(_ name: String) -> Int {
            if let d = dims[name] { return d }
            dims[name] = dims.count
            return dims.count - 1
        }
        for l in layer.loopSizes { _ = dim(l.dim) }
        for l in lpfs { _ = dim(l.dim) }
        for r in layer.relations { _ = dim(r.a); _ = dim(r.b) }
        for u in layer.spatialMapping { _ = dim(u.loopDim) }
        guard dims.count <= 32 else { return nil }
        let names = layer.operands.map(\.name)
        var ops: [Operand] = []
        for name in names {
            let rel = layer.relevance[name] ?? Relevance(r: [], ir: [], pr: [])
            let isOutput = name == layer.output
            if isOutput && !rel.pr.isEmpty { return nil }
            let rMask = rel.r.reduce(UInt32(0)) { $0 | 1 << dim($1) }
            let irMask = rel.ir.reduce(UInt32(0)) { $0 | 1 << dim($1) }
            let pr = rel.pr.map { PR(a: dim($0.a), aScale: $0.aScale, b: dim($0.b), bScale: $0.bScale) }
            var partnerMask: UInt32 = 0
            for p in pr { partnerMask |= (1 << p.a) | (1 << p.b) }
            partnerMask &= ~(rMask | irMask)
            func spatial(_ s: SpatialMapping) -> Spatial {
                Spatial(lists: (s.lists[name] ?? []).map { $0.map { CLoop(dim: dim($0.dim), size: $0.size) } },
                        unitCount: s.unitCount[name] ?? [], unitUnique: s.unitUnique[name] ?? [],
                        boost: (s.memBWBoost[name] ?? []) + [1])
            }
            let memories = evaluator.memoriesOf[name] ?? []
            ops.append(Operand(isOutput: isOutput, n: memories.count, memories: memories, rMask: rMask, irMask: irMask,
                               pr: pr, partnerMask: partnerMask, frac: spatial(evaluator.spatial),
                               int: spatial(evaluator.spatialInt), precision: layer.precision[name] ?? 0,
                               finalPrecision: layer.outputFinalPrecision, sizeElem: Double(layer.sizeElements(name))))
        }
        var byMemOp: [String: Int] = [:]
        for (i, name) in names.enumerated() { if let m = layer.memoryOperandLinks[name] { byMemOp[m] = i } }
        mems = core.memories.enumerated().map { m, memory in
            let users = memory.operands.compactMap { byMemOp[$0] }
            return Mem(size: memory.size, rBW: memory.readBandwidth, wBW: memory.writeBandwidth,
                       rMin: memory.readGranularity, wMin: memory.writeGranularity, rCost: memory.readCost,
                       wCost: memory.writeCost, latency: memory.latency,
                       ops: users.map { ($0, ops[$0].memories.last == m) }, shared: memory.operands.count > 1)
        }
        let inputMemOps = Set(layer.inputs.compactMap { layer.memoryOperandLinks[$0] })
        var ports: [[PortDuty]] = []
        var shared: [Bool] = []
        for memory in core.memories {
            for port in memory.ports {
                ports.append(port.duties.compactMap { d in byMemOp[d.memoryOperand].map { PortDuty(op: $0, level: d.level, direction: d.direction) } })
                let memOps = Set(port.duties.map(\.memoryOperand))
                shared.append(inputMemOps.count >= 2 && inputMemOps.isSubset(of: memOps))
            }
        }
        self.ports = ports
        portSharedByInputs = shared
        self.ops = ops
        outputIndex = 0
        inputIndices = Array(1..<ops.count)
        macEnergy = core.macEnergy * Double(layer.macCount)
        dimCount = dims.count
        lpfDims = dims
        order = Array(repeating: CLoop(dim: 0, size: 1), count: lpfs.count)
        suffixProduct = Array(repeating: 1, count: lpfs.count + 1)
        suffixHasOutputIR = Array(repeating: false, count: lpfs.count + 1)
        prefixProduct = Array(repeating: 1, count: lpfs.count + 1)
        starts = ops.map { Array(repeating: 0, count: $0.n + 1) }
    }

    // MARK: Allocation (§6.5) and merge-down (§7.1)

    /// Takes an ordering and allocates it; false when it does not fit.
    mutating func load(_ ordering: [LPF]) -> Bool {
        let count = ordering.count
        for (i, lpf) in ordering.enumerated() { order[i] = CLoop(dim: lpfDims[lpf.dim] ?? 0, size: Double(lpf.factor)) }
        let oIR = ops[outputIndex].irMask
        suffixProduct[count] = 1
        suffixHasOutputIR[count] = false
        for i in stride(from: count - 1, through: 0, by: -1) {
            suffixHasOutputIR[i] = suffixHasOutputIR[i + 1] || (oIR >> order[i].dim) & 1 == 1
        }
        // The plain allocator divides the product of what remains by each allocated loop; with
        // whole factors every intermediate is exact, so a product from the end is identical.
        for i in stride(from: count - 1, through: 0, by: -1) { suffixProduct[i] = suffixProduct[i + 1] * order[i].size }
        prefixProduct[0] = 1
        for i in 0..<count { prefixProduct[i + 1] = prefixProduct[i] * Int(order[i].size) }
        return allocate() && mergeDown()
    }

    private var scratchSizes = [Double](repeating: 1, count: 32)
    private var allocated = [[Double]]()
    private var position = [Int]()
    private var levelIndex = [Int]()
    private var candidates: [[(index: Int, bits: Int, accesses: Double)]] = [[], [], []]

    private mutating func allocate() -> Bool {
        let count = order.count
        if allocated.count != ops.count {
            allocated = Array(repeating: Array(repeating: 1.0, count: dimCount), count: ops.count)
            position = Array(repeating: 0, count: ops.count)
            levelIndex = Array(repeating: 0, count: ops.count)
            candidates = Array(repeating: [], count: max(3, ops.count))
        }
        for k in ops.indices {
            for d in 0..<dimCount { allocated[k][d] = 1 }
            for loop in ops[k].frac.lists[0] { allocated[k][loop.dim] *= loop.size }
            position[k] = 0
            levelIndex[k] = 0
        }
        for m in mems.indices where !mems[m].ops.isEmpty {
            let memory = mems[m]
            for (c, entry) in memory.ops.enumerated() {
                let k = entry.op
                candidates[c].removeAll(keepingCapacity: true)
                let pos = position[k]
                let precision = ops[k].isOutput
                    ? (suffixHasOutputIR[pos] ? ops[k].precision : ops[k].finalPrecision) : ops[k].precision
                for d in 0..<dimCount { scratchSizes[d] = allocated[k][d] }
                var i = 0
                while true {
                    if i > 0 { scratchSizes[order[pos + i - 1].dim] *= order[pos + i - 1].size }
                    let bits = tensorSize(k) * precision
                    if bits > memory.size { break }
                    candidates[c].append((i, bits, suffixProduct[pos + i] * Double(bits)))
                    if pos + i == count { break }
                    i += 1
                }
                if candidates[c].isEmpty { return false }
                if entry.top, let last = candidates[c].last {
                    candidates[c].removeAll(keepingCapacity: true)
                    candidates[c].append((last.index, last.bits, 0))
                }
            }
            let choice = jointChoice(memory.ops.count, capacity: memory.size)
            for (c, entry) in memory.ops.enumerated() {
                let k = entry.op
                let take = choice[c]
                let level = levelIndex[k]
                starts[k][level] = position[k]
                for j in position[k]..<(position[k] + take) { allocated[k][order[j].dim] *= order[j].size }
                position[k] += take
                levelIndex[k] = level + 1
                if level + 1 < ops[k].frac.lists.count {
                    for loop in ops[k].frac.lists[level + 1] { allocated[k][loop.dim] *= loop.size }
                }
                if entry.top && position[k] != count { return false }
            }
        }
        for k in ops.indices { starts[k][ops[k].n] = count }
        return true
    }

    private func tensorSize(_ k: Int) -> Int {
        var product = 1
        var mask = ops[k].rMask
        while mask != 0 {
            let d = mask.trailingZeroBitCount
            mask &= mask - 1
            product *= Numerics.ceilInt(scratchSizes[d])
        }
        for p in ops[k].pr {
            product *= Numerics.prSize(p.aScale, scratchSizes[p.a].rounded(.up), p.bScale, scratchSizes[p.b].rounded(.up))
        }
        return product
    }

    /// The odometer over candidate slices with the plain allocator's rule (last of equals wins).
    private func jointChoice(_ n: Int, capacity: Int) -> [Int] {
        var pick = [Int](repeating: 0, count: n)
        var best: [Int]?
        var bestAccesses = Double.infinity
        while true {
            var bits = 0
            var accesses = 0.0
            for k in 0..<n {
                bits += candidates[k][pick[k]].bits
                accesses += candidates[k][pick[k]].accesses
            }
            if bits <= capacity && accesses <= bestAccesses {
                bestAccesses = accesses
                best = (0..<n).map { candidates[$0][pick[$0]].index }
            }
            var k = n - 1
            while k >= 0 {
                pick[k] += 1
                if pick[k] < candidates[k].count { break }
                pick[k] = 0
                k -= 1
            }
            if k < 0 { break }
        }
        return best ?? [Int](repeating: 0, count: n)
    }

    /// Leading irrelevant loops of a level join the level below: the boundary moves up.
    private mutating func mergeDown() -> Bool {
        for k in ops.indices {
            let ir = ops[k].irMask
            var changed = true
            while changed {
                changed = false
                for l in stride(from: 1, to: ops[k].n, by: 1) {
                    while starts[k][l] < starts[k][l + 1], (ir >> order[starts[k][l]].dim) & 1 == 1 {
                        starts[k][l] += 1
                        changed = true
                    }
                }
            }
        }
        return true
    }

    // MARK: Quantities (§7), energy (§8), latency (§9)

    /// The per-level quantities of one operand that the costs read.
    struct Levels {
        var elemUnrolled: [Int], precision: [Int], topR: [Int], topIR: [Int], cyc: [Int]
        var psum: [Bool]
        var oir: [Double]
        var totalCycle = 1

        /// Buffers for an operand with n memory levels (arch levels 0…n, OirCAAL to n + 2).
        init(n: Int) {
            elemUnrolled = Array(repeating: 0, count: n + 1)
            precision = elemUnrolled
            topR = Array(repeating: 1, count: n + 1)
            topIR = topR
            cyc = topR
            psum = Array(repeating: false, count: n + 1)
            oir = Array(repeating: 1, count: n + 3)
        }
    }

    private var fracLevels: [Levels] = []
    private var intLevels: [Levels] = []

    private func fill(_ q: inout Levels, _ k: Int, integer: Bool) {
        let op = ops[k]
        let s = integer ? op.int : op.frac
        let n = op.n
        let st = starts[k]
        // cycles: cyc[0] = 1, cyc[a] = Π of T[0 ..< a].
        q.cyc[0] = 1
        for a in 1...n { q.cyc[a] = prefixProduct[st[a]] }
        q.totalCycle = prefixProduct[st[n]]
        q.topR[0] = 1
        q.topIR[0] = 1
        for l in 0..<n {
            var r = 1, ir = 1
            var j = st[l + 1] - 1
            while j >= st[l], (op.rMask >> order[j].dim) & 1 == 1 { r *= Int(order[j].size); j -= 1 }
            j = st[l + 1] - 1
            while j >= st[l], (op.irMask >> order[j].dim) & 1 == 1 { ir *= Int(order[j].size); j -= 1 }
            q.topR[l + 1] = r
            q.topIR[l + 1] = ir
        }
        // R2 (pr-decoupled as the plain model does, level by level) and its rounded cumulation.
        var cumA = [Double](repeating: 1, count: op.pr.count), cumB = cumA, ext = cumA
        q.elemUnrolled[0] = 1
        var acc = 1.0
        for a in 1...n {
            var r = 1.0
            func take(_ loop: CLoop) {
                if (op.rMask >> loop.dim) & 1 == 1 { r *= loop.size; return }
                guard (op.partnerMask >> loop.dim) & 1 == 1 else { return }
                for (i, p) in op.pr.enumerated() where p.a == loop.dim || p.b == loop.dim {
                    if p.a == loop.dim { cumA[i] *= loop.size } else { cumB[i] *= loop.size }
                    let e = Double(Numerics.prSize(p.aScale, cumA[i], p.bScale, cumB[i]))
                    r *= e / ext[i]
                    ext[i] = e
                    return
                }
            }
            for j in st[a - 1]..<st[a] { take(order[j]) }
            for loop in s.lists[a - 1] { take(loop) }
            acc *= r
            q.elemUnrolled[a] = Int(Numerics.round(acc))
        }
        // Output: partial-sum flags from the output-ir loops of L1 = T[a−1] ++ S[a], and OirCAAL.
        if op.isOutput {
            var irProduct = [Double](repeating: 1, count: n + 1)
            var flag = [Bool](repeating: false, count: n + 1)
            for a in 0...n {
                var ir = 1.0
                var f = false
                if a >= 1 {
                    for j in st[a - 1]..<st[a] where (op.rMask >> order[j].dim) & 1 == 0 {
                        ir *= order[j].size
                        if (op.irMask >> order[j].dim) & 1 == 1 && order[j].size > 1 { f = true }
                    }
                }
                for loop in s.lists[a] where (op.rMask >> loop.dim) & 1 == 0 {
                    ir *= loop.size
                    if (op.irMask >> loop.dim) & 1 == 1 && loop.size > 1 { f = true }
                }
                irProduct[a] = ir
                flag[a] = f
            }
            var above = false
            var product = 1.0
            for a in stride(from: n, through: 0, by: -1) {
                q.psum[a] = above
                above = above || flag[a]
                product *= irProduct[a]
                q.oir[a] = product
            }
            q.oir[n + 1] = 1
            q.oir[n + 2] = 1
            for a in 0...n { q.precision[a] = q.psum[a] ? op.precision : op.finalPrecision }
        } else {
            for a in 0...n { q.precision[a] = op.precision }
        }
    }

    struct Transfer {
        var amount = 0, period = 0, periodCount = 0, window = 0, precision = 0
    }

    /// §7.7 for operand k, level l, direction, as `OperandQuantities.periodicTransfers`.
    private func transfer(_ q: Levels, _ k: Int, _ l: Int, _ direction: Direction, integer: Bool) -> Transfer {
        let op = ops[k]
        let s = integer ? op.int : op.frac
        let top = l == op.n - 1
        func low() -> Transfer {
            Transfer(amount: q.elemUnrolled[l] * s.boost[l], period: q.cyc[l], periodCount: q.totalCycle / q.cyc[l],
                     window: q.cyc[l] / max(1, q.topIR[l]), precision: 0)
        }
        func high() -> Transfer {
            Transfer(amount: q.elemUnrolled[l + 1], period: q.cyc[l + 1], periodCount: q.totalCycle / q.cyc[l + 1],
                     window: q.cyc[l + 1] / max(1, q.topIR[l + 1]), precision: 0)
        }
        if op.isOutput {
            let psumDown = op.sizeElem * (q.oir[l + 1] - 1) != 0
            let psumUp = op.sizeElem * (q.oir[l + 2] - 1) != 0
            switch direction {
            case .wrInByLow:
                var t = low(); t.precision = psumDown ? op.precision : op.finalPrecision; return t
            case .rdOutToLow:
                var t = q.psum[l] ? low() : Transfer(); t.precision = psumDown ? op.precision : 0; return t
            case .rdOutToHigh:
                if top { return Transfer() }
                var t = high(); t.precision = psumUp ? op.precision : op.finalPrecision; return t
            case .wrInByHigh:
                if top { return Transfer() }
                var t = q.psum[l + 1] ? high() : Transfer(); t.precision = psumUp ? op.precision : 0; return t
            }
        }
        switch direction {
        case .rdOutToLow: var t = low(); t.precision = op.precision; return t
        case .wrInByHigh:
            if top { return Transfer() }
            var t = high(); t.precision = op.precision; return t
        default: return Transfer()
        }
    }

    private func words(_ q: Levels, _ k: Int, _ l: Int, _ direction: Direction) -> Double {
        let t = transfer(q, k, l, direction, integer: false)
        guard t.amount != 0, t.precision != 0 else { return 0 }
        let op = ops[k]
        let memory = mems[op.memories[l]]
        let read = direction.isRead
        let bw = Double(read ? memory.rBW : memory.wBW), bwMin = Double(read ? memory.rMin : memory.wMin)
        let app = Double(t.amount), p = Double(t.precision)
        let units = Double(op.frac.unitCount[l + 1])
        if !direction.isLow || l == 0 {
            return ((app * p) / bwMin).rounded(.up) * (bwMin / bw) * Double(t.periodCount) * units
        }
        let below = mems[op.memories[l - 1]]
        let opposite = Double(direction == .rdOutToLow ? below.wBW : below.rBW)
        let other = opposite * op.frac.unitUnique[l] / op.frac.unitUnique[l + 1]
        let perCycle = min(other / p, bw / p, app)
        let kk = (app / perCycle).rounded(.up)
        return ((perCycle * p) / bwMin).rounded(.up) * (bwMin / bw) * Double(t.periodCount) * kk * units
    }

    /// The objective's key, or +∞ as soon as the partial cost exceeds `bound`.
    mutating func cost(_ objective: Objective, bound: Double) -> Double {
        if fracLevels.count != ops.count {
            fracLevels = ops.map { Levels(n: $0.n) }
            intLevels = fracLevels
        }
        for k in ops.indices { fill(&fracLevels[k], k, integer: false) }
        var energy = 0.0
        if objective != .latency {
            // Summed in the plain evaluator's order: operand, level, direction.
            var memoryEnergy = 0.0
            for k in ops.indices {
                for l in 0..<ops[k].n {
                    let memory = mems[ops[k].memories[l]]
                    var e = 0.0
                    for direction in Direction.allCases {
                        e += words(fracLevels[k], k, l, direction) * (direction.isRead ? memory.rCost : memory.wCost)
                    }
                    memoryEnergy += e
                }
                if objective == .energy && macEnergy + memoryEnergy > bound { return .infinity }
            }
            energy = macEnergy + memoryEnergy
            if objective == .energy { return energy }
        }
        for k in ops.indices { fill(&intLevels[k], k, integer: true) }
        let latency = Double(latencyTotal2())
        return objective == .latency ? latency : energy * latency
    }

    // MARK: Latency

    private func doubleBufferFlags() -> [[Bool]] {
        var effUtil: [[Double]] = []
        effUtil.reserveCapacity(ops.count)
        for k in ops.indices {
            let q = fracLevels[k]
            var row: [Double] = []
            for l in 0..<ops[k].n {
                let effBits: Int = q.elemUnrolled[l + 1] * q.precision[l + 1] / max(1, q.topR[l + 1])
                row.append(Double(effBits) / Double(mems[ops[k].memories[l]].size))
            }
            effUtil.append(row)
        }
        var effShared = effUtil
        for m in mems.indices where mems[m].shared {
            var sum = 0.0
            var users: [(Int, Int)] = []
            for k in ops.indices { if let l = ops[k].memories.firstIndex(of: m) { sum += effUtil[k][l]; users.append((k, l)) } }
            for (k, l) in users { effShared[k][l] = sum }
        }
        var flags: [[Bool]] = []
        for k in ops.indices {
            var db = [false]
            for l in 0..<ops[k].n {
                let shared = effShared[k][l], own = effUtil[k][l]
                if shared <= 0.5 {
                    db.append(true)
                } else if own <= 1 - shared {
                    db.append(true)
                    let m = ops[k].memories[l]
                    for k2 in ops.indices { if let l2 = ops[k2].memories.firstIndex(of: m) { effShared[k2][l2] += own } }
                } else {
                    db.append(false)
                }
            }
            flags.append(db)
        }
        return flags
    }

    private func timing(_ k: Int, _ l: Int, _ direction: Direction, _ db: [[Bool]]) -> LayerEvaluator.DutyTiming {
        let t = transfer(intLevels[k], k, l, direction, integer: true)
        let memory = mems[ops[k].memories[l]]
        let buffered = direction.isLow ? db[k][l] : db[k][l + 1]
        let bw = direction.isRead ? memory.rBW : memory.wBW
        let real = Int((Double(t.amount * t.precision) / Double(bw)).rounded(.up))
        return .init(real: real, allowed: buffered ? t.period : t.window, period: t.period, periodCount: t.periodCount)
    }

    private func latencyTotal2() -> Int {
        let db = doubleBufferFlags()
        var combined = 0
        var records: [[Int: (real: Int, shared: Bool)]] = Array(repeating: [:], count: ops.count)
        var timed: [LayerEvaluator.DutyTiming] = []
        for (p, duties) in ports.enumerated() {
            timed.removeAll(keepingCapacity: true)
            for d in duties where d.level < ops[d.op].n {
                let t = timing(d.op, d.level, d.direction, db)
                guard t.periodCount > 0 else { continue }
                timed.append(t)
                if !ops[d.op].isOutput {
                    records[d.op][d.level * 4 + Self.directionIndex(d.direction)] = (t.real, portSharedByInputs[p])
                }
            }
            guard !timed.isEmpty else { continue }
            let portSS: Int
            if timed.count == 1 {
                portSS = (timed[0].real - timed[0].allowed) * (timed[0].periodCount - 1)
            } else {
                var positive = 0, negative = 0, muw = 0
                for t in timed {
                    let ss = (t.real - t.allowed) * (t.periodCount - 1)
                    if ss > 0 { positive += ss } else { negative += ss }
                    muw += t.allowed * (t.periodCount - 1)
                }
                portSS = positive + max(0, negative + muw - LayerEvaluator.memoryUpdateWindowUnion(timed))
            }
            combined = max(combined, portSS)
        }
        var individual = [Int](repeating: 0, count: ops.count), shared = individual, half = individual
        for k in inputIndices where ops[k].n >= 2 {
            for l in 0..<(ops[k].n - 1) {
                let a = records[k][l * 4 + Self.directionIndex(.wrInByHigh)]
                let b = records[k][(l + 1) * 4 + Self.directionIndex(.rdOutToLow)]
                let m = max(a?.real ?? 0, b?.real ?? 0)
                let sa = a?.shared ?? false, sb = b?.shared ?? false
                if !sa && !sb { individual[k] += m } else if sa && sb { shared[k] += m } else { half[k] = m }
            }
        }
        var onload = 0
        if inputIndices.count == 1 {
            onload = individual[inputIndices[0]]
        } else if inputIndices.count >= 2 {
            let (o1, o2) = (inputIndices[0], inputIndices[1])
            let p1 = shared[o1] + max(shared[o2] + half[o2] + individual[o2], half[o1] + individual[o1])
            let p2 = shared[o2] + max(shared[o1] + half[o1] + individual[o1], half[o2] + individual[o2])
            onload = min(p1, p2)
        }
        var offload = 0
        let out = ops[outputIndex]
        if out.n >= 2 {
            func real(_ l: Int, _ d: Direction) -> Int {
                let t = timing(outputIndex, l, d, db)
                return t.periodCount > 0 ? t.real : 0
            }
            let top = out.n - 2
            offload = max(real(top, .rdOutToHigh), real(top + 1, .wrInByLow))
            for l in 0..<top { offload += mems[out.memories[l + 1]].latency }
        }
        return intLevels[outputIndex].totalCycle + max(0, combined) + onload + offload
    }

    private static func directionIndex(_ d: Direction) -> Int {
        switch d {
        case .rdOutToLow: 0
        case .wrInByLow: 1
        case .rdOutToHigh: 2
        case .wrInByHigh: 3
        }
    }
}
