/// One loop of a mapping: a dimension and its size. Spatial unrolls may be fractional
/// (model.md §4.1); temporal loops are whole prime factors or their products.
public struct Loop: Sendable, Hashable, CustomStringConvertible {
    public var dim: String
    public var size: Double

    public init(_ dim: String, _ size: Double) { self.dim = dim; self.size = size }

    public var description: String {
        size == size.rounded() ? "\(dim)\(Int(size))" : "\(dim)\(size)"
    }
}

enum LoopLists {
    /// Product of sizes per dimension.
    static func sizesByDim<S: Sequence>(_ loops: S) -> [String: Double] where S.Element == Loop {
        var sizes: [String: Double] = [:]
        for loop in loops { sizes[loop.dim, default: 1] *= loop.size }
        return sizes
    }

    static func product<S: Sequence>(_ loops: S) -> Double where S.Element == Loop {
        loops.reduce(1.0) { $0 * $1.size }
    }

    /// pr decoupling (model.md §4.1): every loop over a partner of a pr dim `P` (that is not
    /// itself r or ir for the operand) becomes `(P_r, growth of P's extent)` followed by
    /// `(P_ir, growth of the reuse)`, tracking the cumulative partner sizes across the levels in
    /// order.
    static func decouple(_ lists: [[Loop]], _ relevance: Relevance) -> [[Loop]] {
        guard !relevance.pr.isEmpty else { return lists }
        let plain = Set(relevance.r).union(relevance.ir)
        struct State { var cumA = 1.0, cumB = 1.0, ext = 1.0, reuse = 1.0 }
        var states = Array(repeating: State(), count: relevance.pr.count)
        return lists.map { level in
            var out: [Loop] = []
            out.reserveCapacity(level.count)
            for loop in level {
                guard !plain.contains(loop.dim),
                      let k = relevance.pr.firstIndex(where: { $0.a == loop.dim || $0.b == loop.dim })
                else {
                    out.append(loop)
                    continue
                }
                let relation = relevance.pr[k]
                if relation.a == loop.dim { states[k].cumA *= loop.size } else { states[k].cumB *= loop.size }
                let ext = Double(Numerics.prSize(relation.aScale, states[k].cumA, relation.bScale, states[k].cumB))
                let reuse = states[k].cumA * states[k].cumB / ext
                out.append(Loop(relation.pr + "_r", ext / states[k].ext))
                out.append(Loop(relation.pr + "_ir", reuse / states[k].reuse))
                states[k].ext = ext
                states[k].reuse = reuse
            }
            return out
        }
    }
}

extension Loop: PairCoding {
    var pairName: String { dim }
    var pairNumber: Double { size }
}
