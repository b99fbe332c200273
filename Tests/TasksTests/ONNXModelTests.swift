import Foundation
@testable import Tasks
import XCTest

/// The protobuf and ONNX reader (issue 14): ZigZag 3.9.1's three ONNX models read exactly as the
/// onnx Python package reads them, and malformed bytes are one clear error, never a crash.
final class ONNXModelTests: XCTestCase {
    static let models = ReferenceData.folder.appendingPathComponent("zigzag-3.9.1/workload")

    /// The model the reference file describes, built from its JSON.
    func expected(_ m: [String: Any]) throws -> ONNXModel {
        func strings(_ x: Any?) -> [String] { x as? [String] ?? [] }
        func info(_ x: Any) throws -> ONNXModel.ValueInfo {
            let pair = try XCTUnwrap(x as? [Any])
            let shape = (pair[1] as? [Any]).map { $0.map { ($0 as? NSNumber).map { $0.int64Value } } }
            return ONNXModel.ValueInfo(name: try XCTUnwrap(pair[0] as? String), shape: shape)
        }
        var model = ONNXModel()
        model.irVersion = try XCTUnwrap(m["ir_version"] as? Int64)
        model.opsets = try XCTUnwrap(m["opsets"] as? [[Any]]).map {
            ONNXModel.Opset(domain: $0[0] as? String ?? "?", version: ($0[1] as? NSNumber)?.int64Value ?? -1)
        }
        let g = try XCTUnwrap(m["graph"] as? [String: Any])
        model.graph.name = try XCTUnwrap(g["name"] as? String)
        model.graph.nodes = try XCTUnwrap(g["nodes"] as? [[String: Any]]).map { n in
            ONNXModel.Node(name: n["name"] as? String ?? "?", opType: n["op_type"] as? String ?? "?",
                           domain: n["domain"] as? String ?? "?", inputs: strings(n["inputs"]),
                           outputs: strings(n["outputs"]),
                           attributes: try XCTUnwrap(n["attributes"] as? [[Any]]).map { a in
                               let v = try XCTUnwrap(a[1] as? [String: Any])
                               let value: ONNXModel.Attribute.Value
                               if let i = v["int"] as? NSNumber { value = .int(i.int64Value) }
                               else if let f = v["float"] as? NSNumber { value = .float(f.floatValue) }
                               else if let s = v["string"] as? String { value = .string(s) }
                               else if let i = v["ints"] as? [NSNumber] { value = .ints(i.map(\.int64Value)) }
                               else if let f = v["floats"] as? [NSNumber] { value = .floats(f.map(\.floatValue)) }
                               else if let s = v["strings"] as? [String] { value = .strings(s) }
                               else { value = .other((v["other"] as? NSNumber)?.int64Value ?? -1) }
                               return ONNXModel.Attribute(name: a[0] as? String ?? "?", value: value)
                           })
        }
        model.graph.initializers = try XCTUnwrap(g["initializers"] as? [[Any]]).map {
            ONNXModel.Tensor(name: $0[0] as? String ?? "?", dims: ($0[1] as? [NSNumber] ?? []).map(\.int64Value))
        }
        model.graph.inputs = try XCTUnwrap(g["inputs"] as? [Any]).map(info)
        model.graph.outputs = try XCTUnwrap(g["outputs"] as? [Any]).map(info)
        model.graph.valueInfo = try XCTUnwrap(g["value_info"] as? [Any]).map(info)
        return model
    }

    /// alexnet, resnet18 and mobilenetv2 (weights stripped to external references) decode to
    /// exactly what onnx 1.23.2 reads: every node, attribute, initializer shape and value shape.
    func testTheShippedModelsReadAsTheONNXPackageReadsThem() throws {
        let reference = try XCTUnwrap(try ReferenceData.json("zigzag-onnx-as-read-by-onnx.json")["models"]
            as? [String: [String: Any]])
        XCTAssertEqual(reference.keys.sorted(), ["alexnet", "mobilenetv2", "resnet18"])
        for (name, m) in reference {
            let bytes = [UInt8](try Data(contentsOf: Self.models.appendingPathComponent("\(name).onnx")))
            let ours = try ONNXModel(bytes)
            let theirs = try expected(m)
            XCTAssertEqual(ours.graph.nodes.count, theirs.graph.nodes.count, name)
            for (a, b) in zip(ours.graph.nodes, theirs.graph.nodes) { XCTAssertEqual(a, b, name) }
            XCTAssertEqual(ours, theirs, name)
        }
        let resnet = try ONNXModel([UInt8](try Data(contentsOf: Self.models.appendingPathComponent("resnet18.onnx"))))
        XCTAssertEqual(resnet.graph.nodes.filter { $0.opType == "Conv" }.count, 20)
        XCTAssertEqual(resnet.graph.nodes[0].attribute("kernel_shape"), .ints([7, 7]))
        XCTAssertEqual(resnet.graph.inputs[0].shape, [1, 3, 224, 224])
    }

    func malformed(_ bytes: [UInt8], line: UInt = #line) -> ProtobufReader.Malformed? {
        do {
            _ = try ONNXModel(bytes)
            XCTFail("accepted", line: line)
            return nil
        } catch {
            return error
        }
    }

    func testMalformedBytesAreOneErrorWithTheirOffset() throws {
        let resnet = [UInt8](try Data(contentsOf: Self.models.appendingPathComponent("resnet18.onnx")))
        // Cut anywhere, the model is refused, never read short.
        for cut in [1, 7, resnet.count / 3, resnet.count / 2, resnet.count - 1] {
            let e = try XCTUnwrap(malformed(Array(resnet[..<cut])), "cut at \(cut)")
            XCTAssertTrue(e.problem.contains("past the end") || e.problem.contains("no graph"), "\(cut): \(e)")
        }
        XCTAssertEqual(malformed([])?.problem, "no graph (not an ONNX model?)")
        // A JSON file: "{" is field 15 with wire type 3 (a group).
        XCTAssertEqual(malformed(Array("{\"layers\": []}".utf8)),
                       ProtobufReader.Malformed(problem: "wire type 3 (a group or no protobuf type)", offset: 0))
        // ir_version (field 1) written as bytes (wire type 2) instead of a number.
        XCTAssertEqual(malformed([0x0A, 0x01, 0x07])?.problem, "ModelProto.ir_version has wire type 2, not 0")
        // A varint of eleven bytes.
        XCTAssertEqual(malformed([0x08] + Array(repeating: 0xFF, count: 11) + [0x01])?.problem,
                       "a number longer than 10 bytes")
    }
}
