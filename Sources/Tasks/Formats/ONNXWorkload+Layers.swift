/// The layers an ONNX node becomes, in the forms of the shipped JSON workloads (docs/formats.md,
/// "ONNX models"): the convolution template `O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][ix][iy]`,
/// a depthwise or grouped variant with G, pooling over G with 0-bit weights, and the
/// element-wise sum `O=X+Y`.
extension ONNXWorkload {
    static let convolution = "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][ix][iy]"
    static let depthwise = "O[b][g][oy][ox]+=W[g][fy][fx]*I[b][g][ix][iy]"
    static let grouped = "O[b][g][k][oy][ox]+=W[g][k][c][fy][fx]*I[b][g][c][ix][iy]"
    static let pooling = "O[b][g][oy][ox]+=W[fx][fy]*I[b][g][ix][iy]"
    static let sum = "O[b][g][oy][ox]=X[b][g][oy][ox]+Y[b][g][oy][ox]"

    var weightedPrecision: [String: Int] {
        let p = options.precision
        return ["O": p.partialOutputs, "O_final": p.finalOutputs, "W": p.weights, "I": p.inputs]
    }

    mutating func addConvolution(_ index: Int) throws(InputError) {
        let node = model.graph.nodes[index]
        let x = try data(index, 0)
        let w = try weightShape(index, 1)
        let rank = x.shape.count - 2
        guard (1...2).contains(rank), w.count == rank + 2 else {
            throw fail(index, "a convolution over a rank-\(x.shape.count) input with weights \(w) is not modelled",
                       "accomake reads 1-D and 2-D convolutions ([N, C, L] or [N, C, H, W])")
        }
        let groups = node.int("group") ?? 1
        let kernel = node.ints("kernel_shape") ?? Array(w.dropFirst(2))
        let (channelsIn, channelsOut) = (x.shape[1], w[0])
        guard groups >= 1, channelsOut % groups == 0, w[1] * groups == channelsIn, kernel.count == rank else {
            throw fail(index, "input channels \(channelsIn), weights \(w) and group \(groups) do not agree",
                       "export the model again")
        }
        let out = try outputShape(index, inferred: ONNXShapes.windowOutput(node, input: x.shape,
                                                                           channels: channelsOut, kernel: kernel))
        let map = try featureMap(out, index, what: "the output")
        let (k, s, d) = (shapes.yx(kernel, default: 1), shapes.yx(node.ints("strides") ?? [], default: 1),
                         shapes.yx(node.ints("dilations") ?? [], default: 1))
        let (inPerGroup, outPerGroup) = (channelsIn / groups, channelsOut / groups)
        let equation: String, sizes: [(String, Int)], channelMap: [String: String]
        let window = [("OY", map.y), ("OX", map.x), ("FY", k.y), ("FX", k.x)]
        if groups == 1 {
            (equation, channelMap) = (Self.convolution, ["C": "K"])
            sizes = [("B", map.b), ("K", channelsOut), ("C", channelsIn)] + window
        } else if inPerGroup == 1 && outPerGroup == 1 {
            (equation, channelMap) = (Self.depthwise, ["G": "K"])
            sizes = [("B", map.b), ("G", groups)] + window
        } else {
            (equation, channelMap) = (Self.grouped, ["G": "K", "C": "K"])
            sizes = [("B", map.b), ("G", groups), ("K", outPerGroup), ("C", inPerGroup)] + window
        }
        try append(index, output: out, type: "Conv", equation: equation,
                   relations: Self.relations(stride: s, dilation: d), sizes: sizes, precision: weightedPrecision,
                   sources: ["I": [x.producer].compactMap { $0 }, "W": []], constants: ["W"],
                   dimensionMapping: ["I": ["IX": "OX", "IY": "OY"].merging(channelMap) { a, _ in a }],
                   padding: shapes.padding(node.ints("pads") ?? [], spatialRank: rank))
    }

