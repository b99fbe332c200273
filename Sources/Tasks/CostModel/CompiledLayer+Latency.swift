/// Latency of the loaded ordering (model.md §4.6).
extension CompiledLayer {
    // MARK: Latency (model.md §4.6)

    mutating func doubleBufferFlags() {
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
                        for l2 in 0..<levels[k2] where memoryOf[levelStart[k2] + l2] == m {
                            effShared[levelStart[k2] + l2] += own
                        }
                    }
                } else {
                    doubleBuffered[s + l + 1] = false
                }
            }
        }
    }

    func timing(_ k: Int, _ l: Int, _ d: Direction) -> LayerEvaluator.DutyTiming {
        let t = transfer(k, l, d, integer: true)
        let m = memoryOf[levelStart[k] + l]
        let buffered = d.isLow ? doubleBuffered[levelStart[k] + l] : doubleBuffered[levelStart[k] + l + 1]
        let bw = d.isRead ? memRBW[m] : memWBW[m]
        let real = Int((Double(t.amount * t.precision) / Double(bw)).rounded(.up))
        return .init(real: real, allowed: buffered ? t.period : t.window, period: t.period, periodCount: t.periodCount)
    }

    /// latencyTotal2, or nil as soon as a partial sum exceeds `bound` (the ordering is worse
    /// than the best so far).
    mutating func latencyTotal2(bound: Double) -> Int? {
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
                    let r = Self.record(levelStart[duty.op] + duty.level, duty.direction)
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
        // On-loading (model.md §4.6).
        var individual = (0, 0, 0, 0), shared = (0, 0, 0, 0), half = (0, 0, 0, 0)
        for k in 1..<opCount where levels[k] >= 2 {
            for l in 0..<(levels[k] - 1) {
                let a = Self.record(levelStart[k] + l, .wrInByHigh), b = Self.record(levelStart[k] + l + 1, .rdOutToLow)
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
        // Off-loading (model.md §4.6).
        var offload = 0
        let n = levels[outputIndex]
        if n >= 2 {
            func real(_ l: Int, _ d: Direction) -> Int {
                let t = timing(outputIndex, l, d)
                return t.periodCount > 0 ? t.real : 0
            }
            let top = n - 2
            offload = max(real(top, .rdOutToHigh), real(top + 1, .wrInByLow))
            for l in 0..<top { offload += memLatency[memoryOf[levelStart[outputIndex] + l + 1]] }
        }
        return totalI[outputIndex] + max(0, combined) + onload + offload
    }
}
