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
        var op: Int, level: Int, direction: Direction
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
    var elemF: [Int], precF: [Int], topRF: [Int], topIRF: [Int], cycF: [Int], psumF: [Bool], oirF: [Double],
        totalF: [Int]
    var elemI: [Int], precI: [Int], topRI: [Int], topIRI: [Int], cycI: [Int], psumI: [Bool], oirI: [Double],
        totalI: [Int]
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
        var isOutput: [Bool] = [], levels: [Int] = [], levelStart: [Int] = [], oirStart: [Int] = [],
            memoryOf: [Int] = []
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
                spLoopsInt += (evaluator.spatialInt.lists[name]?[a] ?? []).map {
                    CLoop(dim: dim($0.dim), size: $0.size)
                }
            }
            unitCount += evaluator.spatial.unitCount[name] ?? Array(repeating: 1, count: n + 1)
            unitUnique += evaluator.spatial.unitUnique[name] ?? Array(repeating: 1, count: n + 1)
            boost += (evaluator.spatial.memBWBoost[name] ?? Array(repeating: 1, count: n)) + [1]
            boostInt += (evaluator.spatialInt.memBWBoost[name] ?? Array(repeating: 1, count: n)) + [1]
        }
        guard dims.count <= 32, names.count <= 4, unitCount.count == levelTotal, unitUnique.count == levelTotal else {
            return nil
        }
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
                        duties.append(PortDuty(op: k, level: d.level, direction: d.direction))
                    }
                }
                let served = Set(port.duties.map(\.memoryOperand))
                portShared.append(inputMemOps.count >= 2 && inputMemOps.isSubset(of: served))
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
        memSize = core.memories.map(\.size)
        memRBW = core.memories.map(\.readBandwidth); memWBW = core.memories.map(\.writeBandwidth)
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
        elemI = elemF; precI = elemF; topRI = elemF; topIRI = elemF; cycI = elemF
        psumI = psumF; oirI = oirF; totalI = totalF
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

    /// Where a (level, direction) record lives in the flat per-direction tables.
    @inline(__always) static func record(_ level: Int, _ d: Direction) -> Int { level * 4 + d.index }
    @inline(__always) func bit(_ mask: UInt32, _ d: Int) -> Bool { (mask >> UInt32(d)) & 1 == 1 }
}
