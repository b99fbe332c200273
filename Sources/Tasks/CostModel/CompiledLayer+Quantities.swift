/// Per-operand, per-level quantities of the loaded ordering (model.md §4.4).
extension CompiledLayer {
    // MARK: Quantities (model.md §4.4)

    /// Fills the per-level quantities of operand k (fractional or integer twin).
    mutating func fill(_ k: Int, integer: Bool) {
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
                let (lo, hi) = integer ? (spStartInt[s + a], spStartInt[s + a + 1]) : (spStart[s + a],
                    spStart[s + a + 1])
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
    mutating func setQ(_ integer: Bool, _ i: Int, elem: Int, cyc: Int, topR: Int, topIR: Int) {
        if integer { elemI[i] = elem; cycI[i] = cyc; topRI[i] = topR; topIRI[i] = topIR }
        else { elemF[i] = elem; cycF[i] = cyc; topRF[i] = topR; topIRF[i] = topIR }
    }

    /// A loop's factor in the reformed-r product: its size if r, its P_r growth if it is a pr
    /// partner (updating the cumulative partner sizes), else 1.
    @inline(__always)
    mutating func relevantFactor(_ k: Int, _ loop: CLoop, _ r: UInt32, _ partners: UInt32) -> Double {
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

    /// model.md §4.4 for operand k, memory level l, direction d, as `OperandQuantities`.
    @inline(__always)
    func transfer(_ k: Int, _ l: Int, _ d: Direction, integer: Bool) -> Transfer {
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
            case .wrInByLow: var t = low(); t.precision = psumDown ? precision[k] : finalPrecision[k]; return t
            case .rdOutToLow: var t = psumHere ? low() : Transfer(); t.precision = psumDown ? precision[k] : 0; return t
            case .rdOutToHigh:
                if top { return Transfer() }
                var t = high(); t.precision = psumUp ? precision[k] : finalPrecision[k]; return t
            case .wrInByHigh:
                if top { return Transfer() }
                var t = psumAbove ? high() : Transfer(); t.precision = psumUp ? precision[k] : 0; return t
            }
        }
        switch d {
        case .rdOutToLow: var t = low(); t.precision = precision[k]; return t
        case .wrInByHigh:
            if top { return Transfer() }
            var t = high(); t.precision = precision[k]; return t
        case .wrInByLow, .rdOutToHigh: return Transfer()
        }
    }
}
