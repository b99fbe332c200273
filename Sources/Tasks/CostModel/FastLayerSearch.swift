/// The production LOMA search: the same orderings in the same order as `PlainLayerSearch`,
/// with the same arithmetic, on a compiled form of the layer (dimensions as small integers,
/// relevance as bit masks, temporal levels as index ranges into the ordering, every table a
/// flat array allocated once), so that the inner loop allocates and retains nothing. Two
/// further savings, both exact:
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
        var permutations = MultisetPermutations(elements: lpfs).makeIterator()
        let sorted = permutations.sortedValues
        guard var compiled = CompiledLayer(layer: layer, core: core, evaluator: evaluator, loops: sorted) else {
            // Layers outside the compiled form's assumptions (an output with pr dims) use the plain search.
            return try PlainLayerSearch.run(layer: layer, core: core, lpfLimit: lpfLimit, objective: objective)
        }
        var indices = [Int](repeating: 0, count: sorted.count)
        var best = Double.infinity
        var bestIndices: [Int]?
        var evaluated = 0
        while permutations.next(into: &indices) {
            guard compiled.load(indices) else { continue }
            evaluated += 1
            let cost = compiled.cost(objective, bound: best)
            if cost < best {
                best = cost
                bestIndices = indices
            }
        }
        guard let bestIndices else { throw .hierarchyTooSmall(layer: layer.id) }
        let ordering = bestIndices.map { sorted[$0] }
        let allocator = Allocator(layer: layer, core: core, spatial: evaluator.spatial)
        guard let tm = try? allocator.allocate(ordering) else { throw .hierarchyTooSmall(layer: layer.id) }
        return LayerSearchResult(evaluation: evaluator.evaluate(tm), ordering: ordering, orderingsEvaluated: evaluated, lpfs: lpfs)
    }
}

/// A layer on a core, compiled for evaluating many orderings. Per-operand, per-level values live
/// in flat arrays indexed by `level(k, a) = levelStart[k] + a` (a = 0 … n_k).
struct CompiledLayer {
    struct CLoop {
        var dim: Int
        var size: Double
    }

    struct PR {
        var a: Int, aScale: Int, b: Int, bScale: Int
    }

    struct PortDuty {
        var op: Int, level: Int, direction: Int
    }

    // MARK: Static tables

    let opCount: Int
    let dimCount: Int
    let outputIndex = 0
    let isOutput: [Bool]
    let levels: [Int]              // n_k
    let levelStart: [Int]          // into per-level arrays (n_k + 1 entries each)
    let oirStart: [Int]            // into OirCAAL arrays (n_k + 3 entries each)
    let memoryOf: [Int]            // core memory of (k, l), at levelStart[k] + l
    let rMask: [UInt32], irMask: [UInt32], partnerMask: [UInt32]
    let prList: [PR], prStart: [Int]   // prStart has opCount + 1 entries
    let precision: [Int], finalPrecision: [Int], sizeElem: [Double]
    // Spatial lists (fractional, integer twin): loops of (k, a) are spLoops[spStart[i] ..< spStart[i + 1]].
    let spLoops: [CLoop], spStart: [Int]
    let spLoopsInt: [CLoop], spStartInt: [Int]
    let unitCount: [Int], unitUnique: [Double], boost: [Int], boostInt: [Int]
    // Memories.
    let memSize: [Int], memRBW: [Int], memWBW: [Int], memRMin: [Int], memWMin: [Int]
    let memRCost: [Double], memWCost: [Double], memLatency: [Int], memShared: [Bool]
    let memOps: [(op: Int, top: Bool)], memOpsStart: [Int]
    // Ports.
    let duties: [PortDuty], portStart: [Int], portShared: [Bool]
    let macEnergy: Double
    let loops: [CLoop]             // the LPFs, sorted, as loops

    // MARK: Per-ordering state (allocated once)

