extension Network {
    /// Ids of `id` and everything it (transitively) consumes.
    func ancestors(of id: Int) -> Set<Int> {
        var seen: Set<Int> = [id]
        var stack = [id]
        while let n = stack.popLast() {
            for p in node(n)?.sources.map(\.producer) ?? [] where seen.insert(p).inserted { stack.append(p) }
        }
        return seen
    }

    /// Ids of `id` and everything that (transitively) consumes it.
    func descendants(of id: Int) -> Set<Int> {
        var seen: Set<Int> = [id]
        var stack = [id]
        while let n = stack.popLast() {
            for c in consumers(of: n) where seen.insert(c).inserted { stack.append(c) }
        }
        return seen
    }

    /// The trunk of the layers after `a` through `b` (model.md §5.1; nil = open end).
    /// Producers cut away are replaced by input nodes whose extents are what their consumers read:
    /// spatial dims the maximum, channel-like dims the minimum (`substackInputChannelMin`).
    public func substack(after a: Int?, through b: Int?) throws(StackError) -> Network {
        var nodes = self.nodes
        if let a {
            let removed = ancestors(of: a)
            nodes.removeAll { removed.contains($0.id) }
            var nextID = (self.nodes.map(\.id).min() ?? 0) - 1
            var replacements: [Int: Int] = [:]
            var inputs: [Node] = []
            for producer in self.nodes.map(\.id) where removed.contains(producer) {
                let consumers = nodes.filter { n in n.sources.contains { $0.producer == producer } }
                guard !consumers.isEmpty else { continue }
                var spatial: [String: Int] = [:]
                var channels: Int?
                var precision = 0, batch = 1
                for c in consumers {
                    guard let layer = c.layer else { continue }
                    batch = c.size("B")
                    for (operand, p) in c.sources where p == producer {
                        precision = max(precision, layer.precision[operand] ?? 0)
                        // The channels one operand reads: G×C for a grouped convolution.
                        var read: Int?
                        for (dim, extent) in BackPropagation.tensorDims(layer, operand) {
                            let d = c.producerDim(operand, dim)
                            if ["C", "K", "G"].contains(d) {
                                read = (read ?? 1) * extent
                            } else {
                                spatial[d] = max(spatial[d] ?? extent, extent)
                            }
                        }
                        if let read { channels = min(channels ?? read, read) }
                    }
                }
                let input = Node(id: nextID, name: Network.Node.cutInputName(inputs.count), layer: nil,
                                 inputSizes: [.init("B", batch),
                                              .init("K", channels ?? 1),
                                              .init("OY", spatial["OY"] ?? 1), .init("OX", spatial["OX"] ?? 1)],
                                 inputPrecision: precision, sources: [], dimensionMap: [:])
                replacements[producer] = nextID
                inputs.append(input)
                nextID -= 1
            }
            for i in nodes.indices {
                nodes[i].sources = nodes[i].sources.map { ($0.operand, replacements[$0.producer] ?? $0.producer) }
            }
            nodes = inputs + nodes
        }
        var trunk = Network(nodes: nodes)
        if let b {
            let later = trunk.descendants(of: b).subtracting([b])
            trunk.nodes.removeAll { later.contains($0.id) }
        }
        // Keep what leads to the end node.
        guard let end = b ?? trunk.nodes.last?.id, trunk.node(end) != nil else {
            throw StackError(description: "layer \(b.map(String.init) ?? "?") is not in the trunk")
        }
        let needed = trunk.ancestors(of: end)
        trunk.nodes.removeAll { !needed.contains($0.id) }
        let outputs = trunk.nodes.filter { trunk.consumers(of: $0.id).isEmpty }
        guard outputs.count == 1 else {
            let range = "(\(a.map(String.init) ?? "none"), \(b.map(String.init) ?? "none"))"
            throw StackError(description: "the trunk \(range) has \(outputs.count) outputs; "
                                 + "a trunk must end in one layer")
        }
        return trunk
    }

    /// The trunks between consecutive cuts (cut = the last layer of a trunk). A cut after an
    /// input node or after the network's output layer delimits no trunk and is dropped (the
    /// weight-overflow pass makes such cuts when one layer's weights alone exceed the on-chip
    /// capacity); a cut that names no node is an error.
    public func trunks(cuts: [Int]) throws(StackError) -> [(after: Int?, through: Int?, network: Network)] {
        for cut in cuts where node(cut) == nil {
            throw StackError(description: "a cut after \(cut): the network has no node \(cut)")
        }
        let layers = nodes.filter { !$0.isInput }.map(\.id)
        let sorted = Array(Set(cuts).intersection(layers.dropLast())).sorted()
        var bounds: [Int?] = [nil]
        bounds += sorted.map { Optional($0) }
        var out: [(Int?, Int?, Network)] = []
        for (i, a) in bounds.enumerated() {
            let b: Int? = i + 1 < bounds.count ? bounds[i + 1] : nil
            out.append((a, b, try substack(after: a, through: b)))
        }
        return out
    }
}

extension Network.Node {
    /// The name of the `index`-th input node made by cutting a trunk out of a network (the
    /// reference's), which marks the trunk inputs read back from DRAM.
    static func cutInputName(_ index: Int) -> String { "substack_input_layer_\(index)" }

    /// An input node made by cutting a trunk out of a network (not the network's own input).
    var isCutInput: Bool { isInput && name.hasPrefix("substack_input_layer_") }
}
