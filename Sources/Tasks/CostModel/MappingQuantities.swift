/// The quantities of one operand under one spatial and temporal mapping (model.md §4.4),
/// for arch levels `a = 0 … n` (MAC level, then the operand's n memory levels).
struct OperandQuantities {
    /// Layer operand name and whether it is the output.
    let op: String
    let isOutput: Bool
    /// Number of memory levels.
    let n: Int
    /// Indices into `core.memories`, innermost first.
    let memories: [Int]
    let temporal: [[Loop]]
    let cycleCABL: [Int]
    let totalCycle: Int
    let topR: [Int]
    let topIR: [Int]
    let psum: [Bool]
    let precision: [Int]
    let elemUnrolled: [Int]
    let bitsUnrolled: [Int]
    let effBits: [Int]
    /// Π of output-ir factors at and above each arch level (outputs), two trailing 1s.
    let oirCAAL: [Double]
    let unitCount: [Int]
    let unitUnique: [Double]
    /// `memBWBoost ++ [1]`.
    let boost: [Int]

    /// The periodic transfer of one (level, direction) (model.md §4.4).
    struct Transfer {
        var averageBandwidth = 0.0
        var period = 0
        var periodCount = 0
        var amount = 0
        var window = 0
        var precision = 0
    }

    /// `transfers[l][direction]` for memory level l.
    private(set) var transfers: [[Direction: Transfer]] = []

    init(layer: Layer, op: String, memories: [Int], temporal: [[Loop]], spatial: SpatialMapping) {
        self.op = op
        isOutput = op == layer.output
        self.memories = memories
        n = memories.count
        self.temporal = temporal
        let relevance = layer.relevance[op] ?? Relevance(r: [], ir: [], pr: [])
        let plainR = Set(relevance.r), plainIR = Set(relevance.ir)
        let reformedR = relevance.reformedR, reformedIR = relevance.reformedIR
        let S = spatial.lists[op] ?? Array(repeating: [], count: memories.count + 1)

        // model.md §4.4 cycles and top loops.
        var cycles: [Int] = []
        var running = 1
        for level in temporal {
            for loop in level { running *= Int(loop.size) }
            cycles.append(running)
        }
        cycleCABL = cycles
        totalCycle = cycles.last ?? 1
        func topRun(_ level: [Loop], _ set: Set<String>) -> Int {
            var product = 1
            for loop in level.reversed() {
                guard set.contains(loop.dim) else { break }
                product *= Int(loop.size)
            }
            return product
        }
        topR = [1] + temporal.map { topRun($0, plainR) }
        topIR = [1] + temporal.map { topRun($0, plainIR) }

        // model.md §4.4 combined lists, decoupled, and their products.
        let padded = [[]] + temporal + [[]]
        let L1 = LoopLists.decouple((0...n).map { padded[$0] + S[$0] }, relevance)
        let L2 = LoopLists.decouple([[]] + (1...max(1, n)).map { padded[$0] + S[$0 - 1] }, relevance)
        func split(_ level: [Loop]) -> (r: Double, ir: Double) {
            var r = 1.0, ir = 1.0
            for loop in level { if reformedR.contains(loop.dim) { r *= loop.size } else { ir *= loop.size } }
            return (r, ir)
        }
        let p1 = L1.map(split), p2 = L2.map(split)
        var r2c: [Double] = []
        var acc = 1.0
        for a in 0...n {
            acc *= a < p2.count ? p2[a].r : 1
            r2c.append(Numerics.round(acc))
        }
        var oir = Array(repeating: 1.0, count: n + 3)
        acc = 1.0
        for a in stride(from: n, through: 0, by: -1) {
            acc *= p1[a].ir
            oir[a] = acc
        }
        oirCAAL = oir

        // model.md §4.4 partial sums: an output-ir loop of size > 1 strictly above the level.
        let irFlag = L1.map { level in level.contains { reformedIR.contains($0.dim) && $0.size > 1 } }
        var psum = Array(repeating: false, count: n + 1)
        if isOutput {
            var above = false
            for a in stride(from: n, through: 0, by: -1) {
                psum[a] = above
                above = above || irFlag[a]
            }
        }
        self.psum = psum
        let own = layer.precision[op] ?? 0
        let isOutput = self.isOutput
        let precision = (0...n).map { a in isOutput && !psum[a] ? layer.outputFinalPrecision : own }
        self.precision = precision

        // model.md §4.4 data held.
        let elems = r2c.map { Int($0) }
        let bits = (0...n).map { elems[$0] * precision[$0] }
        let topR = self.topR
        elemUnrolled = elems
        bitsUnrolled = bits
        effBits = (0...n).map { bits[$0] / max(1, topR[$0]) }
        unitCount = spatial.unitCount[op] ?? Array(repeating: 1, count: n + 1)
        unitUnique = spatial.unitUnique[op] ?? Array(repeating: 1, count: n + 1)
        boost = (spatial.memBWBoost[op] ?? Array(repeating: 1, count: n)) + [1]

        transfers = (0..<n).map { l in periodicTransfers(level: l, layer: layer) }
    }