    var order: [CLoop]
    var suffixProduct: [Double]
    var suffixHasOutputIR: [Bool]
    var prefixProduct: [Int]
    var starts: [Int]              // start of temporal level l of k at levelStart[k] + l; the count at + n_k
    var allocated: [Double]        // k * dimCount + d
    var scratch: [Double]
    var candIndex: [Int], candBits: [Int], candAccess: [Double], candCount: [Int]
    var pick: [Int], bestPick: [Int]
    // Quantities, fractional (f) and integer twin (i).
    var elemF: [Int], precF: [Int], topRF: [Int], topIRF: [Int], cycF: [Int], psumF: [Bool], oirF: [Double], totalF: [Int]
    var elemI: [Int], precI: [Int], topRI: [Int], topIRI: [Int], cycI: [Int], psumI: [Bool], oirI: [Double], totalI: [Int]
    var cumA: [Double], cumB: [Double], ext: [Double]
    var irProduct: [Double], irFlag: [Bool]
    var effUtil: [Double], effShared: [Double], doubleBuffered: [Bool]
    var recordReal: [Int], recordShared: [Bool], recordSet: [Bool]
    var timed: [LayerEvaluator.DutyTiming]

    init?(layer: Layer, core: Core, evaluator: LayerEvaluator, loops sorted: [LPF]) {
        var dims: [String: Int] = [:]
        func dim(_ name: String) -> Int {
            if let d = dims[name] { return d }
            dims[name] = dims.count
            return dims.count - 1
        }
        for l in layer.loopSizes { _ = dim(l.dim) }
        for l in sorted { _ = dim(l.dim) }
        for r in layer.relations { _ = dim(r.a); _ = dim(r.b) }
        for u in layer.spatialMapping { _ = dim(u.loopDim) }
        let names = layer.operands.map(\.name)
        var isOutput: [Bool] = [], levels: [Int] = [], levelStart: [Int] = [], oirStart: [Int] = [], memoryOf: [Int] = []
        var rMask: [UInt32] = [], irMask: [UInt32] = [], partnerMask: [UInt32] = []
        var prList: [PR] = [], prStart: [Int] = []
        var precision: [Int] = [], finalPrecision: [Int] = [], sizeElem: [Double] = []
        var spLoops: [CLoop] = [], spStart: [Int] = [], spLoopsInt: [CLoop] = [], spStartInt: [Int] = []
        var unitCount: [Int] = [], unitUnique: [Double] = [], boost: [Int] = [], boostInt: [Int] = []
        var levelTotal = 0, oirTotal = 0
        for name in names {
            let rel = layer.relevance[name] ?? Relevance(r: [], ir: [], pr: [])
            let output = name == layer.output
            if output && !rel.pr.isEmpty { return nil }
            let memories = evaluator.memoriesOf[name] ?? []
            let n = memories.count
            isOutput.append(output)
            levels.append(n)
            levelStart.append(levelTotal)
            oirStart.append(oirTotal)
            levelTotal += n + 1
            oirTotal += n + 3
            memoryOf += memories + [-1]
            let r = rel.r.reduce(UInt32(0)) { $0 | 1 << dim($1) }
            let ir = rel.ir.reduce(UInt32(0)) { $0 | 1 << dim($1) }
            rMask.append(r)
            irMask.append(ir)
            prStart.append(prList.count)
            var partners: UInt32 = 0
            for p in rel.pr {
                prList.append(PR(a: dim(p.a), aScale: p.aScale, b: dim(p.b), bScale: p.bScale))
                partners |= (1 << dim(p.a)) | (1 << dim(p.b))
            }
            partnerMask.append(partners & ~(r | ir))
            precision.append(layer.precision[name] ?? 0)
            finalPrecision.append(layer.outputFinalPrecision)
            sizeElem.append(Double(layer.sizeElements(name)))
            for a in 0...n {
                spStart.append(spLoops.count)
                spLoops += (evaluator.spatial.lists[name]?[a] ?? []).map { CLoop(dim: dim($0.dim), size: $0.size) }
                spStartInt.append(spLoopsInt.count)
                spLoopsInt += (evaluator.spatialInt.lists[name]?[a] ?? []).map { CLoop(dim: dim($0.dim), size: $0.size) }
            }
            unitCount += evaluator.spatial.unitCount[name] ?? Array(repeating: 1, count: n + 1)
            unitUnique += evaluator.spatial.unitUnique[name] ?? Array(repeating: 1, count: n + 1)
            boost += (evaluator.spatial.memBWBoost[name] ?? Array(repeating: 1, count: n)) + [1]
            boostInt += (evaluator.spatialInt.memBWBoost[name] ?? Array(repeating: 1, count: n)) + [1]
        }
        guard dims.count <= 32, names.count <= 4, unitCount.count == levelTotal, unitUnique.count == levelTotal else { return nil }
        prStart.append(prList.count)
        spStart.append(spLoops.count)
        spStartInt.append(spLoopsInt.count)

        var byMemOp: [String: Int] = [:]
        for (k, name) in names.enumerated() { if let m = layer.memoryOperandLinks[name] { byMemOp[m] = k } }
        var memOps: [(op: Int, top: Bool)] = [], memOpsStart: [Int] = []
        for (m, memory) in core.memories.enumerated() {
            memOpsStart.append(memOps.count)
            for k in memory.operands.compactMap({ byMemOp[$0] }) {
                memOps.append((k, memoryOf[levelStart[k] + levels[k] - 1] == m))
            }
        }
        memOpsStart.append(memOps.count)
        let inputMemOps = Set(layer.inputs.compactMap { layer.memoryOperandLinks[$0] })
        var duties: [PortDuty] = [], portStart: [Int] = [], portShared: [Bool] = []
        for memory in core.memories {
            for port in memory.ports {
                portStart.append(duties.count)
                for d in port.duties {
                    if let k = byMemOp[d.memoryOperand], d.level < levels[k] {
                        duties.append(PortDuty(op: k, level: d.level, direction: Self.index(d.direction)))
                    }
                }
                portShared.append(inputMemOps.count >= 2 && inputMemOps.isSubset(of: Set(port.duties.map(\.memoryOperand))))
            }
        }
        portStart.append(duties.count)

        opCount = names.count
        dimCount = max(1, dims.count)
        self.isOutput = isOutput; self.levels = levels; self.levelStart = levelStart; self.oirStart = oirStart
        self.memoryOf = memoryOf; self.rMask = rMask; self.irMask = irMask; self.partnerMask = partnerMask
        self.prList = prList; self.prStart = prStart
        self.precision = precision; self.finalPrecision = finalPrecision; self.sizeElem = sizeElem
        self.spLoops = spLoops; self.spStart = spStart; self.spLoopsInt = spLoopsInt; self.spStartInt = spStartInt
        self.unitCount = unitCount; self.unitUnique = unitUnique; self.boost = boost; self.boostInt = boostInt
        memSize = core.memories.map(\.size); memRBW = core.memories.map(\.readBandwidth); memWBW = core.memories.map(\.writeBandwidth)
        memRMin = core.memories.map(\.readGranularity); memWMin = core.memories.map(\.writeGranularity)
        memRCost = core.memories.map(\.readCost); memWCost = core.memories.map(\.writeCost)
        memLatency = core.memories.map(\.latency); memShared = core.memories.map { $0.operands.count > 1 }
        self.memOps = memOps; self.memOpsStart = memOpsStart
        self.duties = duties; self.portStart = portStart; self.portShared = portShared
        macEnergy = core.macEnergy * Double(layer.macCount)
        loops = sorted.map { CLoop(dim: dims[$0.dim] ?? 0, size: Double($0.factor)) }

        let count = sorted.count
        order = Array(repeating: CLoop(dim: 0, size: 1), count: count)
        suffixProduct = Array(repeating: 1, count: count + 1)
        suffixHasOutputIR = Array(repeating: false, count: count + 1)
        prefixProduct = Array(repeating: 1, count: count + 1)
        starts = Array(repeating: 0, count: levelTotal)
        allocated = Array(repeating: 1, count: opCount * dimCount)
        scratch = Array(repeating: 1, count: dimCount)
        let maxShare = max(1, core.memories.map(\.operands.count).max() ?? 1)
        candIndex = Array(repeating: 0, count: maxShare * (count + 1))
        candBits = candIndex
        candAccess = Array(repeating: 0, count: maxShare * (count + 1))
        candCount = Array(repeating: 0, count: maxShare)
        pick = Array(repeating: 0, count: maxShare)
        bestPick = pick
        elemF = Array(repeating: 0, count: levelTotal); precF = elemF; topRF = elemF; topIRF = elemF; cycF = elemF
        psumF = Array(repeating: false, count: levelTotal); oirF = Array(repeating: 1, count: oirTotal)
        totalF = Array(repeating: 1, count: opCount)
        elemI = elemF; precI = elemF; topRI = elemF; topIRI = elemF; cycI = elemF; psumI = psumF; oirI = oirF; totalI = totalF
        cumA = Array(repeating: 1, count: max(1, prList.count)); cumB = cumA; ext = cumA
        irProduct = Array(repeating: 1, count: levelTotal); irFlag = Array(repeating: false, count: levelTotal)
        effUtil = Array(repeating: 0, count: levelTotal); effShared = effUtil
        doubleBuffered = Array(repeating: false, count: levelTotal)
        recordReal = Array(repeating: 0, count: levelTotal * 4)
        recordShared = Array(repeating: false, count: levelTotal * 4)
        recordSet = recordShared
        timed = []
        timed.reserveCapacity(duties.count)
    }

