/// A candidate fused trunk: the layers after `after` through `through` (nil = open end).
public struct LayerRange: Sendable, Hashable, Codable, CustomStringConvertible {
    public var after: Int?
    public var through: Int?

    public init(after: Int?, through: Int?) { self.after = after; self.through = through }

    public var description: String { "(\(after.map(String.init) ?? "none"), \(through.map(String.init) ?? "none"))" }
}

/// ACCO's range enumeration (model.md §6.2), in the reference's order.
public enum RangeEnumeration {
    public static func ranges(_ network: Network, forcedCuts: [Int], maxCuts: Int) -> [LayerRange] {
        let layers = network.nodes.filter { !$0.isInput }.map(\.id)
        guard let last = layers.last else { return [] }
        let forced = Set(forcedCuts).subtracting([-1, last])
        let candidates = layers.filter { $0 != last && !forced.contains($0) }
        // The number of contiguous ranges within the forced segments.
        var limit = 0
        var segment = 0
        for id in layers {
            segment += 1
            if forced.contains(id) { limit += segment * (segment + 1) / 2; segment = 0 }
        }
        limit += segment * (segment + 1) / 2
        var seen = Set<LayerRange>()
        var out: [LayerRange] = []
        for k in 0...min(max(0, maxCuts), candidates.count) {  // no combination has more cuts than candidates
            for combination in combinations(candidates, k) {
                for r in ranges(of: Array(forced.union(combination)).sorted()) where seen.insert(r).inserted {
                    out.append(r)
                }
            }
            if out.count >= limit { break }
        }
        let valid = ResidualRule(network)
        return out.filter(valid.admits)
    }

    /// ACCO's Step-3 cut lists (model.md §6.6): every combination of up to `maxCuts` cut ids merged
    /// with the forced cuts, sorted, in combination order; a list is kept when all its ranges pass
    /// the residual rule. Each list's ranges are `zip([none] + cuts, cuts + [none])`.
    public static func cutLists(_ network: Network, forcedCuts: [Int], maxCuts: Int) -> [[Int]] {
        let layers = network.nodes.filter { !$0.isInput }.map(\.id)
        guard let last = layers.last else { return [] }
        let forced = Set(forcedCuts).subtracting([-1, last])
        let candidates = layers.filter { $0 != last && !forced.contains($0) }
        let valid = ResidualRule(network)
        var seen = Set<[Int]>()
        var out: [[Int]] = []
        for k in 0...min(max(0, maxCuts), candidates.count) {  // no combination has more cuts than candidates
            for combination in combinations(candidates, k) {
                let cuts = Array(forced.union(combination)).sorted()
                if ranges(of: cuts).allSatisfy(valid.admits) && seen.insert(cuts).inserted { out.append(cuts) }
            }
        }
        return out
    }

    /// The trunks of a sorted cut list.
    public static func ranges(of cuts: [Int]) -> [LayerRange] {
        zip([nil] + cuts.map { Optional($0) }, cuts.map { Optional($0) } + [nil]).map {
            LayerRange(after: $0, through: $1)
        }
    }

    /// Residual filter (model.md §6.2): a range containing a multi-output node must end on one; a
    /// range cannot start after the last layer.
    struct ResidualRule {
        let layers: [Int]
        let multi: Set<Int>

        init(_ network: Network) {
            layers = network.nodes.filter { !$0.isInput }.map(\.id)
            multi = Set(network.nodes.map(\.id).filter { network.consumers(of: $0).count > 1 })
        }

        func admits(_ r: LayerRange) -> Bool {
            if let a = r.after, a == layers.last { return false }
            let inside = layers.filter { id in
                (r.after.map { id > $0 } ?? true) && (r.through.map { id <= $0 } ?? true)
            }
            guard let end = inside.last else { return false }
            return !inside.contains(where: multi.contains) || multi.contains(end)
        }
    }

    /// k-combinations in itertools order.
    static func combinations(_ items: [Int], _ k: Int) -> [[Int]] {
        if k == 0 { return [[]] }
        guard k <= items.count else { return [] }
        var out: [[Int]] = []
        var index = Array(0..<k)
        while true {
            out.append(index.map { items[$0] })
            var i = k - 1
            while i >= 0 && index[i] == i + items.count - k { i -= 1 }
            if i < 0 { break }
            index[i] += 1
            for j in (i + 1)..<k { index[j] = index[j - 1] + 1 }
        }
        return out
    }
}
