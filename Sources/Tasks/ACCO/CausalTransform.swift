/// ACCO's causal (TCN-style) transform along time (model.md §6.1): every time stride becomes a
/// dilation of all later layers, so every layer runs at the input frame rate. OY/IY is time.
struct CausalTransform {
    /// The transformed network (extents not yet back-propagated).
    var network: Network
    /// Time dilation entering and leaving each node.
    var dilationIn: [Int: Int] = [:]
    var dilationOut: [Int: Int] = [:]
    /// The dilation after the last node.
    var finalDilation: Int

    init(_ source: Network, initialDilation: Int) {
        network = source
        var d = initialDilation
        for i in network.nodes.indices {
            guard var layer = network.nodes[i].layer else { continue }
            let id = network.nodes[i].id
            guard let r = layer.relations.firstIndex(where: { $0.pr == "IY" }) else {
                dilationIn[id] = d
                dilationOut[id] = d
                continue
            }
            dilationIn[id] = d
            let relation = layer.relations[r]
            // iy = s·oy + d·fy: the stride is folded into the dilation of everything after.
            let (s, kernelDilation) = relation.a == "OY" ? (relation.aScale, relation.bScale) : (relation.bScale,
                relation.aScale)
            let newDilation = kernelDilation * d
            if s != 1 { d *= s }
            dilationOut[id] = d
            var relations = layer.relations
            relations[r] = relation.a == "OY"
                ? Relation(pr: "IY", a: relation.a, aScale: 1, b: relation.b, bScale: newDilation)
                : Relation(pr: "IY", a: relation.a, aScale: newDilation, b: relation.b, bScale: 1)
            // Rebuilt from the file record: the relevance keeps the file sizes (model.md §2.2).
            if let rebuilt = try? Layer(id: layer.id, name: layer.name, equation: layer.equation,
                                        relations: relations.map(\.text),
                                        loopSizes: layer.loopSizes, precision: layer.precision,
                                        operandSource: layer.operandSource,
                                        constantOperands: layer.constantOperands, spatialMapping: layer.spatialMapping,
                                        memoryOperandLinks: layer.memoryOperandLinks,
                                        relevanceSizes: layer.relevanceSizes) {
                layer = rebuilt
            }
            network.nodes[i].layer = layer
        }
        finalDilation = d
    }
}

/// The trunks of an ACCO study for one workload: each range of the untransformed network,
/// transformed with the dilation it has inside the whole causal network (model.md §6.1).
public struct CausalTrunks: Sendable {
    /// The untransformed network at full size (the V-cache widths use it).
    public let fullSize: Network
    public let dilationInFull: [Int: Int]
    public let dilationOutFull: [Int: Int]
    public let frameAmount: Int
    /// The dilation each trunk starts from: `nil` (the reference's `−1`) takes the one its first
    /// layer has in the whole causal network; a user value overrides it (model.md §6.1).
    public let initialDilation: Int?
    /// False for an image CNN (DeFiNES' use): no transform, every trunk the range of the network
    /// at full size, evaluated once over the whole input.
    public let causal: Bool

    public init(network: Network, frameAmount: Int = 1, initialDilation: Int? = nil, causal: Bool = true) {
        fullSize = network.fullSize()
        self.causal = causal
        let whole = CausalTransform(fullSize, initialDilation: 1)
        dilationInFull = causal ? whole.dilationIn : [:]
        dilationOutFull = causal ? whole.dilationOut : [:]
        self.frameAmount = causal ? frameAmount : 1
        self.initialDilation = causal ? initialDilation : nil
    }

    /// Whether the range is evaluated: a user initial dilation larger than the one the range's
    /// first layer has in the whole network skips it (model.md §6.1).
    public func admits(after a: Int?, through b: Int?) -> Bool {
        guard let user = initialDilation else { return true }
        guard let cut = try? untransformed(after: a, through: b),
            let first = cut.nodes.first(where: { !$0.isInput }) else {
            return false
        }
        return user <= dilationInFull[first.id] ?? 1
    }

    /// The untransformed layers after `a` through `b`: all that the V-cache widths read from the
    /// full network, so a trunk's task parameters need not carry the whole network.
    public func untransformed(after a: Int?, through b: Int?) throws(StackError) -> Network {
        try fullSize.substack(after: a, through: b)
    }

    /// The transformed trunk of the layers after `a` through `b`, at its full extents.
    public func trunk(after a: Int?, through b: Int?) throws(StackError) -> Network {
        let cut = try untransformed(after: a, through: b)
        guard let first = cut.nodes.first(where: { !$0.isInput }), let out = cut.outputNode else {
            throw StackError(description: "the range has no layer")
        }
        guard causal else { return cut }
        var transformed = CausalTransform(cut,
                                          initialDilation: initialDilation ?? dilationInFull[first.id] ?? 1).network
        guard let o = transformed.index(of: out.id), let full = fullSize.node(out.id) else {
            throw StackError(description: "no output")
        }
        transformed.nodes[o].setSize("OX", full.size("OX"))
        transformed.nodes[o].setSize("OY", full.size("OY") * (dilationOutFull[out.id] ?? 1))
        transformed.nodes[o].setSize("B", frameAmount)
        return transformed.fullSize()
    }
}