    static func index(_ d: Direction) -> Int {
        switch d {
        case .rdOutToLow: 0
        case .wrInByLow: 1
        case .rdOutToHigh: 2
        case .wrInByHigh: 3
        }
    }

    @inline(__always) static func isRead(_ d: Int) -> Bool { d == 0 || d == 2 }
    @inline(__always) static func isLow(_ d: Int) -> Bool { d <= 1 }
    @inline(__always) func bit(_ mask: UInt32, _ d: Int) -> Bool { (mask >> UInt32(d)) & 1 == 1 }

    // MARK: Allocation (§6.5) and merge-down (§7.1)

    /// Takes an ordering (indices into the sorted LPFs) and allocates it; false when it does not fit.
    mutating func load(_ indices: [Int]) -> Bool {
        let count = indices.count
        for i in 0..<count { order[i] = loops[indices[i]] }
        let oIR = irMask[outputIndex]
        suffixProduct[count] = 1
        suffixHasOutputIR[count] = false
        // The plain allocator divides the product of what remains by each allocated loop; with
        // whole factors every intermediate is exact, so the product from the end is identical.
        for i in stride(from: count - 1, through: 0, by: -1) {
            suffixHasOutputIR[i] = suffixHasOutputIR[i + 1] || bit(oIR, order[i].dim)
            suffixProduct[i] = suffixProduct[i + 1] * order[i].size
        }
        prefixProduct[0] = 1
        for i in 0..<count { prefixProduct[i + 1] = prefixProduct[i] * Int(order[i].size) }
        guard allocate() else { return false }
        mergeDown()
        return true
    }

