/// Energy of the loaded ordering, with the bound that abandons worse orderings (model.md §4.5).
extension CompiledLayer {
    // MARK: Energy (model.md §4.5)

    func words(_ k: Int, _ l: Int, _ d: Direction) -> Double {
        let t = transfer(k, l, d, integer: false)
        guard t.amount != 0, t.precision != 0 else { return 0 }
        let m = memoryOf[levelStart[k] + l]
        let read = d.isRead
        let bw = Double(read ? memRBW[m] : memWBW[m]), bwMin = Double(read ? memRMin[m] : memWMin[m])
        let app = Double(t.amount), p = Double(t.precision)
        let units = Double(unitCount[levelStart[k] + l + 1])
        if !d.isLow || l == 0 {
            return LayerEvaluator.wordsPerTransfer(bits: app * p, granularity: bwMin,
                                                   width: bw) * Double(t.periodCount) * units
        }
        let below = memoryOf[levelStart[k] + l - 1]
        let opposite = Double(d == .rdOutToLow ? memWBW[below] : memRBW[below])
        let other = opposite * unitUnique[levelStart[k] + l] / unitUnique[levelStart[k] + l + 1]
        let perCycle = min(other / p, bw / p, app)
        let kk = (app / perCycle).rounded(.up)
        return LayerEvaluator.wordsPerTransfer(bits: perCycle * p, granularity: bwMin,
                                               width: bw) * Double(t.periodCount) * kk * units
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
                    for d in Direction.allCases { e += words(k, l, d) * (d.isRead ? memRCost[m] : memWCost[m]) }
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
}
