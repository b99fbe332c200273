/// An ONNX model as far as accomake reads it (the field numbers of onnx.proto): the graph's nodes
/// with their attributes, the initializers' names and shapes (their weights are never read, so a
/// stripped model loads like a full one), and the inputs, outputs and value_info with their
/// tensor shapes. Decoded from the protobuf bytes by `ProtobufReader`.
struct ONNXModel: Equatable {
    var irVersion: Int64 = 0
    /// (domain, version) per operator set the model imports; "" is the default ONNX domain.
    var opsets: [Opset] = []
    var graph = Graph()

    struct Opset: Equatable {
        var domain = ""
        var version: Int64 = 0
    }

    struct Graph: Equatable {
        var name = ""
        var nodes: [Node] = []
        var initializers: [Tensor] = []
        var inputs: [ValueInfo] = []
        var outputs: [ValueInfo] = []
        var valueInfo: [ValueInfo] = []
    }

    struct Node: Equatable {
        var name = ""
        var opType = ""
        var domain = ""
        var inputs: [String] = []
        var outputs: [String] = []
        var attributes: [Attribute] = []

        func attribute(_ name: String) -> Attribute.Value? { attributes.first { $0.name == name }?.value }
    }

    struct Attribute: Equatable {
        enum Value: Equatable {
            case int(Int64), float(Float), string(String), ints([Int64]), floats([Float]), strings([String])
            /// A tensor, graph or other value accomake never needs: its ONNX attribute type.
            case other(Int64)
        }
        var name = ""
        var value = Value.other(0)
    }

    /// A tensor's name and shape (its data is skipped).
    struct Tensor: Equatable {
        var name = ""
        var dims: [Int64] = []
    }

    /// A named value and its tensor shape: each dimension a size, or nil when symbolic or unknown;
    /// `shape` is nil when the type is not a tensor or has no shape.
    struct ValueInfo: Equatable {
        var name = ""
        var shape: [Int64?]?
    }

    typealias Reader = ProtobufReader

    init() {}

    /// Decodes a model; a malformed file throws `ProtobufReader.Malformed`.
    init(_ bytes: [UInt8]) throws(ProtobufReader.Malformed) {
        var r = Reader(bytes)
        var sawGraph = false
        while let (number, wire) = try r.nextField() {
            switch number {
            case 1:
                try r.expect(wire, .varint, field: "ModelProto.ir_version")
                irVersion = try r.int64()
            case 7:
                try r.expect(wire, .lengthDelimited, field: "ModelProto.graph")
                var g = try r.message()
                graph = try Self.graph(&g)
                sawGraph = true
            case 8:
                try r.expect(wire, .lengthDelimited, field: "ModelProto.opset_import")
                var o = try r.message()
                var opset = Opset()
                while let (n, w) = try o.nextField() {
                    switch n {
                    case 1:
                        try o.expect(w, .lengthDelimited, field: "OperatorSetIdProto.domain")
                        opset.domain = try o.string()
                    case 2:
                        try o.expect(w, .varint, field: "OperatorSetIdProto.version")
                        opset.version = try o.int64()
                    default: try o.skip(w)
                    }
                }
                opsets.append(opset)
            default:
                try r.skip(wire)
            }
        }
        guard sawGraph else { throw ProtobufReader.Malformed(problem: "no graph (not an ONNX model?)", offset: 0) }
    }

    static func graph(_ r: inout Reader) throws(ProtobufReader.Malformed) -> Graph {
        var g = Graph()
        while let (number, wire) = try r.nextField() {
            switch number {
            case 1:
                try r.expect(wire, .lengthDelimited, field: "GraphProto.node")
                var n = try r.message()
                g.nodes.append(try node(&n))
            case 2:
                try r.expect(wire, .lengthDelimited, field: "GraphProto.name")
                g.name = try r.string()
            case 5:
                try r.expect(wire, .lengthDelimited, field: "GraphProto.initializer")
                var t = try r.message()
                g.initializers.append(try tensor(&t))
            case 11, 12, 13:
                try r.expect(wire, .lengthDelimited, field: "GraphProto.input/output/value_info")
                var v = try r.message()
                let info = try valueInfo(&v)
                if number == 11 { g.inputs.append(info) } else if number == 12 { g.outputs.append(info) } else {
                    g.valueInfo.append(info)
                }
            default:
                try r.skip(wire)
            }
        }
        return g
    }