    private mutating func allocate() -> Bool {
        let count = order.count
        var position = (0, 0, 0, 0)  // per operand (≤ 4), as a tuple to stay off the heap
        var levelIndex = (0, 0, 0, 0)
        for k in 0..<opCount {
            for d in 0..<dimCount { allocated[k * dimCount + d] = 1 }
            let i = levelStart[k]
            for s in spStart[i]..<spStart[i + 1] { allocated[k * dimCount + spLoops[s].dim] *= spLoops[s].size }
        }
        for m in 0..<memSize.count where memOpsStart[m] < memOpsStart[m + 1] {
            let capacity = memSize[m]
            let shareCount = memOpsStart[m + 1] - memOpsStart[m]
            for c in 0..<shareCount {
                let (k, top) = memOps[memOpsStart[m] + c]
                let pos = Self.get(position, k)
                let prec = isOutput[k] ? (suffixHasOutputIR[pos] ? precision[k] : finalPrecision[k]) : precision[k]
                for d in 0..<dimCount { scratch[d] = allocated[k * dimCount + d] }
                let base = c * (count + 1)
                var n = 0
                var i = 0
                while true {
                    if i > 0 { scratch[order[pos + i - 1].dim] *= order[pos + i - 1].size }
                    let bits = tensorSize(k) * prec
                    if bits > capacity { break }
                    candIndex[base + n] = i
                    candBits[base + n] = bits
                    candAccess[base + n] = suffixProduct[pos + i] * Double(bits)
                    n += 1
                    if pos + i == count { break }
                    i += 1
                }
                if n == 0 { return false }
                if top {
                    candIndex[base] = candIndex[base + n - 1]
                    candBits[base] = candBits[base + n - 1]
                    candAccess[base] = 0
                    n = 1
                }
                candCount[c] = n
            }
            jointChoice(shareCount, capacity: capacity, stride: count + 1)
            for c in 0..<shareCount {
                let (k, top) = memOps[memOpsStart[m] + c]
                let take = bestPick[c]
                let level = Self.get(levelIndex, k)
                let pos = Self.get(position, k)
                starts[levelStart[k] + level] = pos
                for j in pos..<(pos + take) { allocated[k * dimCount + order[j].dim] *= order[j].size }
                Self.set(&position, k, pos + take)
                Self.set(&levelIndex, k, level + 1)
                if level + 1 <= levels[k] {
                    let i = levelStart[k] + level + 1
                    for s in spStart[i]..<spStart[i + 1] { allocated[k * dimCount + spLoops[s].dim] *= spLoops[s].size }
                }
                if top && pos + take != count { return false }
            }
        }
        for k in 0..<opCount { starts[levelStart[k] + levels[k]] = count }
        return true
    }

