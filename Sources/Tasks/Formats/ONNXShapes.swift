/// The shapes of an ONNX model's tensors: as the model declares them (its inputs, outputs and
/// value_info), or inferred for the operators accomake reads, with the formulas of the ONNX
/// operator documentation. Also the one place that decides which ONNX spatial axis is the
/// workload's Y (time) and which its X.
struct ONNXShapes {
    let declaredShapes: [String: [Int64?]]
    let timeAxis: WorkloadOptions.TimeAxis

    init(_ model: ONNXModel, timeAxis: WorkloadOptions.TimeAxis) {
        var shapes: [String: [Int64?]] = [:]
        for info in model.graph.inputs + model.graph.outputs + model.graph.valueInfo {
            if let shape = info.shape, shapes[info.name] == nil { shapes[info.name] = shape }
        }
        declaredShapes = shapes
        self.timeAxis = timeAxis
    }

    /// The model's shape of a tensor; nil when it gives none or a size other than the batch is
    /// symbolic or not positive. A symbolic batch is read as 1.
    func declared(_ name: String) -> [Int]? {
        guard let shape = declaredShapes[name] else { return nil }
        var sizes: [Int] = []
        for (i, size) in shape.enumerated() {
            if let size, size > 0, size <= Int64(Int32.max) {
                sizes.append(Int(size))
            } else if i == 0 {
                sizes.append(1)
            } else {
                return nil
            }
        }
        return sizes
    }

    /// The workload's (y, x) of per-spatial-axis values (sizes, kernel, strides): Y is time. A
    /// 1-D tensor's one axis is Y whatever the time axis; `missing` fills an absent axis.
    func yx(_ spatial: [Int], default missing: Int) -> (y: Int, x: Int) {
        switch spatial.count {
        case 0: return (missing, missing)
        case 1: return (spatial[0], missing)
        default: return timeAxis == .y ? (spatial[0], spatial[1]) : (spatial[1], spatial[0])
        }
    }

    /// ONNX `pads` ([begins…, ends…]) as [begin, end] per workload axis (`IY`, `IX`).
    func padding(_ pads: [Int], spatialRank: Int) -> [String: [Int]] {
        guard pads.count == 2 * spatialRank, spatialRank > 0 else { return [:] }
        let begins = Array(pads.prefix(spatialRank)), ends = Array(pads.suffix(spatialRank))
        let (by, bx) = yx(begins, default: 0), (ey, ex) = yx(ends, default: 0)
        return ["IY": [by, ey], "IX": [bx, ex]]
    }

    /// Output extent of a sliding window along one axis (Conv, MaxPool, AveragePool).
    static func window(input: Int, kernel: Int, stride: Int, dilation: Int, pads: (Int, Int), autoPad: String,
                       ceilMode: Bool) -> Int {
        let span = dilation * (kernel - 1) + 1
        switch autoPad {
        case "SAME_UPPER", "SAME_LOWER": return (input + stride - 1) / max(stride, 1)
        case "VALID": return max(0, (input - span) / max(stride, 1) + 1)
        default:
            let room = input + pads.0 + pads.1 - span
            guard room >= 0 else { return 0 }
            return (ceilMode ? (room + stride - 1) / max(stride, 1) : room / max(stride, 1)) + 1
        }
    }

    /// The output of a sliding-window node over `input` ([N, C, spatial…]) with `channels` out.
    static func windowOutput(_ node: ONNXModel.Node, input: [Int], channels: Int, kernel: [Int]) -> [Int]? {
        let rank = input.count - 2
        guard rank >= 1, kernel.count == rank else { return nil }
        let strides = node.ints("strides") ?? Array(repeating: 1, count: rank)
        let dilations = node.ints("dilations") ?? Array(repeating: 1, count: rank)
        let pads = node.ints("pads") ?? Array(repeating: 0, count: 2 * rank)
        guard strides.count == rank, dilations.count == rank, pads.count == 2 * rank else { return nil }
        let autoPad = node.string("auto_pad") ?? "NOTSET"
        let ceilMode = (node.int("ceil_mode") ?? 0) != 0
        let spatial = (0..<rank).map { j in
            window(input: input[2 + j], kernel: kernel[j], stride: strides[j], dilation: dilations[j],
                   pads: (pads[j], pads[rank + j]), autoPad: autoPad, ceilMode: ceilMode)
        }
        return [input[0], channels] + spatial
    }

    /// The output of an operator folded into its producer: Flatten and Reshape flatten to
    /// [N, rest] (Reshape's target is tensor data, which accomake does not read: a model with
    /// another Reshape needs its value_info), every other one keeps its input's shape.
    static func folded(_ node: ONNXModel.Node, input: [Int]) -> [Int] {
        switch node.opType {
        case "Flatten":
            let rank = input.count
            var axis = node.int("axis") ?? 1
            if axis < 0 { axis += rank }
            axis = min(max(axis, 0), rank)
            return [product(input.prefix(axis)), product(input.dropFirst(axis))]
        case "Reshape":
            return input.isEmpty ? [] : [input[0], product(input.dropFirst())]
        default:
            return input
        }
    }
}

extension ONNXShapes {
    /// The largest size or attribute value read: beyond it a number is clamped, so that sums and
    /// products of two never overflow (a damaged model is then refused by the size checks).
    static let bound = Int(Int32.max)

    static func clamped(_ v: Int64) -> Int { Int(max(-Int64(bound), min(Int64(bound), v))) }

    /// Π of sizes, saturating at `Int.max` instead of trapping on a damaged model's shapes.
    static func product<S: Sequence>(_ sizes: S) -> Int where S.Element == Int {
        sizes.reduce(1) { p, n in
            let (r, overflow) = p.multipliedReportingOverflow(by: n)
            return overflow ? Int.max : r
        }
    }
}

extension ONNXModel.Node {
    func int(_ name: String) -> Int? {
        if case .int(let v) = attribute(name) { return ONNXShapes.clamped(v) }
        return nil
    }

    func ints(_ name: String) -> [Int]? {
        if case .ints(let v) = attribute(name) { return v.map(ONNXShapes.clamped) }
        return nil
    }

    func string(_ name: String) -> String? {
        if case .string(let v) = attribute(name) { return v }
        return nil
    }
}
