/// Loading one ordering: allocation to the memory levels and merge-down (model.md §4.3).
extension CompiledLayer {
    // MARK: Allocation (model.md §4.3) and merge-down (model.md §4.4)

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

    mutating func allocate() -> Bool {
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

    func tensorSize(_ k: Int) -> Int {
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
    mutating func jointChoice(_ n: Int, capacity: Int, stride: Int) {
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
    mutating func mergeDown() {
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
}
