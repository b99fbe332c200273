/// A node of a workload file: a layer, or an input node (`operator_type` "input") that only
/// declares the network input's extents and precision.
public struct WorkloadNode: Sendable, Hashable {
    public var id: Int
    public var name: String
    public var operatorType: String
    public var equation: String
    public var relations: [String]
    public var loopSizes: [Layer.LoopSize]
    public var precision: [String: Int]
    /// Producer ids per input operand; empty for a constant operand.
    public var operandSource: [String: [Int]]
    public var constantOperands: [String]
    /// Input operand → (its tensor dim → the producer's loop dim).
    public var sourceDimensionMapping: [String: [String: String]]
    /// Why this node's declared shape may disagree with what its consumers read (`shape_slip`):
    /// data reproduced as shipped, e.g. the reference seldnet input's 3 channels.
    public var shapeSlip: String?
    /// The line of the node in a JSON or YAML file; nil for a node read from an ONNX model.
    public var line: Int?
    /// Padding per input axis (`IY`, `IX` → [begin, end]) as the model declares it: shown, not
    /// modelled (the depth-first model back-propagates valid convolutions, as DeFiNES does).
    public var padding: [String: [Int]] = [:]

    public var isInput: Bool { operatorType.lowercased() == "input" }
}

/// Reads a workload file: ZigZag's YAML workload (a list of layers) as JSON, plus input nodes
/// and the optional `operand_source_dimension_mapping`. See docs/formats.md.
public enum WorkloadFormat {
    static let layerFields = ["id", "name", "operator_type", "equation", "dimension_relations", "loop_dims",
                              "loop_sizes", "operand_precision", "operand_source", "constant_operands",
                              "operand_source_dimension_mapping", "padding", "shape_slip"]

    /// Bounds on the numbers of a workload (docs/formats.md, "Limits").
    enum Limits {
        static let loopSize = 1 << 24
        static let layerIterations = 1 << 48
        static let precision = 256
    }

    /// Reads a JSON/YAML workload, or an ONNX model (`ONNXWorkload`) with `options`; the options
    /// are refused for a file that spells its precisions and axes out itself.
    public static func load(_ path: String, options: WorkloadOptions = .defaults) throws(InputError)
        -> [WorkloadNode] {
        if ONNXWorkload.isONNX(path) {
            let nodes = try ONNXWorkload.load(path, options: options)
            try checkGraph(nodes, file: path)
            return nodes
        }
        guard options.isDefault else {
            throw InputError(file: path, line: nil, path: "$",
                             problem: "time_axis and precision apply to ONNX models; this workload gives "
                                 + "its operand precisions per layer and streams along Y",
                             fix: "remove the option, or edit the layers' operand_precision and relations")
        }
        return try decode(InputFile.load(path))
    }

    static func decode(_ root: JSONReader) throws(InputError) -> [WorkloadNode] {
        var nodes: [WorkloadNode] = []
        var lineOfId: [Int: Int] = [:]
        for item in try root.array() {
            let node = try layer(item)
            if let first = lineOfId[node.id] {
                throw item.fail("layer id \(node.id) is used twice (first on line \(first))",
                                "give every layer a distinct id")
            }
            lineOfId[node.id] = node.line ?? 0
            nodes.append(node)
        }
        guard !nodes.isEmpty else { throw root.fail("the workload has no layers", "list the layers, inputs first") }
        try checkGraph(nodes, file: root.file)
        return nodes
    }