    @inline(__always) static func get(_ t: (Int, Int, Int, Int), _ k: Int) -> Int {
        switch k { case 0: t.0 case 1: t.1 case 2: t.2 default: t.3 }
    }

    @inline(__always) static func set(_ t: inout (Int, Int, Int, Int), _ k: Int, _ v: Int) {
        switch k { case 0: t.0 = v case 1: t.1 = v case 2: t.2 = v default: t.3 = v }
    }

    private func tensorSize(_ k: Int) -> Int {
        var product = 1
        var mask = rMask[k]
        while mask != 0 {
            let d = mask.trailingZeroBitCount
            mask &= mask - 1
            product *= Numerics.ceilInt(scratch[d])
        }
        for p in prStart[k]..<prStart[k + 1] {
            let r = prList[p]
            product *= Numerics.prSize(r.aScale, scratch[r.a].rounded(.up), r.bScale, scratch[r.b].rounded(.up))
        }
        return product
    }

    /// The odometer over candidate slices with the plain allocator's rule (last of equals wins);
    /// leaves the chosen loop counts in `bestPick`.
    private mutating func jointChoice(_ n: Int, capacity: Int, stride: Int) {
        for c in 0..<n { pick[c] = 0; bestPick[c] = 0 }
        var bestAccesses = Double.infinity
        while true {
            var bits = 0
            var accesses = 0.0
            for c in 0..<n {
                bits += candBits[c * stride + pick[c]]
                accesses += candAccess[c * stride + pick[c]]
            }
            if bits <= capacity && accesses <= bestAccesses {
                bestAccesses = accesses
                for c in 0..<n { bestPick[c] = candIndex[c * stride + pick[c]] }
            }
            var c = n - 1
            while c >= 0 {
                pick[c] += 1
                if pick[c] < candCount[c] { break }
                pick[c] = 0
                c -= 1
            }
            if c < 0 { break }
        }
    }

    /// Leading irrelevant loops of a level join the level below: its start moves up.
    private mutating func mergeDown() {
        for k in 0..<opCount where levels[k] > 1 {
            let ir = irMask[k], s = levelStart[k]
            var changed = true
            while changed {
                changed = false
                for l in 1..<levels[k] {
                    while starts[s + l] < starts[s + l + 1], bit(ir, order[starts[s + l]].dim) {
                        starts[s + l] += 1
                        changed = true
                    }
                }
            }
        }
    }

    // MARK: Quantities (§7)

    /// Fills the per-level quantities of operand k (fractional or integer twin).
    private mutating func fill(_ k: Int, integer: Bool) {
        let n = levels[k], s = levelStart[k], o = oirStart[k]
        let r = rMask[k], ir = irMask[k], partners = partnerMask[k]
        var cyc0 = 1
        var elem = 1, acc = 1.0
        // a = 0
        setQ(integer, s, elem: 1, cyc: 1, topR: 1, topIR: 1)
        for p in prStart[k]..<prStart[k + 1] { cumA[p] = 1; cumB[p] = 1; ext[p] = 1 }
        for a in 1...n {
            let t0 = starts[s + a - 1], t1 = starts[s + a]
            cyc0 = prefixProduct[t1]
            var topR = 1, topIR = 1
            var j = t1 - 1
            while j >= t0, bit(r, order[j].dim) { topR *= Int(order[j].size); j -= 1 }
            j = t1 - 1
            while j >= t0, bit(ir, order[j].dim) { topIR *= Int(order[j].size); j -= 1 }
            // R2[a] over T[a−1] ++ S[a−1], pr-decoupled in order, then the rounded cumulation.
            var rp = 1.0
            for j in t0..<t1 { rp *= relevantFactor(k, order[j], r, partners) }
            let si = s + a - 1
            let (lo, hi) = integer ? (spStartInt[si], spStartInt[si + 1]) : (spStart[si], spStart[si + 1])
            for x in lo..<hi { rp *= relevantFactor(k, integer ? spLoopsInt[x] : spLoops[x], r, partners) }
            acc *= rp
            elem = Int(Numerics.round(acc))
            setQ(integer, s + a, elem: elem, cyc: cyc0, topR: topR, topIR: topIR)
        }
        if integer { totalI[k] = prefixProduct[starts[s + n]] } else { totalF[k] = prefixProduct[starts[s + n]] }
        if isOutput[k] {
            // Partial-sum flags and OirCAAL from L1[a] = T[a−1] ++ S[a].
            for a in 0...n {
                var irp = 1.0
                var flag = false
                if a >= 1 {
                    for j in starts[s + a - 1]..<starts[s + a] where !bit(r, order[j].dim) {
                        irp *= order[j].size
                        if bit(ir, order[j].dim) && order[j].size > 1 { flag = true }
                    }
                }
                let (lo, hi) = integer ? (spStartInt[s + a], spStartInt[s + a + 1]) : (spStart[s + a], spStart[s + a + 1])
                for x in lo..<hi {
                    let loop = integer ? spLoopsInt[x] : spLoops[x]
                    if bit(r, loop.dim) { continue }
                    irp *= loop.size
                    if bit(ir, loop.dim) && loop.size > 1 { flag = true }
                }
                irProduct[s + a] = irp
                irFlag[s + a] = flag
            }
            var above = false
            var product = 1.0
            for a in stride(from: n, through: 0, by: -1) {
                product *= irProduct[s + a]
                if integer {
                    psumI[s + a] = above; oirI[o + a] = product
                    precI[s + a] = above ? precision[k] : finalPrecision[k]
                } else {
                    psumF[s + a] = above; oirF[o + a] = product
                    precF[s + a] = above ? precision[k] : finalPrecision[k]
                }
                above = above || irFlag[s + a]
            }
            if integer { oirI[o + n + 1] = 1; oirI[o + n + 2] = 1 } else { oirF[o + n + 1] = 1; oirF[o + n + 2] = 1 }
        } else {
            for a in 0...n { if integer { precI[s + a] = precision[k] } else { precF[s + a] = precision[k] } }
        }
    }

