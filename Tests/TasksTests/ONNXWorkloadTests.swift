import Foundation
@testable import Tasks
import XCTest

/// ONNX models as workloads (issue 14): the Conv and Gemm layers agree with ZigZag 3.9.1's own
/// ONNX parser on the three models its package ships (zigzag-onnx-layers.json, written by
/// Reference/scripts/zigzag-onnx-layers.py), shapes the model does not declare are inferred as
/// onnx's shape inference infers them, and bad graphs are one error naming the node.
final class ONNXWorkloadTests: XCTestCase {
    static let zigzagModels = ReferenceData.folder.appendingPathComponent("zigzag-3.9.1/workload")

    func model(_ url: URL) throws -> ONNXModel { try ONNXModel([UInt8](try Data(contentsOf: url))) }
    func zigzagModel(_ name: String) throws -> ONNXModel {
        try model(Self.zigzagModels.appendingPathComponent("\(name).onnx"))
    }
    func small(_ name: String) throws -> ONNXModel { try model(ReferenceData.folder.appendingPathComponent(name)) }

    func nodes(_ model: ONNXModel, _ options: WorkloadOptions = .defaults) throws -> [WorkloadNode] {
        let nodes = try ONNXWorkload.nodes(model, file: "model.onnx", options: options)
        try WorkloadFormat.checkGraph(nodes, file: "model.onnx")
        return nodes
    }

