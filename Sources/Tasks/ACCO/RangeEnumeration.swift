/// A candidate fused trunk: the layers after `after` through `through` (nil = open end).
public struct LayerRange: Sendable, Hashable, CustomStringConvertible {
    public var after: Int?
    public var through: Int?

    public init(after: Int?, through: Int?) { self.after = after; self.through = through }

    public var description: String { "(\(after.map(String.init) ?? "none"), \(through.map(String.init) ?? "none"))" }
}

/// ACCO's range enumeration (acco.md §3), in the reference's order.
public enum RangeEnumeration {
    public static func ranges(_ network: Network, forcedCuts: [Int], maxCuts: Int) -> [LayerRange] {
        let layers = network.nodes.filter { !$0.isInput }.map(\.id)
        guard let last = layers.last else { return [] }
        let forced = Set(forcedCuts).subtracting([-1, last])
        let candidates = network.nodes.map(\.id).filter { $0 != -1 && $0 != last && !forced.contains($0) && !(network.node($0)?.isInput ?? true) }
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
        for k in 0...max(0, maxCuts) {
            for combination in combinations(candidates, k) {
                let cuts = Array(forced.union(combination)).sorted()
                var bounds: [Int?] = [nil]
                bounds += cuts.map { Optional($0) }
                bounds.append(nil)
                for i in 0..<(bounds.count - 1) {
                    let r = LayerRange(after: bounds[i], through: bounds[i + 1])
                    if seen.insert(r).inserted { out.append(r) }
                }
            }
            if out.count >= limit { break }
        }
        // Residual filter: a range containing a multi-output node must end on one.
        let multi = Set(network.nodes.map(\.id).filter { network.consumers(of: $0).count > 1 })
        return out.filter { r in
            if let a = r.after, a == last { return false }
            let inside = layers.filter { id in (r.after.map { id > $0 } ?? true) && (r.through.map { id <= $0 } ?? true) }
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