    @inline(__always)
    private mutating func setQ(_ integer: Bool, _ i: Int, elem: Int, cyc: Int, topR: Int, topIR: Int) {
        if integer { elemI[i] = elem; cycI[i] = cyc; topRI[i] = topR; topIRI[i] = topIR }
        else { elemF[i] = elem; cycF[i] = cyc; topRF[i] = topR; topIRF[i] = topIR }
    }

    /// A loop's factor in the reformed-r product: its size if r, its P_r growth if it is a pr
    /// partner (updating the cumulative partner sizes), else 1.
    @inline(__always)
    private mutating func relevantFactor(_ k: Int, _ loop: CLoop, _ r: UInt32, _ partners: UInt32) -> Double {
        if bit(r, loop.dim) { return loop.size }
        guard bit(partners, loop.dim) else { return 1 }
        for p in prStart[k]..<prStart[k + 1] where prList[p].a == loop.dim || prList[p].b == loop.dim {
            let rel = prList[p]
            if rel.a == loop.dim { cumA[p] *= loop.size } else { cumB[p] *= loop.size }
            let e = Double(Numerics.prSize(rel.aScale, cumA[p], rel.bScale, cumB[p]))
            let factor = e / ext[p]
            ext[p] = e
            return factor
        }
        return 1
    }

    struct Transfer {
        var amount = 0, period = 0, periodCount = 0, window = 0, precision = 0
    }

    /// §7.7 for operand k, memory level l, direction d (index), as `OperandQuantities`.
    @inline(__always)
    private func transfer(_ k: Int, _ l: Int, _ d: Int, integer: Bool) -> Transfer {
        let s = levelStart[k]
        let top = l == levels[k] - 1
        let total = integer ? totalI[k] : totalF[k]
        // Element accessors that pick the twin without copying the arrays (no retain).
        func elem(_ i: Int) -> Int { integer ? elemI[i] : elemF[i] }
        func cyc(_ i: Int) -> Int { integer ? cycI[i] : cycF[i] }
        func topIR(_ i: Int) -> Int { integer ? topIRI[i] : topIRF[i] }
        func low() -> Transfer {
            let b = integer ? boostInt[s + l] : boost[s + l]
            return Transfer(amount: elem(s + l) * b, period: cyc(s + l), periodCount: total / cyc(s + l),
                            window: cyc(s + l) / max(1, topIR(s + l)), precision: 0)
        }
        func high() -> Transfer {
            Transfer(amount: elem(s + l + 1), period: cyc(s + l + 1), periodCount: total / cyc(s + l + 1),
                     window: cyc(s + l + 1) / max(1, topIR(s + l + 1)), precision: 0)
        }
        if isOutput[k] {
            let o = oirStart[k]
            let oirDown = integer ? oirI[o + l + 1] : oirF[o + l + 1]
            let oirUp = integer ? oirI[o + l + 2] : oirF[o + l + 2]
            let psumHere = integer ? psumI[s + l] : psumF[s + l]
            let psumAbove = integer ? psumI[s + l + 1] : psumF[s + l + 1]
            let psumDown = sizeElem[k] * (oirDown - 1) != 0
            let psumUp = sizeElem[k] * (oirUp - 1) != 0
            switch d {
            case 1: var t = low(); t.precision = psumDown ? precision[k] : finalPrecision[k]; return t
            case 0: var t = psumHere ? low() : Transfer(); t.precision = psumDown ? precision[k] : 0; return t
            case 2:
                if top { return Transfer() }
                var t = high(); t.precision = psumUp ? precision[k] : finalPrecision[k]; return t
            default:
                if top { return Transfer() }
                var t = psumAbove ? high() : Transfer(); t.precision = psumUp ? precision[k] : 0; return t
            }
        }
        switch d {
        case 0: var t = low(); t.precision = precision[k]; return t
        case 3:
            if top { return Transfer() }
            var t = high(); t.precision = precision[k]; return t
        default: return Transfer()
        }
    }