    static func node(_ r: inout Reader) throws(ProtobufReader.Malformed) -> Node {
        var n = Node()
        while let (number, wire) = try r.nextField() {
            switch number {
            case 1, 2, 3, 4, 7:
                try r.expect(wire, .lengthDelimited, field: "NodeProto field \(number)")
                let s = try r.string()
                switch number {
                case 1: n.inputs.append(s)
                case 2: n.outputs.append(s)
                case 3: n.name = s
                case 4: n.opType = s
                default: n.domain = s
                }
            case 5:
                try r.expect(wire, .lengthDelimited, field: "NodeProto.attribute")
                var a = try r.message()
                n.attributes.append(try attribute(&a))
            default:
                try r.skip(wire)
            }
        }
        return n
    }

    static func attribute(_ r: inout Reader) throws(ProtobufReader.Malformed) -> Attribute {
        var name = "", type: Int64 = 0
        var f: Float?, i: Int64?, s: String?
        var floats: [Float] = [], ints: [Int64] = [], strings: [String] = []
        while let (number, wire) = try r.nextField() {
            switch number {
            case 1: try r.expect(wire, .lengthDelimited, field: "AttributeProto.name"); name = try r.string()
            case 20: try r.expect(wire, .varint, field: "AttributeProto.type"); type = try r.int64()
            case 2: try r.expect(wire, .fixed32, field: "AttributeProto.f"); f = Float(bitPattern: try r.fixed32())
            case 3: try r.expect(wire, .varint, field: "AttributeProto.i"); i = try r.int64()
            case 4: try r.expect(wire, .lengthDelimited, field: "AttributeProto.s"); s = try r.string()
            case 7: floats += try r.floats(wire)
            case 8: ints += try r.int64s(wire)
            case 9:
                try r.expect(wire, .lengthDelimited, field: "AttributeProto.strings")
                strings.append(try r.string())
            default: try r.skip(wire)
            }
        }
        let value: Attribute.Value
        switch type {
        case 1: value = .float(f ?? 0)
        case 2: value = .int(i ?? 0)
        case 3: value = .string(s ?? "")
        case 6: value = .floats(floats)
        case 7: value = .ints(ints)
        case 8: value = .strings(strings)
        default: value = .other(type)
        }
        return Attribute(name: name, value: value)
    }

    static func tensor(_ r: inout Reader) throws(ProtobufReader.Malformed) -> Tensor {
        var t = Tensor()
        while let (number, wire) = try r.nextField() {
            switch number {
            case 1: t.dims += try r.int64s(wire)
            case 8: try r.expect(wire, .lengthDelimited, field: "TensorProto.name"); t.name = try r.string()
            default: try r.skip(wire)
            }
        }
        return t
    }

    static func valueInfo(_ r: inout Reader) throws(ProtobufReader.Malformed) -> ValueInfo {
        var v = ValueInfo()
        while let (number, wire) = try r.nextField() {
            switch number {
            case 1: try r.expect(wire, .lengthDelimited, field: "ValueInfoProto.name"); v.name = try r.string()
            case 2:
                try r.expect(wire, .lengthDelimited, field: "ValueInfoProto.type")
                var type = try r.message()
                while let (n, w) = try type.nextField() {
                    guard n == 1 else { try type.skip(w); continue }  // TypeProto.tensor_type
                    try type.expect(w, .lengthDelimited, field: "TypeProto.tensor_type")
                    var tensor = try type.message()
                    while let (tn, tw) = try tensor.nextField() {
                        guard tn == 2 else { try tensor.skip(tw); continue }  // Tensor.shape
                        try tensor.expect(tw, .lengthDelimited, field: "TypeProto.Tensor.shape")
                        var shape = try tensor.message()
                        var dims: [Int64?] = []
                        while let (sn, sw) = try shape.nextField() {
                            guard sn == 1 else { try shape.skip(sw); continue }  // TensorShapeProto.dim
                            try shape.expect(sw, .lengthDelimited, field: "TensorShapeProto.dim")
                            var dim = try shape.message()
                            var size: Int64?
                            while let (dn, dw) = try dim.nextField() {
                                if dn == 1 {
                                    try dim.expect(dw, .varint, field: "Dimension.dim_value")
                                    size = try dim.int64()
                                } else {
                                    try dim.skip(dw)
                                }
                            }
                            dims.append(size)
                        }
                        v.shape = dims
                    }
                }
            default: try r.skip(wire)
            }
        }
        return v
    }
}
