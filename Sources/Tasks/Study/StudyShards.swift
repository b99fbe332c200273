/// `run --shard I/N`: a deterministic share of a study's work for one of N machines (or Slurm array
/// tasks), so that N runs sharing a (remote) cache together compute the study once, and a final
/// unsharded run only allocates.
///
/// What is divided is the trunk nodes with their stack nodes: the stack evaluations and the layer
/// searches they ask for are nearly all of a study's time, the allocations are cheap and need
/// every trunk. Shares are balanced by an estimate of each stack's cost, not by node counts (a
/// ten-layer trunk at a small tile costs far more than a one-layer trunk at the whole width):
/// longest first, each to the least-loaded shard (ties: the lower shard), in graph order among
/// equal costs. The same study gives every machine the same assignment.
public enum StudyShards {
    /// A stack evaluation's cost estimate: its layers times the distinct tile types it evaluates
    /// (at most three columns by three rows of them: first, middle, last), each type searching
    /// every layer once.
    public static func cost(_ trunk: Network, tileX: Int, tileY: Int) -> Double {
        cost(Shape(trunk), tileX: tileX, tileY: tileY)
    }

    /// What the estimate needs of a trunk, taken once per range (a study asks for every tile).
    public struct Shape: Sendable {
        var layers: Int
        /// The output's width and height; nil for a trunk without an output node.
        var output: (x: Int, y: Int)?

        public init(_ trunk: Network) {
            layers = trunk.nodes.reduce(0) { $0 + ($1.isInput ? 0 : 1) }
            output = trunk.outputNode.map { ($0.size("OX"), $0.size("OY")) }
        }
    }

    public static func cost(_ shape: Shape, tileX: Int, tileY: Int) -> Double {
        guard let out = shape.output else { return Double(shape.layers) }
        let columns = (out.x + max(1, tileX) - 1) / max(1, tileX)
        let rows = (out.y + max(1, tileY) - 1) / max(1, tileY)
        return Double(shape.layers * min(3, max(1, columns)) * min(3, max(1, rows)))
    }

    /// The shard (0..<count) of each item, from its cost.
    public static func assign(costs: [Double], count: Int) -> [Int] {
        var load = [Double](repeating: 0, count: max(1, count))
        var shard = [Int](repeating: 0, count: costs.count)
        let order = costs.indices.sorted { costs[$0] != costs[$1] ? costs[$0] > costs[$1] : $0 < $1 }
        for i in order {
            var best = 0
            for s in load.indices where load[s] < load[best] { best = s }
            shard[i] = best
            load[best] += costs[i]
        }
        return shard
    }

    /// `I/N` as the command line writes it: 0 ≤ I < N ≤ 10,000.
    public static func parse(_ text: String) -> (index: Int, count: Int)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 10_000, i >= 0, i < n
        else { return nil }
        return (i, n)
    }
}