    // MARK: Energy (§8)

    private func words(_ k: Int, _ l: Int, _ d: Int) -> Double {
        let t = transfer(k, l, d, integer: false)
        guard t.amount != 0, t.precision != 0 else { return 0 }
        let m = memoryOf[levelStart[k] + l]
        let read = Self.isRead(d)
        let bw = Double(read ? memRBW[m] : memWBW[m]), bwMin = Double(read ? memRMin[m] : memWMin[m])
        let app = Double(t.amount), p = Double(t.precision)
        let units = Double(unitCount[levelStart[k] + l + 1])
        if !Self.isLow(d) || l == 0 {
            return LayerEvaluator.wordsPerTransfer(bits: app * p, granularity: bwMin, width: bw) * Double(t.periodCount) * units
        }
        let below = memoryOf[levelStart[k] + l - 1]
        let opposite = Double(d == 0 ? memWBW[below] : memRBW[below])
        let other = opposite * unitUnique[levelStart[k] + l] / unitUnique[levelStart[k] + l + 1]
        let perCycle = min(other / p, bw / p, app)
        let kk = (app / perCycle).rounded(.up)
        return LayerEvaluator.wordsPerTransfer(bits: perCycle * p, granularity: bwMin, width: bw) * Double(t.periodCount) * kk * units
    }

    /// The objective's key, or +∞ as soon as the partial cost exceeds `bound`.
    mutating func cost(_ objective: Objective, bound: Double) -> Double {
        for k in 0..<opCount { fill(k, integer: false) }
        var energy = 0.0
        if objective != .latency {
            // Summed in the plain evaluator's order: operand, level, direction.
            var memoryEnergy = 0.0
            for k in 0..<opCount {
                for l in 0..<levels[k] {
                    let m = memoryOf[levelStart[k] + l]
                    var e = 0.0
                    for d in 0..<4 { e += words(k, l, d) * (Self.isRead(d) ? memRCost[m] : memWCost[m]) }
                    memoryEnergy += e
                }
                if objective == .energy && macEnergy + memoryEnergy > bound { return .infinity }
            }
            energy = macEnergy + memoryEnergy
            if objective == .energy { return energy }
        }
        for k in 0..<opCount { fill(k, integer: true) }
        // Latency terms are ≥ 0 too: stop after the stalls when they alone exceed the bound.
        let latencyBound = objective == .latency ? bound : (energy > 0 ? bound / energy : .infinity)
        guard let total = latencyTotal2(bound: latencyBound) else { return .infinity }
        let latency = Double(total)
        return objective == .latency ? latency : energy * latency
    }

    // MARK: Latency (§9)

