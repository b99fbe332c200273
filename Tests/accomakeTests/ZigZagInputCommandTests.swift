import Foundation
import XCTest

/// ZigZag's YAML files given to the built binary (issue 14), as a user would give them.
extension CommandLineTests {
    static let zigzag = root.appendingPathComponent("Tests/TasksTests/Reference/zigzag-3.9.1").path

    /// One hierarchy, from ZigZag 3.9's YAML and from the JSON form: the same `layer` answers
    /// (every field of `--json`) on two SELDnet layers — the second read is even answered from the
    /// cache, because both forms make the same layer-search key.
    func testTheYAMLAndTheJSONFormOfOneHierarchyGiveEqualLayerAnswers() throws {
        let yaml = Self.zigzag + "/hardware/meta_prototype.yaml"
        let json = Self.root.appendingPathComponent("Tests/TasksTests/Reference/meta_prototype-3.9.1-as-json.json").path
        for layer in ["1", "3"] {
            var outputs: [String] = []
            for hardware in [yaml, json] {
                let o = try run(["layer", "--hardware", hardware,
                                 "--workload", Self.project("workloads/seldnet_oxoy_m.json"),
                                 "--mapping", Self.zigzag + "/mapping/meta_prototype_like.yaml", "--layer", layer,
                                 "--json", "--cache", scratch.appendingPathComponent("cache").path])
                XCTAssertEqual(o.status, 0, o.stderr)
                outputs.append(o.stdout)
            }
            XCTAssertTrue(outputs[0].contains("\"source\": \"computed\""), outputs[0])
            XCTAssertTrue(outputs[1].contains("\"source\": \"from cache\""), outputs[1])
            XCTAssertEqual(outputs[0].replacingOccurrences(of: "\"source\": \"computed\"", with: ""),
                           outputs[1].replacingOccurrences(of: "\"source\": \"from cache\"", with: ""),
                           "layer \(layer)")
            XCTAssertTrue(outputs[0].contains("\"energy\""), outputs[0])
        }
    }

    /// A hardware YAML accomake does not model is refused in one line naming the file, the line,
    /// the field and the feature.
    func testAnInMemoryComputingArrayIsRefusedInOneLine() throws {
        let o = try run(["layer", "--hardware", Self.zigzag + "/hardware/aimc.yaml", "--workload",
                         Self.project("workloads/seldnet_oxoy_m.json"), "--mapping",
                         Self.zigzag + "/mapping/default.yaml", "--layer", "1"])
        XCTAssertEqual(o.status, 2)
        XCTAssertEqual(o.stderrLines.count, 1, o.stderr)
        XCTAssertTrue(o.stderr.hasPrefix("accomake: \(Self.zigzag)/hardware/aimc.yaml:127: $.operational_array.is_imc: "
                                         + "in-memory-computing arrays are not modelled"), o.stderr)
    }

    /// An ONNX model is decoded but not yet a workload: one line that says so (with its 49 nodes,
    /// as the onnx package counts them); bytes that are no model say why.
    func testAnONNXWorkloadIsOneClearLine() throws {
        for (file, expected) in [(Self.zigzag + "/workload/resnet18.onnx",
                                  "an ONNX model (49 nodes) cannot be used as a workload yet"),
                                 (Self.project("workloads/seldnet_oxoy_m.json"), "")] {
            var path = file
            if expected.isEmpty {  // a JSON workload renamed .onnx
                path = scratch.appendingPathComponent("renamed.onnx").path
                try FileManager.default.copyItem(atPath: file, toPath: path)
            }
            let o = try run(["layer", "--hardware", Self.project("hardware/meta_prototype_df.json"), "--workload", path,
                             "--mapping", Self.project("mappings/meta_prototype_df.json"), "--layer", "1"])
            XCTAssertEqual(o.status, 2)
            XCTAssertEqual(o.stderrLines.count, 1, o.stderr)
            let problem = expected.isEmpty ? "not an ONNX model: wire type 3 (a group or no protobuf type) at byte 0"
                : expected
            XCTAssertTrue(o.stderr.hasPrefix("accomake: \(path): $: \(problem)"), o.stderr)
        }
    }
}