    func sizes(_ node: WorkloadNode) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: node.loopSizes.map { ($0.dim, $0.size) })
    }

    /// Every layer ZigZag makes (it makes layers of Conv and Gemm only) is a layer of ours with
    /// the same id (the ONNX node index) and the same K, C, G, OX, OY, FX, FY, batch, strides,
    /// dilations and padding. Two deliberate differences, both in docs/formats.md: a Gemm over a
    /// flattened feature map is our convolution whose kernel covers the map (so C·FX·FY is
    /// ZigZag's C), and ZigZag's batch of a Gemm is its D.
    func testConvAndGemmLayersAgreeWithZigZagsOwnParser() throws {
        let reference = try XCTUnwrap(try ReferenceData.json("zigzag-onnx-layers.json")["models"]
            as? [String: [[String: Any]]])
        var compared = 0
        for (name, expected) in reference.sorted(by: { $0.key < $1.key }) {
            let ours = try nodes(try zigzagModel(name))
            let weighted = ours.filter { ["Conv", "Gemm", "MatMul"].contains($0.operatorType) }
            XCTAssertEqual(weighted.map(\.id), expected.compactMap { $0["id"] as? Int }, "\(name): layer ids")
            for (layer, zz) in zip(weighted, expected) {
                let what = "\(name) layer \(layer.id)"
                let zs = try XCTUnwrap(zz["loop_sizes"] as? [String: Int], what)
                let s = sizes(layer)
                XCTAssertEqual(layer.name, zz["name"] as? String, what)
                XCTAssertEqual(layer.operatorType, zz["type"] as? String, what)
                XCTAssertEqual(s["K"] ?? 1, zs["K"], what)
                if layer.operatorType == "Conv" {
                    for dim in ["C", "G", "OX", "OY", "FX", "FY", "B"] {
                        XCTAssertEqual(s[dim] ?? 1, zs[dim], "\(what) \(dim)")
                    }
                    XCTAssertEqual(layer.relations, zz["relations"] as? [String], what)
                    XCTAssertEqual(layer.padding, zz["padding"] as? [String: [Int]], what)
                } else {
                    XCTAssertEqual((s["C"] ?? 1) * (s["FX"] ?? 1) * (s["FY"] ?? 1), zs["C"], "\(what) C")
                    XCTAssertEqual(s["B"], zs["D"], "\(what) batch")
                    XCTAssertEqual([s["OX"], s["OY"]], [1, 1], what)
                }
                compared += 1
            }
        }
        XCTAssertEqual(compared, 8 + 21 + 53, "alexnet 8, resnet18 21 and mobilenetv2 53 layers in ZigZag")
    }

    /// What the other operators become: pooling (MaxPool, GlobalAveragePool), residual Adds,
    /// depthwise and grouped convolutions, and the folded operators (no layer, their consumer reads
    /// the producer). Counts from the models' operator lists (onnx 1.23).
    func testPoolingAddsAndGroupsBecomeLayersAndActivationsFold() throws {
        let resnet = try nodes(try zigzagModel("resnet18"))
        XCTAssertEqual(resnet.filter { $0.operatorType == "Add" }.count, 8)
        XCTAssertEqual(resnet.filter { $0.operatorType == "Pooling" }.count, 2, "MaxPool and GlobalAveragePool")
        XCTAssertEqual(resnet.count, 1 + 20 + 1 + 2 + 8, "input, 20 Conv, 1 Gemm, 2 pools, 8 Add; 17 Relu folded")
        let gap = try XCTUnwrap(resnet.first { $0.name == "/avgpool/GlobalAveragePool" })
        XCTAssertEqual(sizes(gap), ["B": 1, "G": 512, "OY": 1, "OX": 1, "FX": 7, "FY": 7])
        let add = try XCTUnwrap(resnet.first { $0.name == "/layer1/layer1.0/Add" })
        // layer1.0: conv2 (node 5) plus the block input, the max pool (node 2) through no Relu.
        XCTAssertEqual(add.operandSource, ["X": [5], "Y": [2]])
        XCTAssertEqual(add.precision, ["O": 16, "O_final": 8, "X": 8, "Y": 8])

        let mobilenet = try nodes(try zigzagModel("mobilenetv2"))
        let depthwise = try XCTUnwrap(mobilenet.first { $0.id == 4 })
        XCTAssertEqual(depthwise.equation, "O[b][g][oy][ox]+=W[g][fy][fx]*I[b][g][ix][iy]")
        XCTAssertEqual(sizes(depthwise), ["B": 1, "G": 32, "OY": 112, "OX": 112, "FY": 3, "FX": 3])
        XCTAssertEqual(depthwise.operandSource["I"], [0], "the Clip (ReLU6) between them is folded")

        let alexnet = try nodes(try zigzagModel("alexnet"))
        let grouped = try XCTUnwrap(alexnet.first { $0.id == 4 })
        XCTAssertEqual(grouped.equation, "O[b][g][k][oy][ox]+=W[g][k][c][fy][fx]*I[b][g][c][ix][iy]")
        XCTAssertEqual(grouped.operandSource["I"], [3], "the max pool, through no LRN")
        let fc6 = try XCTUnwrap(alexnet.first { $0.id == 16 })
        XCTAssertEqual(sizes(fc6), ["B": 1, "K": 4096, "C": 256, "OY": 1, "OX": 1, "FY": 6, "FX": 6],
                       "fc6 reads pool5's 256×6×6 map through Reshape")
        XCTAssertEqual(alexnet.last?.id, 22, "the Softmax after fc8 is folded")
    }

    /// The whole network back-propagated from its output (the depth-first model's valid
    /// convolutions, padding not modelled): AlexNet by hand from fc6's 6×6 kernel, each output
    /// the input its consumer needs: pool5 6 → conv5 2·5+3 = 13 → conv4 13+2 = 15 → conv3 17 →
    /// pool2 19 → conv2 2·18+3 = 39 → pool1 39+4 = 43 → conv1 2·42+3 = 87 → input 4·86+11 = 355.
    func testAnONNXNetworkBackPropagatesAtFullSize() throws {
        let files = ProblemFiles(hardware: ReferenceData.repository.path + "/projects/hardware/meta_prototype_df.json",
                                 workload: Self.zigzagModels.appendingPathComponent("alexnet.onnx").path,
                                 mapping: ReferenceData.repository.path + "/projects/mappings/meta_prototype_df.json")
        let (network, _) = try ProblemLoader.network(files)
        let oy = { (id: Int) in network.node(id)?.size("OY") }
        XCTAssertEqual([oy(14), oy(12), oy(10), oy(8), oy(7), oy(4), oy(3), oy(0)], [6, 13, 15, 17, 19, 39, 43, 87])
        XCTAssertEqual(network.node(-1)?.inputSizes.map(\.size), [1, 3, 355, 355])
    }

    /// A model without value_info and with its weights inline: every shape inferred, equal to
    /// what onnx 1.23's shape inference gives (c1 [1,32,32], c2 [1,32,32], p2 [1,32,16],
    /// c3 [1,32,16], head [1,8,14]); a 1-D model streams along its one axis (OY).
    func testShapesAreInferredWhenTheModelDoesNotDeclareThem() throws {
        let audio = try nodes(try small("onnx-audio-1d.onnx"))
        XCTAssertEqual(audio.map(\.name), ["x", "conv1", "conv2", "pool2", "skip", "residual", "head"])
        XCTAssertEqual(audio.map { sizes($0)["OY"] }, [64, 32, 32, 16, 16, 16, 14])
        XCTAssertEqual(audio.map { sizes($0)["OX"] }, [1, 1, 1, 1, 1, 1, 1])
        XCTAssertEqual(audio[1].relations, ["ix=1*ox+1*fx", "iy=2*oy+1*fy"])
        XCTAssertEqual(audio[2].relations, ["ix=1*ox+1*fx", "iy=1*oy+2*fy"], "conv2's dilation 2")
        XCTAssertEqual(audio[2].padding, ["IY": [2, 2], "IX": [0, 0]])
        XCTAssertEqual(audio[5].operandSource, ["X": [3], "Y": [4]])

        // onnx: c1 [1,12,20,23], p1 [1,12,10,8] (ceil_mode), y [1,10]; kernel 3×5, strides 2×1.
        let wide = try nodes(try small("onnx-wide-2d.onnx"))
        XCTAssertEqual(wide.map(\.operatorType), ["input", "Conv", "Pooling", "Pooling", "Gemm"])
        XCTAssertEqual(sizes(wide[1]), ["B": 1, "K": 12, "C": 3, "OY": 20, "OX": 23, "FY": 3, "FX": 5])
        XCTAssertEqual(wide[1].relations, ["ix=1*ox+1*fx", "iy=2*oy+1*fy"])
        XCTAssertEqual(wide[1].padding, ["IY": [1, 0], "IX": [2, 1]])
        XCTAssertEqual([sizes(wide[2])["OY"], sizes(wide[2])["OX"]], [10, 8])
        XCTAssertEqual(sizes(wide[4]), ["B": 1, "K": 10, "C": 12, "OY": 1, "OX": 1, "FY": 1, "FX": 1])

        // The same model with the time axis on x: every Y and X swapped.
        let swapped = try nodes(try small("onnx-wide-2d.onnx"), WorkloadOptions(timeAxis: .x))
        XCTAssertEqual(sizes(swapped[1]), ["B": 1, "K": 12, "C": 3, "OY": 23, "OX": 20, "FY": 5, "FX": 3])
        XCTAssertEqual(swapped[1].relations, ["ix=2*ox+1*fx", "iy=1*oy+1*fy"])
        XCTAssertEqual(swapped[1].padding, ["IY": [2, 1], "IX": [1, 0]])
        XCTAssertEqual(swapped[0].loopSizes.map(\.size), [1, 3, 24, 40])
    }

    /// The declared and the inferred shapes agree on ZigZag's models: without their value_info
    /// every layer comes out the same.
    func testInferredShapesEqualTheDeclaredOnes() throws {
        for name in ["alexnet", "resnet18", "mobilenetv2"] {
            var stripped = try zigzagModel(name)
            stripped.graph.valueInfo = []
            XCTAssertEqual(try nodes(stripped), try nodes(try zigzagModel(name)), name)
        }
    }

    func testPrecisionsDefaultToZigZagsAndCanBeChanged() throws {
        let defaults = try nodes(try small("onnx-wide-2d.onnx"))
        XCTAssertEqual(defaults[0].precision, ["O": 8])
        XCTAssertEqual(defaults[1].precision, ["W": 8, "I": 8, "O": 16, "O_final": 8])
        var precision = try XCTUnwrap(WorkloadOptions.precision(parsing: "W=4,I=6,O=24,O_final=6"))
        XCTAssertNil(WorkloadOptions.precision(parsing: "W=4,Q=2"))
        XCTAssertNil(WorkloadOptions.precision(parsing: "W=0"))
        let changed = try nodes(try small("onnx-wide-2d.onnx"), WorkloadOptions(precision: precision))
        XCTAssertEqual(changed[0].precision, ["O": 6])
        XCTAssertEqual(changed[1].precision, ["W": 4, "I": 6, "O": 24, "O_final": 6])
        XCTAssertEqual(changed[2].precision, ["W": 0, "I": 6, "O": 24, "O_final": 6], "pooling has no weights")
        precision.weights = 2
        XCTAssertEqual(precision["W"], 2)
    }

    /// Each bad graph is one error naming the node and what to do.
    func testBadGraphsAreOneErrorNamingTheNode() throws {
        func refusal(_ edit: (inout ONNXModel) -> Void) throws -> String {
            var m = try zigzagModel("resnet18")
            edit(&m)
            do {
                _ = try nodes(m)
                return "accepted"
            } catch { return "\(error)" }
        }
        XCTAssertEqual(try refusal { $0.graph.nodes[1].opType = "Mish" },
                       "model.onnx: graph.node[1] \"/relu/Relu\" (Mish): operator Mish is not modelled; accomake reads "
                           + ONNXWorkload.supportedList + "; replace or remove the node before exporting")
        XCTAssertEqual(try refusal { $0.graph.nodes[3].inputs[0] = "nowhere" },
                       "model.onnx: graph.node[3] \"/layer1/layer1.0/conv1/Conv\" (Conv): input \"nowhere\" is not "
                           + "produced by any node, nor a graph input or initializer (a dangling input); export the "
                           + "model again, or declare \"nowhere\" as a graph input")
        let cycle = try refusal { $0.graph.nodes[0].inputs[0] = $0.graph.nodes[5].outputs[0] }
        XCTAssertEqual(cycle, "model.onnx: graph.node[0] \"/conv1/Conv\" (Conv): reads "
                           + "\"/layer1/layer1.0/conv2/Conv_output_0\", "
                           + "the output of graph.node[5] \"/layer1/layer1.0/conv2/Conv\" (Conv), a node that does not "
                           + "come before it (a cycle, or nodes out of order); export the model again; ONNX requires "
                           + "the nodes in topological order")
        let duplicate = try refusal { $0.graph.nodes[2].outputs[0] = $0.graph.nodes[0].outputs[0] }
        XCTAssertTrue(duplicate.contains("is also the output of graph.node[0]"), duplicate)
        let symbolic = try refusal { $0.graph.inputs[0].shape = [1, 3, nil, 224] }
        XCTAssertEqual(symbolic, "model.onnx: graph: the model input \"input.1\" has no fixed shape; export the model "
                           + "with fixed input sizes (a symbolic batch is read as 1)")
        let noShape = try refusal { m in
            m.graph.valueInfo = []
            m.graph.nodes[0].attributes.removeAll { $0.name == "kernel_shape" }
            m.graph.initializers.removeAll { $0.name == m.graph.nodes[0].inputs[1] }
        }
        XCTAssertTrue(noShape.contains("dangling input"), noShape)
    }
}