    /// model.md §4.4 for memory level l, with the precisions of model.md §4.4.
    private func periodicTransfers(level l: Int, layer: Layer) -> [Direction: Transfer] {
        let cyc = [1] + cycleCABL
        func bwL(_ a: Int) -> Double { Double(elemUnrolled[a]) / Double(cyc[a]) }
        func low() -> Transfer {
            var t = Transfer()
            t.averageBandwidth = bwL(l) * Double(boost[l])
            t.period = cyc[l]
            t.periodCount = totalCycle / cyc[l]
            t.amount = elemUnrolled[l] * boost[l]
            t.window = t.period / max(1, topIR[l])
            return t
        }
        func high() -> Transfer {
            var t = Transfer()
            t.averageBandwidth = bwL(l + 1)
            t.period = cyc[l + 1]
            t.periodCount = totalCycle / cyc[l + 1]
            t.amount = elemUnrolled[l + 1]
            t.window = t.period / max(1, topIR[l + 1])
            return t
        }
        let top = l == n - 1
        var result: [Direction: Transfer] = [:]
        if isOutput {
            let sizeElem = Double(layer.sizeElements(op))
            let psumDown = sizeElem * (oirCAAL[l + 1] - 1) != 0
            let psumUp = sizeElem * (oirCAAL[l + 2] - 1) != 0
            let partial = layer.precision[op] ?? 0, final = layer.outputFinalPrecision
            var wrInByLow = low(), rdOutToHigh = high()
            wrInByLow.precision = psumDown ? partial : final
            rdOutToHigh.precision = psumUp ? partial : final
            var rdOutToLow = psum[l] ? wrInByLow : Transfer()
            rdOutToLow.precision = psumDown ? partial : 0
            var wrInByHigh = psum[l + 1] ? rdOutToHigh : Transfer()
            wrInByHigh.precision = psumUp ? partial : 0
            result[.wrInByLow] = wrInByLow
            result[.rdOutToLow] = rdOutToLow
            result[.rdOutToHigh] = top ? Transfer() : rdOutToHigh
            result[.wrInByHigh] = top ? Transfer() : wrInByHigh
        } else {
            let p = layer.precision[op] ?? 0
            var rdOutToLow = low(), wrInByHigh = high()
            rdOutToLow.precision = p
            wrInByHigh.precision = p
            result[.rdOutToLow] = rdOutToLow
            result[.wrInByHigh] = top ? Transfer() : wrInByHigh
        }
        return result
    }

    func transfer(_ l: Int, _ direction: Direction) -> Transfer { transfers[l][direction] ?? Transfer() }
}

/// model.md §4.4 stationarity merge-down: leading operand-irrelevant loops of a level move to the top of
/// the level below, as long as anything moves.
func mergeDown(_ temporal: [[Loop]], irrelevant: Set<String>) -> [[Loop]] {
    var levels = temporal
    var changed = true
    while changed {
        changed = false
        for l in levels.indices where l > 0 {
            while let first = levels[l].first, irrelevant.contains(first.dim) {
                levels[l].removeFirst()
                levels[l - 1].append(first)
                changed = true
            }
        }
    }
    return levels
}