    static func layer(_ r: JSONReader) throws(InputError) -> WorkloadNode {
        let o = try r.object(allowed: layerFields)
        let id = try o.required("id", "give the layer a numeric id").int(what: "id")
        let name = try o.optional("name")?.string() ?? ""
        let type = try o.required("operator_type",
                                  "name the operator, e.g. \"Conv\", \"Pooling\", \"Add\" or \"input\"").string()
        let dimsNode = try o.required("loop_dims",
                                      "list the loop dimensions, e.g. [\"B\", \"K\", \"C\", "
                                          + "\"OY\", \"OX\", \"FY\", \"FX\"]")
        let dims = try dimsNode.strings().map { $0.uppercased() }
        guard Set(dims).count == dims.count else {
            throw dimsNode.fail("a loop dimension appears twice", "list each dimension once")
        }
        let sizesNode = try o.required("loop_sizes", "give one size per loop dimension")
        var sizes: [Int] = []
        for s in try sizesNode.array() {
            sizes.append(try s.int(minimum: 1, maximum: Limits.loopSize, what: "loop size"))
        }
        guard sizes.count == dims.count else {
            throw sizesNode.fail("\(dims.count) loop dims but \(sizes.count) sizes",
                                 "give exactly one size per loop dimension")
        }
        guard sizes.reduce(1.0, { $0 * Double($1) }) <= Double(Limits.layerIterations) else {
            throw sizesNode.fail("the loop sizes multiply to more than 2^48 iterations",
                                 "check the sizes; real layers are far smaller")
        }
        var precision: [String: Int] = [:]
        let precisionNode = try o.required("operand_precision",
                                           "give the bits per element of every operand, and O_final")
        for (key, value) in try precisionNode.entries() {
            precision[key] = try value.int(minimum: 0, maximum: Limits.precision, what: "precision")
        }
        if let pad = o.optional("padding") { _ = try pad.array() }
        var node = WorkloadNode(id: id, name: name, operatorType: type, equation: "", relations: [],
                                loopSizes: zip(dims, sizes).map { Layer.LoopSize($0, $1) }, precision: precision,
                                operandSource: [:], constantOperands: [], sourceDimensionMapping: [:],
                                line: r.node.line)
        if let slip = o.optional("shape_slip") {
            node.shapeSlip = try slip.string()
            guard !(node.shapeSlip ?? "").allSatisfy(\.isWhitespace) else {
                throw slip.fail("shape_slip is empty", "say why the declared shape is kept, or remove the field")
            }
        }
        if node.isInput {
            guard precision["O"] != nil else {
                throw precisionNode.fail("an input node needs \"O\"", "give the input's precision as {\"O\": 8}")
            }
            return node
        }
        let equationNode = try o.required("equation",
                                          "write the layer equation, e.g. "
                                              + "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][iy][ix]")
        node.equation = try equationNode.string()
        node.relations = try o.optional("dimension_relations")?.strings() ?? []
        let operands: [Operand]
        do { operands = try Layer.parseEquation(node.equation) } catch {
            throw equationNode.fail(error.message, "fix the equation")
        }
        for relation in node.relations where Relation(parsing: relation) == nil {
            throw (o.optional("dimension_relations") ?? r).fail("relation \"\(relation)\" is not of the form p=S*a+D*b",
                                                                "write e.g. \"ix=1*ox+1*fx\"")
        }
        // An index that is neither a loop dimension nor defined by a relation would be read as a
        // dimension of size 1: a forgotten "iy=…" relation silently changes every answer.
        let defined = Set(dims).union(node.relations.compactMap { Relation(parsing: $0)?.pr.uppercased() })
        for operand in operands {
            for index in operand.indices where !defined.contains(index.uppercased()) {
                let i = index.lowercased(), stem = index.lowercased().dropFirst()
                let problem = "index \(index) of \(operand.name) is neither a loop dimension nor defined by a relation"
                throw equationNode.fail(problem,
                                        "add it to loop_dims, or a relation such as \"\(i)=1*o\(stem)+1*f\(stem)\" "
                                            + "to dimension_relations")
            }
        }
        for op in operands.map(\.name) where precision[op] == nil {
            throw precisionNode.fail("no precision for operand \(op)", "add \"\(op)\": <bits>")
        }
        if precision["O_final"] == nil {
            throw precisionNode.fail("no precision for O_final", "add \"O_final\": <bits of the stored output>")
        }
        let sourceNode = try o.required("operand_source",
                                        "give the producer id of every input operand (its own id for a constant)")
        for (operand, value) in try sourceNode.entries() {
            guard operands.dropFirst().contains(where: { $0.name == operand }) else {
                throw value.fail("\(operand) is not an input operand of the equation",
                                 "use one of \(operands.dropFirst().map(\.name).joined(separator: ", "))")
            }
            var producers: [Int] = []
            if value.node.kind == .array {
                for p in try value.array() { producers.append(try p.int(what: "producer id")) }
            } else {
                producers = [try value.int(what: "producer id")]
            }
            // ZigZag's convention: a source equal to the layer's own id marks a constant operand.
            if producers == [id] { producers = [] }
            node.operandSource[operand] = producers
        }
        for op in operands.dropFirst().map(\.name) where node.operandSource[op] == nil { node.operandSource[op] = [] }
        node.constantOperands = try o.optional("constant_operands")?.strings()
            ?? operands.dropFirst().map(\.name).filter { node.operandSource[$0]?.isEmpty ?? true }
        if let mapping = o.optional("operand_source_dimension_mapping") {
            for (operand, dimsMap) in try mapping.entries() {
                var m: [String: String] = [:]
                for (k, v) in try dimsMap.entries() { m[k.uppercased()] = try v.string().uppercased() }
                node.sourceDimensionMapping[operand] = m
            }
        }
        return node
    }