    /// Gemm and MatMul as a fully connected layer: the convolution template at 1×1 output. Over
    /// a flattened feature map [N, C, H, W] it is the convolution whose kernel covers the map
    /// (C·H·W inputs per output, as ZigZag's C), so that back-propagation keeps the map's extents.
    mutating func addFullyConnected(_ index: Int) throws(InputError) {
        let node = model.graph.nodes[index]
        let a = try data(index, 0)
        guard a.shape.count == 2 else {
            throw fail(index, "a \(node.opType) over a rank-\(a.shape.count) tensor \(a.shape) is not modelled",
                       "accomake reads fully connected layers over [N, features] (flatten the input first)")
        }
        guard (node.int("transA") ?? 0) == 0 else {
            throw fail(index, "transA = 1 (a transposed input) is not modelled", "export without transposing the input")
        }
        let w = try weightShape(index, 1)
        let transposed = node.opType == "Gemm" && (node.int("transB") ?? 0) != 0
        guard w.count == 2 else {
            throw fail(index, "weights of rank \(w.count) (\(w))", "accomake reads 2-D weight matrices")
        }
        let (features, k) = transposed ? (w[1], w[0]) : (w[0], w[1])
        guard features == a.shape[1] else {
            throw fail(index, "the input has \(a.shape[1]) features, the weights \(features)", "export the model again")
        }
        let out = try outputShape(index, inferred: [a.shape[0], k])
        var (c, f) = (features, (y: 1, x: 1))
        if a.produced.count >= 3, ONNXShapes.product(a.produced.dropFirst()) == features {
            let m = try featureMap(a.produced, index, what: "the flattened input")
            if m.y * m.x > 1 { (c, f) = (m.c, (m.y, m.x)) }
        }
        try append(index, output: out, type: node.opType, equation: Self.convolution,
                   relations: Self.relations(stride: (1, 1), dilation: (1, 1)),
                   sizes: [("B", a.shape[0]), ("K", k), ("C", c), ("OY", 1), ("OX", 1), ("FY", f.y), ("FX", f.x)],
                   precision: weightedPrecision, sources: ["I": [a.producer].compactMap { $0 }, "W": []],
                   constants: ["W"], dimensionMapping: ["I": ["IX": "OX", "IY": "OY", "C": "K"]])
    }

    /// MaxPool, AveragePool and their global forms as DeFiNES' pooling layer (operator type
    /// "Pooling", weights of 0 bits).
    mutating func addPooling(_ index: Int) throws(InputError) {
        let node = model.graph.nodes[index]
        let x = try data(index, 0)
        let rank = x.shape.count - 2
        let global = node.opType.hasPrefix("Global")
        let kernel = global ? Array(x.shape.dropFirst(2)) : node.ints("kernel_shape") ?? []
        guard (1...2).contains(rank), kernel.count == rank else {
            throw fail(index, "a pooling over a rank-\(x.shape.count) input with kernel \(kernel) is not modelled",
                       "accomake reads 1-D and 2-D pooling with a kernel_shape")
        }
        let inferred = global ? [x.shape[0], x.shape[1]] + Array(repeating: 1, count: rank)
            : ONNXShapes.windowOutput(node, input: x.shape, channels: x.shape[1], kernel: kernel)
        let out = try outputShape(index, inferred: inferred)
        let map = try featureMap(out, index, what: "the output")
        let k = shapes.yx(kernel, default: 1)
        let s = global ? (1, 1) : shapes.yx(node.ints("strides") ?? [], default: 1)
        let d = global ? (1, 1) : shapes.yx(node.ints("dilations") ?? [], default: 1)
        let p = options.precision
        try append(index, output: out, type: "Pooling", equation: Self.pooling,
                   relations: Self.relations(stride: s, dilation: d),
                   sizes: [("B", map.b), ("G", map.c), ("OY", map.y), ("OX", map.x), ("FX", k.x), ("FY", k.y)],
                   precision: ["O": p.partialOutputs, "O_final": p.finalOutputs, "I": p.inputs, "W": 0],
                   sources: ["I": [x.producer].compactMap { $0 }, "W": []], constants: ["W"],
                   dimensionMapping: ["I": ["IX": "OX", "IY": "OY", "G": "K"]],
                   padding: global ? [:] : shapes.padding(node.ints("pads") ?? [], spatialRank: rank))
    }

    /// Add of two computed tensors (a residual connection) is an element-wise layer; adding a
    /// constant (a bias) costs nothing in this model and is folded into the producer.
    mutating func addSum(_ index: Int) throws(InputError) {
        let node = model.graph.nodes[index]
        guard node.inputs.count == 2, let a = values[node.inputs[0]], let b = values[node.inputs[1]],
              let output = node.outputs.first else {
            throw fail(index, "an Add needs two inputs", "export the model again")
        }
        let broadcast = ONNXShapes.broadcast(a.shape, b.shape)
        guard let pa = a.producer, let pb = b.producer else {
            let source = a.producer == nil ? b : a
            values[output] = Value(producer: source.producer, shape: shapes.declared(output) ?? broadcast,
                                   produced: source.produced)
            return
        }
        let out = try outputShape(index, inferred: broadcast)
        let map = try featureMap(out, index, what: "the output")
        let p = options.precision
        try append(index, output: out, type: "Add", equation: Self.sum, relations: [],
                   sizes: [("B", map.b), ("G", map.c), ("OY", map.y), ("OX", map.x)],
                   precision: ["O": p.partialOutputs, "O_final": p.finalOutputs, "X": p.inputs, "Y": p.inputs],
                   sources: ["X": [pa], "Y": [pb]], constants: [],
                   dimensionMapping: ["X": ["G": "K"], "Y": ["G": "K"]])
    }
}

extension ONNXShapes {
    /// Numpy-style broadcast of two shapes (aligned at the last axis).
    static func broadcast(_ a: [Int], _ b: [Int]) -> [Int] {
        let rank = max(a.count, b.count)
        let pa = Array(repeating: 1, count: rank - a.count) + a, pb = Array(repeating: 1, count: rank - b.count) + b
        return zip(pa, pb).map { max($0, $1) }
    }
}
