import Graph
/// A CNN as a graph of nodes (input nodes and layers) in topological order, the form depth-first
/// evaluation works on. Nodes are values: a trunk or a tile is a copy whose loop sizes changed.
public struct Network: Sendable {
    public struct Node: Sendable {
        public var id: Int
        public var name: String
        /// The layer; nil for an input node.
        public var layer: Layer?
        /// Loop sizes of an input node (B, K, OY, OX).
        public var inputSizes: [Layer.LoopSize]
        /// Bits per element of an input node's output.
        public var inputPrecision: Int
        /// Activation inputs in equation order: (operand, producer id).
        public var sources: [(operand: String, producer: Int)]
        /// Input operand → (tensor dim → the producer's loop dim).
        public var dimensionMap: [String: [String: String]]

        public var isInput: Bool { layer == nil }

        public func size(_ dim: String) -> Int {
            if let layer { return layer.size(of: dim) }
            return inputSizes.first { $0.dim == dim }?.size ?? 1
        }

        public mutating func setSize(_ dim: String, _ value: Int) {
            if layer != nil {
                if let i = layer!.loopSizes.firstIndex(where: { $0.dim == dim }) { layer!.loopSizes[i].size = value }
            } else if let i = inputSizes.firstIndex(where: { $0.dim == dim }) {
                inputSizes[i].size = value
            }
        }

        /// Bits of the stored output (`sizeElem[O] × O_final`; an input node's whole tensor).
        public var outputBits: Int {
            guard let layer else { return inputSizes.reduce(1) { $0 * $1.size } * inputPrecision }
            return layer.sizeElements(layer.output) * layer.outputFinalPrecision
        }

        public var outputElements: Int {
            guard let layer else { return inputSizes.reduce(1) { $0 * $1.size } }
            return layer.sizeElements(layer.output)
        }

        /// Bits of every non-constant input at the node's current extents.
        public var inputBits: Int {
            guard let layer else { return 0 }
            return sources.reduce(0) { $0 + layer.sizeElements($1.operand) * (layer.precision[$1.operand] ?? 0) }
        }

        /// The layer's constant operands (its weights): the inputs no node of this network
        /// produces. The one place that decides which operand is the weight.
        public var constantOperands: [String] {
            guard let layer else { return [] }
            return layer.inputs.filter { op in !sources.contains { $0.operand == op } }
        }

        /// The constant operands' bits (weights).
        public var weightBits: Int {
            guard let layer else { return 0 }
            return constantOperands.reduce(0) { $0 + layer.sizeElements($1) * (layer.precision[$1] ?? 0) }
        }

        /// The producer loop dim a tensor dim of an input operand maps to (IX → OX by default).
        public func producerDim(_ operand: String, _ tensorDim: String) -> String {
            Self.producerDim(dimensionMap, operand, tensorDim)
        }

        /// The same, for a workload file's `operand_source_dimension_mapping`.
        static func producerDim(_ dimensionMap: [String: [String: String]], _ operand: String,
                                _ tensorDim: String) -> String {
            if let d = dimensionMap[operand]?[tensorDim] { return d }
            switch tensorDim {
            case "IX": return "OX"
            case "IY": return "OY"
            case "C", "G": return "K"
            default: return tensorDim
            }
        }
    }

    public var nodes: [Node]

    public init(nodes: [Node]) { self.nodes = nodes }

    public func index(of id: Int) -> Int? { nodes.firstIndex { $0.id == id } }
    public func node(_ id: Int) -> Node? { index(of: id).map { nodes[$0] } }

    public func consumers(of id: Int) -> [Int] {
        nodes.filter { n in n.sources.contains { $0.producer == id } }.map(\.id)
    }

    /// The node nothing consumes.
    public var outputNode: Node? { nodes.last { consumers(of: $0.id).isEmpty } }

    /// Builds the network from a workload and its mapping, in topological order (producers first,
    /// file order among ready nodes).
    public static func build(nodes workload: [WorkloadNode], mapping: [MappingEntry], core: Core,
                             files: ProblemFiles) throws(InputError) -> Network {
        var built: [Node] = []
        for w in workload {
            var node = Node(id: w.id, name: w.name, layer: nil, inputSizes: [], inputPrecision: 0, sources: [],
                            dimensionMap: w.sourceDimensionMapping)
            if w.isInput {
                node.inputSizes = w.loopSizes
                node.inputPrecision = w.precision["O"] ?? 8
            } else {
                let layer = try LayerBinding.layer(w, mapping: mapping, core: core, files: files)
                node.layer = layer
                for op in layer.inputs {
                    for p in w.operandSource[op] ?? [] { node.sources.append((op, p)) }
                }
            }
            built.append(node)
        }
        // Kahn's algorithm, stable in file order (the graph was checked acyclic when read).
        var ordered: [Node] = []
        var placed = Set<Int>()
        while ordered.count < built.count {
            guard let next = built.first(where: { n in
                !placed.contains(n.id) && n.sources.allSatisfy { placed.contains($0.producer) }
            })
            else { break }
            ordered.append(next)
            placed.insert(next.id)
        }
        return Network(nodes: ordered)
    }
}

// MARK: Canonical form (task parameters)

/// A network as task parameters hold it: its nodes in order.
extension Network: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(nodes: try [Node](from: decoder))
    }

    public func encode(to encoder: any Encoder) throws { try nodes.encode(to: encoder) }
}

extension Network {
    /// `ValueCoder.encode(self)`, built by hand: a study shares each range's trunk and widths
    /// as a network value (hundreds of them, hashed before every run).
    public var value: Value { .array(nodes.map(\.value)) }
}

extension Network.Node {
    var value: Value {
        var fields: [String: Value] = [
            "id": .int(Int64(id)), "name": .string(name),
            "input_sizes": .array(inputSizes.map(\.value)), "input_precision": .int(Int64(inputPrecision)),
            "sources": .array(sources.map {
                .object(["operand": .string($0.operand), "producer": .int(Int64($0.producer))])
            }),
            "operand_source_dimension_mapping": .object(dimensionMap.mapValues { .object($0.mapValues(Value.string)) }),
        ]
        if let layer { fields["layer"] = layer.value }
        return .object(fields)
    }
}

extension Network.Node: Codable {
    enum CodingKeys: String, CodingKey {
        case id, name, layer, sources
        case inputSizes = "input_sizes", inputPrecision = "input_precision"
        case dimensionMap = "operand_source_dimension_mapping"
    }

    /// One activation input: which operand reads which producer.
    struct Source: Codable {
        var operand: String
        var producer: Int
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        layer = try c.decodeIfPresent(Layer.self, forKey: .layer)
        layer?.id = id
        inputSizes = try c.decode([Layer.LoopSize].self, forKey: .inputSizes)
        inputPrecision = try c.decode(Int.self, forKey: .inputPrecision)
        sources = try c.decode([Source].self, forKey: .sources).map { ($0.operand, $0.producer) }
        dimensionMap = try c.decode([String: [String: String]].self, forKey: .dimensionMap)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(layer, forKey: .layer)
        try c.encode(inputSizes, forKey: .inputSizes)
        try c.encode(inputPrecision, forKey: .inputPrecision)
        try c.encode(sources.map { Source(operand: $0.operand, producer: $0.producer) }, forKey: .sources)
        try c.encode(dimensionMap, forKey: .dimensionMap)
    }
}
