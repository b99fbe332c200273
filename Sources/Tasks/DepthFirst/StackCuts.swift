/// Where a network is split into trunks because the weights would not fit on chip
/// (model.md §5.1).
public enum StackCuts {
    /// Undividable units in topological order: a residual block with its skip edge stays whole.
    static func units(_ network: Network) -> [[Int]] {
        guard let first = network.nodes.first else { return [] }
        var units: [[Int]] = []
        var current = [first.id]
        var branches = 1
        for node in network.nodes.dropFirst() {
            let inDegree = Set(node.sources.map(\.producer)).count
            branches -= inDegree - 1
            current.append(node.id)
            if branches == 1 {
                units.append(current)
                current = []
            }
            branches += network.consumers(of: node.id).count - 1
        }
        if !current.isEmpty { units.append(current) }
        return units
    }

    /// The capacity of the largest on-chip weight memory: the second-highest level of the weight
    /// memory operand (taken from the first layer with a constant operand).
    static func weightCapacity(_ network: Network, _ core: Core) -> Int? {
        for node in network.nodes {
            guard let layer = node.layer else { continue }
            guard let constant = node.constantOperands.first, let operand = layer.memoryOperandLinks[constant] else {
                continue
            }
            let chain = core.levels(of: operand)
            return chain.count >= 2 ? core.memories[chain[chain.count - 2]].size : nil
        }
        return nil
    }

    /// The forward pass (ACCO form): a cut after the last node that still fits, and every layer
    /// of a unit that alone exceeds the capacity as its own trunk.
    public static func forward(_ network: Network, _ core: Core) -> [Int] {
        guard let maxS = weightCapacity(network, core) else { return [] }
        return pass(units(network), network, maxS: maxS, boundary: { $0.last! })
    }

    /// ACCO's reverse pass over the reversed units; a recorded node i becomes the cut after the
    /// node before it (i − 1 in the reference's consecutively numbered files; an ONNX model's ids
    /// are its node indices, with gaps where operators were folded).
    public static func reverse(_ network: Network, _ core: Core) -> [Int] {
        guard let maxS = weightCapacity(network, core) else { return [] }
        let order = network.nodes.map(\.id)
        let before = { (id: Int) -> Int in
            guard let i = order.firstIndex(of: id), i > 0 else { return id - 1 }
            return order[i - 1]
        }
        return pass(units(network).reversed(), network, maxS: maxS, boundary: { $0.first! }).map(before).sorted()
    }

    private static func pass<S: Sequence>(_ units: S, _ network: Network, maxS: Int, boundary: ([Int]) -> Int) -> [Int]
    where S.Element == [Int] {
        var cuts: [Int] = []
        var running = 0
        var last: Int?
        for unit in units {
            let w = unit.reduce(0) { $0 + (network.node($1)?.weightBits ?? 0) }
            if running + w > maxS {
                if w > maxS {
                    if let last, running != 0, cuts.last != last { cuts.append(last) }
                    cuts += unit
                    running = 0
                } else {
                    if let last { cuts.append(last) }
                    running = w
                }
            } else {
                running += w
            }
            last = boundary(unit)
        }
        return cuts
    }
}
