/// Turns an ONNX model into workload nodes (docs/formats.md, "ONNX models"). Conv, Gemm/MatMul,
/// the pooling operators and Add become layers, written as accomake's own JSON workloads write
/// them; the operators that cost nothing in this model (activations, normalisations, reshapes)
/// are folded into their producer. Node ids are the ONNX node indices (as ZigZag numbers them),
/// input nodes count down from -1. Shapes come from the model (value_info, inputs, outputs) or are
/// inferred (`ONNXShapes`); weights are never read.
struct ONNXWorkload {
    /// A tensor as the workload sees it.
    struct Value {
        /// The workload node that computes it (an input node's negative id); nil for a constant.
        var producer: Int?
        /// Its sizes (a symbolic batch counts 1).
        var shape: [Int]
        /// The producing node's output shape, before any folded Flatten or Reshape: a fully
        /// connected layer over a flattened feature map is a convolution over that map.
        var produced: [Int]
    }

    static let foldedOperators: Set<String> = [
        "Relu", "LeakyRelu", "PRelu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Elu", "Selu",
        "BatchNormalization", "Flatten", "Reshape", "Identity", "Dropout", "LRN", "Softmax", "LogSoftmax",
    ]
    static let layerOperators = ["Conv", "Gemm", "MatMul", "MaxPool", "AveragePool", "GlobalAveragePool",
                                 "GlobalMaxPool", "Add"]
    static var supportedList: String {
        (layerOperators + foldedOperators.sorted() + ["Constant"]).joined(separator: ", ")
    }

    let model: ONNXModel
    let file: String
    let options: WorkloadOptions
    let shapes: ONNXShapes
    var values: [String: Value] = [:]
    var inputs: [WorkloadNode] = []
    var layers: [WorkloadNode] = []

    static func isONNX(_ path: String) -> Bool { path.lowercased().hasSuffix(".onnx") }

    static func load(_ path: String, options: WorkloadOptions) throws(InputError) -> [WorkloadNode] {
        let bytes = try InputFile.bytes(path)
        let model: ONNXModel
        do { model = try ONNXModel(bytes) } catch {
            throw InputError(file: path, line: nil, path: "$",
                             problem: "not an ONNX model: \(error.problem) at byte \(error.offset)",
                             fix: "give an .onnx file saved by an ONNX exporter, or a workload in JSON")
        }
        return try nodes(model, file: path, options: options)
    }

    static func nodes(_ model: ONNXModel, file: String, options: WorkloadOptions) throws(InputError)
        -> [WorkloadNode] {
        var converter = ONNXWorkload(model: model, file: file, options: options,
                                     shapes: ONNXShapes(model, timeAxis: options.timeAxis))
        try converter.convert()
        return converter.inputs + converter.layers
    }

    func fail(_ index: Int?, _ problem: String, _ fix: String) -> InputError {
        InputError(file: file, line: nil, path: model.place(index), problem: problem, fix: fix)
    }

    mutating func convert() throws(InputError) {
        let graph = model.graph
        let constants = Set(graph.initializers.map(\.name))
        for input in graph.inputs where !constants.contains(input.name) {
            guard let shape = shapes.declared(input.name) else {
                throw fail(nil, "the model input \"\(input.name)\" has no fixed shape",
                           "export the model with fixed input sizes (a symbolic batch is read as 1)")
            }
            let id = -1 - inputs.count
            values[input.name] = Value(producer: id, shape: shape, produced: shape)
            let map = try featureMap(shape, nil, what: "the model input \"\(input.name)\"")
            inputs.append(WorkloadNode(id: id, name: input.name, operatorType: "input", equation: "", relations: [],
                                       loopSizes: [.init("B", map.b), .init("K", map.c), .init("OY", map.y),
                                                   .init("OX", map.x)],
                                       precision: ["O": options.precision.inputs], operandSource: [:],
                                       constantOperands: [], sourceDimensionMapping: [:], line: nil))
        }
        for tensor in graph.initializers {
            values[tensor.name] = Value(producer: nil, shape: tensor.dims.map(ONNXShapes.clamped), produced: [])
        }
        try ONNXGraphOrder.check(model, file: file)
        for index in model.graph.nodes.indices {
            try convert(index)
        }
        let used = Set(layers.flatMap { $0.operandSource.values.flatMap { $0 } })
        inputs.removeAll { !used.contains($0.id) }
        guard !layers.isEmpty else {
            let operators = Self.layerOperators.joined(separator: ", ")
            throw fail(nil, "the model has no layer accomake evaluates (\(operators))",
                       "give a model with at least one convolution, matrix product or pooling")
        }
    }