    /// Every producer exists, and the graph has no cycle.
    static func checkGraph(_ nodes: [WorkloadNode], file: String) throws(InputError) {
        let ids = Set(nodes.map(\.id))
        for node in nodes {
            for (operand, producers) in node.operandSource {
                for p in producers where !ids.contains(p) {
                    throw InputError(file: file, line: node.line,
                                     path: "$[id=\(node.id)].operand_source.\(operand)",
                                     problem: "producer \(p) is not a layer of this workload",
                                     fix: "use the id of an earlier layer or input node (its own id for a constant)")
                }
            }
        }
        // Depth-first search for a cycle, with an explicit stack: a chain of thousands of layers
        // must not overflow a worker thread's stack, and the trail is the stack itself.
        var done = Set<Int>()
        var onTrail = Set<Int>()
        let byId = Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0) })
        func producers(_ id: Int) -> [Int] { (byId[id]?.operandSource.values).map { $0.flatMap { $0 } } ?? [] }
        for node in nodes where !done.contains(node.id) {
            var trail: [(id: Int, producers: [Int], next: Int)] = [(node.id, producers(node.id), 0)]
            onTrail.insert(node.id)
            while let top = trail.last {
                guard top.next < top.producers.count else {
                    done.insert(top.id)
                    onTrail.remove(top.id)
                    trail.removeLast()
                    continue
                }
                trail[trail.count - 1].next += 1
                let p = top.producers[top.next]
                if done.contains(p) { continue }
                if onTrail.contains(p) {
                    let ids = trail.map(\.id)
                    let cycle = (ids.drop { $0 != p } + [p]).map(String.init).joined(separator: " → ")
                    throw InputError(file: file, line: byId[p]?.line, path: "$[id=\(p)].operand_source",
                                     problem: "the layers form a cycle: \(cycle)",
                                     fix: "a layer may only consume earlier layers")
                }
                trail.append((p, producers(p), 0))
                onTrail.insert(p)
            }
        }
        try checkSingleOutput(nodes, file: file)
        try checkShapes(nodes, file: file)
    }

    static let channelDims: Set<String> = ["C", "K", "G"]

    /// A producer's output channels: the product of its output's channel dimensions (an input
    /// node's K; a grouped convolution's G×K), with their names.
    static func outputChannels(_ producer: WorkloadNode) -> (dims: String, count: Int) {
        let indices = producer.isInput ? ["K"]
            : ((try? Layer.parseEquation(producer.equation))?.first?.indices ?? []).map { $0.uppercased() }
        let channels = indices.filter(channelDims.contains)
        let count = channels.reduce(1) { n, d in n * (producer.loopSizes.first { $0.dim == d }?.size ?? 1) }
        return (channels.isEmpty ? "K" : channels.joined(separator: "×"), count)
    }

    /// Every input operand has the channels (and batch) its producer declares: the models read
    /// each layer's own C, K, G and B, so a mismatch changes copy sizes or means a typo. The
    /// models treat every channel-like dimension (C, K, G) as one, so the channels read (G×C of a
    /// grouped convolution) are compared with the channels the producer's output has.
    /// Spatial extents are not compared: the models read only the output's and back-propagate
    /// the others (without padding), so the reference's files declare inner extents that differ
    /// on purpose (resnet18's residual branches, stftcnn_16x's output). A producer marked with
    /// `shape_slip` keeps its declared shape on purpose (the reference seldnet input's 3 channels).
    static func checkShapes(_ nodes: [WorkloadNode], file: String) throws(InputError) {
        let byId = Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0) })
        let what = { (n: WorkloadNode) in "\(n.isInput ? "input" : "layer") \(n.id)" }
        let lineOf = { (n: WorkloadNode) in n.line.map { " (line \($0))" } ?? "" }
        for consumer in nodes where !consumer.isInput {
            guard let operands = try? Layer.parseEquation(consumer.equation) else { continue }
            let sizeOf = { (dim: String) in consumer.loopSizes.first { $0.dim == dim }?.size ?? 1 }
            for operand in operands.dropFirst() {
                let indices = operand.indices.map { $0.uppercased() }
                let mapped = indices.map { Network.Node.producerDim(consumer.sourceDimensionMapping, operand.name, $0) }
                let channelIndices = zip(indices, mapped).filter { channelDims.contains($0.1) }.map(\.0)
                let batchIndex = zip(indices, mapped).first { $0.1 == "B" }?.0
                for producerId in consumer.operandSource[operand.name] ?? [] {
                    guard let producer = byId[producerId], producer.shapeSlip == nil else { continue }
                    var mismatches: [(read: String, declared: String)] = []
                    if let b = batchIndex, sizeOf(b) != (producer.loopSizes.first { $0.dim == "B" }?.size ?? 1) {
                        let declared = producer.loopSizes.first { $0.dim == "B" }?.size ?? 1
                        mismatches.append(("\(b) \(sizeOf(b))", "B \(declared)"))
                    }
                    let read = channelIndices.reduce(1) { $0 * sizeOf($1) }
                    let produced = outputChannels(producer)
                    if !channelIndices.isEmpty, read != produced.count {
                        let readText = channelIndices.count == 1 ? "\(channelIndices[0]) \(read)"
                            : "\(channelIndices.joined(separator: "×")) \(read)"
                        mismatches.append((readText, "\(produced.dims) \(produced.count)"))
                    }
                    guard let first = mismatches.first else { continue }
                    throw InputError(file: file, line: consumer.line, path: "$[id=\(consumer.id)].loop_sizes",
                                     problem: "\(what(consumer)) reads \(operand.name) with \(first.read), but its "
                                         + "producer, \(what(producer))\(lineOf(producer)), declares \(first.declared)",
                                     fix: "make the two agree; to keep a mismatch on purpose, add "
                                         + "\"shape_slip\": \"<why>\" to \(what(producer))")
                }
            }
        }
    }

    /// Depth-first evaluation and the ACCO trunks follow one chain of producers back from one
    /// output; a second node that nothing consumes would silently be left out of every answer.
    static func checkSingleOutput(_ nodes: [WorkloadNode], file: String) throws(InputError) {
        let consumed = Set(nodes.flatMap { $0.operandSource.values.flatMap { $0 } })
        let sinks = nodes.filter { !consumed.contains($0.id) }
        guard sinks.count > 1, let last = sinks.last else { return }
        let named = sinks.dropLast().map { "\($0.isInput ? "input" : "layer") \($0.id)" }.joined(separator: ", ")
        throw InputError(file: file, line: sinks[0].line, path: "$[id=\(sinks[0].id)]",
                         problem: "the workload has \(sinks.count) outputs: nothing consumes \(named) besides "
                             + "the last layer \(last.id)",
                         fix: "accomake evaluates networks with one output: make a later layer "
                             + "consume \(named), or remove it")
    }
}