    private mutating func doubleBufferFlags() {
        for k in 0..<opCount {
            let s = levelStart[k]
            for l in 0..<levels[k] {
                let effBits = elemF[s + l + 1] * precF[s + l + 1] / max(1, topRF[s + l + 1])
                effUtil[s + l] = Double(effBits) / Double(memSize[memoryOf[s + l]])
                effShared[s + l] = effUtil[s + l]
            }
        }
        for m in 0..<memSize.count where memShared[m] {
            var sum = 0.0
            for k in 0..<opCount {
                for l in 0..<levels[k] where memoryOf[levelStart[k] + l] == m { sum += effUtil[levelStart[k] + l] }
            }
            for k in 0..<opCount {
                for l in 0..<levels[k] where memoryOf[levelStart[k] + l] == m { effShared[levelStart[k] + l] = sum }
            }
        }
        for k in 0..<opCount {
            let s = levelStart[k]
            doubleBuffered[s] = false
            for l in 0..<levels[k] {
                let shared = effShared[s + l], own = effUtil[s + l]
                if shared <= 0.5 {
                    doubleBuffered[s + l + 1] = true
                } else if own <= 1 - shared {
                    doubleBuffered[s + l + 1] = true
                    let m = memoryOf[s + l]
                    for k2 in 0..<opCount {
                        for l2 in 0..<levels[k2] where memoryOf[levelStart[k2] + l2] == m { effShared[levelStart[k2] + l2] += own }
                    }
                } else {
                    doubleBuffered[s + l + 1] = false
                }
            }
        }
    }

    private func timing(_ k: Int, _ l: Int, _ d: Int) -> LayerEvaluator.DutyTiming {
        let t = transfer(k, l, d, integer: true)
        let m = memoryOf[levelStart[k] + l]
        let buffered = Self.isLow(d) ? doubleBuffered[levelStart[k] + l] : doubleBuffered[levelStart[k] + l + 1]
        let bw = Self.isRead(d) ? memRBW[m] : memWBW[m]
        let real = Int((Double(t.amount * t.precision) / Double(bw)).rounded(.up))
        return .init(real: real, allowed: buffered ? t.period : t.window, period: t.period, periodCount: t.periodCount)
    }

    /// latencyTotal2, or nil as soon as a partial sum exceeds `bound` (the ordering is worse
    /// than the best so far).
    private mutating func latencyTotal2(bound: Double) -> Int? {
        doubleBufferFlags()
        for i in recordSet.indices { recordSet[i] = false }
        var combined = 0
        for p in 0..<(portStart.count - 1) {
            timed.removeAll(keepingCapacity: true)
            for i in portStart[p]..<portStart[p + 1] {
                let duty = duties[i]
                let t = timing(duty.op, duty.level, duty.direction)
                guard t.periodCount > 0 else { continue }
                timed.append(t)
                if !isOutput[duty.op] {
                    let r = (levelStart[duty.op] + duty.level) * 4 + duty.direction
                    recordReal[r] = t.real
                    recordShared[r] = portShared[p]
                    recordSet[r] = true
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
        if Double(totalI[outputIndex] + max(0, combined)) > bound { return nil }
        // On-loading (§9.6).
        var individual = (0, 0, 0, 0), shared = (0, 0, 0, 0), half = (0, 0, 0, 0)
        for k in 1..<opCount where levels[k] >= 2 {
            for l in 0..<(levels[k] - 1) {
                let a = (levelStart[k] + l) * 4 + 3, b = (levelStart[k] + l + 1) * 4 + 0
                let m = max(recordSet[a] ? recordReal[a] : 0, recordSet[b] ? recordReal[b] : 0)
                let sa = recordSet[a] && recordShared[a], sb = recordSet[b] && recordShared[b]
                if !sa && !sb { Self.set(&individual, k, Self.get(individual, k) + m) }
                else if sa && sb { Self.set(&shared, k, Self.get(shared, k) + m) }
                else { Self.set(&half, k, m) }
            }
        }
        var onload = 0
        if opCount == 2 {
            onload = Self.get(individual, 1)
        } else if opCount >= 3 {
            let s1 = shared.1, s2 = shared.2, h1 = half.1, h2 = half.2, i1 = individual.1, i2 = individual.2
            let p1 = s1 + max(s2 + h2 + i2, h1 + i1)
            let p2 = s2 + max(s1 + h1 + i1, h2 + i2)
            onload = min(p1, p2)
        }
        // Off-loading (§9.7).
        var offload = 0
        let n = levels[outputIndex]
        if n >= 2 {
            func real(_ l: Int, _ d: Int) -> Int {
                let t = timing(outputIndex, l, d)
                return t.periodCount > 0 ? t.real : 0
            }
            let top = n - 2
            offload = max(real(top, 2), real(top + 1, 1))
            for l in 0..<top { offload += memLatency[memoryOf[levelStart[outputIndex] + l + 1]] }
        }
        return totalI[outputIndex] + max(0, combined) + onload + offload
    }
}