    mutating func convert(_ index: Int) throws(InputError) {
        let node = model.graph.nodes[index]
        guard let output = node.outputs.first, !output.isEmpty else {
            throw fail(index, "the node has no output", "export the model again; the node is incomplete")
        }
        guard node.domain.isEmpty || node.domain == "ai.onnx" else {
            throw fail(index, "operator \(node.opType) of domain \"\(node.domain)\" is not modelled",
                       "accomake reads the standard ONNX operators: \(Self.supportedList)")
        }
        switch node.opType {
        case "Conv": try addConvolution(index)
        case "Gemm", "MatMul": try addFullyConnected(index)
        case "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool": try addPooling(index)
        case "Add": try addSum(index)
        case "Constant":
            for output in node.outputs where !output.isEmpty {
                values[output] = Value(producer: nil, shape: shapes.declared(output) ?? [], produced: [])
            }
        case let op where Self.foldedOperators.contains(op):
            let source = try data(index, 0)
            let inferred = ONNXShapes.folded(node, input: source.shape)
            values[output] = Value(producer: source.producer, shape: shapes.declared(output) ?? inferred,
                                   produced: source.produced)
        default:
            throw fail(index, "operator \(node.opType) is not modelled",
                       "accomake reads \(Self.supportedList); replace or remove the node before exporting")
        }
    }

    /// Input `k` of node `index` as a computed tensor (not a constant).
    func data(_ index: Int, _ k: Int) throws(InputError) -> Value {
        let node = model.graph.nodes[index]
        guard k < node.inputs.count, let value = values[node.inputs[k]] else {
            throw fail(index, "input \(k) is missing", "export the model again; the node is incomplete")
        }
        guard value.producer != nil else {
            throw fail(index, "input \(k) (\"\(node.inputs[k])\") is a constant, where a computed tensor is read",
                       "accomake models layers over activations; fold the constant computation away before exporting")
        }
        return value
    }

    /// The shape of constant input `k` of node `index` (weights).
    func weightShape(_ index: Int, _ k: Int) throws(InputError) -> [Int] {
        let node = model.graph.nodes[index]
        guard k < node.inputs.count, let value = values[node.inputs[k]], !value.shape.isEmpty else {
            throw fail(index, "the weights (input \(k)) have no known shape",
                       "store the weights as an initializer (the exporters' default)")
        }
        guard value.producer == nil else {
            throw fail(index, "the weights (input \(k)) are computed by the network (e.g. attention)",
                       "accomake models layers whose weights are constants")
        }
        return value.shape
    }

    /// The node's output shape: the model's own, else inferred.
    func outputShape(_ index: Int, inferred: [Int]?) throws(InputError) -> [Int] {
        let output = model.graph.nodes[index].outputs.first ?? ""
        if let declared = shapes.declared(output) { return declared }
        guard let inferred else {
            throw fail(index, "the output \"\(output)\" has no shape in the model and none can be inferred",
                       "run onnx.shape_inference.infer_shapes on the model and save it again")
        }
        return inferred
    }

    /// Batch, channels and the (y, x) extents of an NCHW, NCL or NC tensor, after the time axis.
    func featureMap(_ shape: [Int], _ index: Int?, what: String) throws(InputError)
        -> (b: Int, c: Int, y: Int, x: Int) {
        guard (2...4).contains(shape.count) else {
            throw fail(index, "\(what) has rank \(shape.count); accomake reads [N, C], [N, C, L] and [N, C, H, W]",
                       "export 1-D or 2-D convolutional networks")
        }
        let (y, x) = shapes.yx(Array(shape.dropFirst(2)), default: 1)
        return (shape[0], shape[1], y, x)
    }

    /// The relations of a window `(stride, dilation)` per axis, as the shipped workloads write them.
    static func relations(stride: (y: Int, x: Int), dilation: (y: Int, x: Int)) -> [String] {
        ["ix=\(stride.x)*ox+\(dilation.x)*fx", "iy=\(stride.y)*oy+\(dilation.y)*fy"]
    }

    /// Adds the layer node `index` becomes, with sizes checked against the workload limits.
    mutating func append(_ index: Int, output: [Int], type: String, equation: String, relations: [String],
                         sizes: [(String, Int)], precision: [String: Int], sources: [String: [Int]],
                         constants: [String], dimensionMapping: [String: [String: String]],
                         padding: [String: [Int]] = [:]) throws(InputError) {
        let node = model.graph.nodes[index]
        for relation in relations where Relation(parsing: relation) == nil {
            throw fail(index, "strides and dilations must be at least 1 (\(relation))", "export the model again")
        }
        for (dim, size) in sizes where !(1...WorkloadFormat.Limits.loopSize).contains(size) {
            throw fail(index, "loop \(dim) would have size \(size)",
                       "check the model's shapes; sizes are 1 to \(WorkloadFormat.Limits.loopSize)")
        }
        guard sizes.reduce(1.0, { $0 * Double($1.1) }) <= Double(WorkloadFormat.Limits.layerIterations) else {
            throw fail(index, "the layer has more than 2^48 iterations", "check the model's shapes")
        }
        var w = WorkloadNode(id: index, name: node.name.isEmpty ? "\(node.opType)_\(index)" : node.name,
                             operatorType: type, equation: equation, relations: relations,
                             loopSizes: sizes.map { Layer.LoopSize($0.0, $0.1) }, precision: precision,
                             operandSource: sources, constantOperands: constants,
                             sourceDimensionMapping: dimensionMapping, line: nil)
        w.padding = padding
        layers.append(w)
        if let name = node.outputs.first { values[name] = Value(producer: index, shape: output, produced: output) }
    }
}
