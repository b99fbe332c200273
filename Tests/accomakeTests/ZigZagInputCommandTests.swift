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

    /// An ONNX model is a workload like any other: `layer` on resnet18.onnx's first 3×3
    /// convolution (node 3: K 64, C 64, 56×56, 3×3) answers, its ideal cycle count being its
    /// 64·64·56·56·9 = 115,605,504 MACs over the Meta prototype's 1,024 units, all busy; bytes that
    /// are no model say why, in one line.
    func testAnONNXModelIsAWorkloadAndOtherBytesAreOneClearLine() throws {
        let cache = scratch.appendingPathComponent("cache").path
        let onnx = try run(["layer", "--hardware", Self.project("hardware/meta_prototype_df.json"), "--workload",
                            Self.zigzag + "/workload/resnet18.onnx", "--mapping",
                            Self.project("mappings/meta_prototype_df.json"), "--layer", "3", "--json",
                            "--cache", cache])
        XCTAssertEqual(onnx.status, 0, onnx.stderr)
        XCTAssertEqual(try json(onnx.stdout)["ideal_cycle"] as? Int, 115_605_504 / 1_024, onnx.stdout)

        let renamed = scratch.appendingPathComponent("renamed.onnx").path
        try FileManager.default.copyItem(atPath: Self.project("workloads/seldnet_oxoy_m.json"), toPath: renamed)
        let o = try run(["layer", "--hardware", Self.project("hardware/meta_prototype_df.json"), "--workload", renamed,
                         "--mapping", Self.project("mappings/meta_prototype_df.json"), "--layer", "1"])
        XCTAssertEqual(o.status, 2)
        XCTAssertEqual(o.stderrLines.count, 1, o.stderr)
        XCTAssertTrue(o.stderr.hasPrefix("accomake: \(renamed): $: not an ONNX model: wire type 3 (a group or no "
                                         + "protobuf type) at byte 0"), o.stderr)
    }

    /// `accomake hardware` shows the hierarchy as read: the YAML and the JSON form print the same
    /// JSON; the values are meta_prototype.yaml's (rf_1B spans D3 and D4 of a 32 × 2 × 4 × 4 array,
    /// so 64 instances; the DRAM reads at 700 pJ; I2 goes rf_1B → sram_64KB → sram_1MB_W → dram).
    func testHardwareShowsTheHierarchyAsReadFromEitherForm() throws {
        let yaml = try run(["hardware", Self.zigzag + "/hardware/meta_prototype.yaml", "--json"])
        let json = try run(["hardware", Self.root.appendingPathComponent(
            "Tests/TasksTests/Reference/meta_prototype-3.9.1-as-json.json").path, "--json"])
        XCTAssertEqual(yaml.status, 0, yaml.stderr)
        XCTAssertEqual(yaml.stdout, json.stdout)
        let object = try self.json(yaml.stdout)
        let memories = try XCTUnwrap(object["memories"] as? [[String: Any]])
        XCTAssertEqual(memories.first?["instances"] as? Int, 64)
        XCTAssertEqual(memories.last?["r_cost"] as? Double, 700)
        XCTAssertEqual((object["operands"] as? [String: [String]])?["I2"], ["rf_1B", "sram_64KB", "sram_1MB_W", "dram"])
        XCTAssertEqual(object["on_chip_bits"] as? Int, 8 * 64 + 16 * 512 + 524_288 + 262_144 + 2 * 8_388_608)
        let text = try run(["hardware", Self.zigzag + "/hardware/meta_prototype.yaml", "--mapping",
                            Self.zigzag + "/mapping/meta_prototype_like.yaml"])
        let entry = "  mapping default: D1: K 32, D2: C 2, D3: OX 4, D4: OY 4; I→I1, O→O, W→I2"
        XCTAssertTrue(text.stdout.contains(entry), text.stdout)
    }
}

extension CommandLineTests {
    /// `accomake workload` shows the network as read: resnet18's first convolution (7×7, stride 2,
    /// 64 of 3 channels, fed by the input node) and seldnet's first pooling (stride 4 along x only).
    func testWorkloadShowsTheNetworkAsRead() throws {
        let o = try run(["workload", Self.project("workloads/resnet18.json"), "--json"])
        XCTAssertEqual(o.status, 0, o.stderr)
        let nodes = try XCTUnwrap(try json(o.stdout)["nodes"] as? [[String: Any]])
        XCTAssertEqual(nodes.count, 29)
        let conv = nodes[1]
        XCTAssertEqual(conv["type"] as? String, "Conv")
        let loops = try XCTUnwrap(conv["loop_sizes"] as? [String: Int])
        XCTAssertEqual([loops["K"], loops["C"], loops["FX"], loops["FY"]], [64, 3, 7, 7])
        XCTAssertEqual(conv["strides"] as? [String: Int], ["x": 2, "y": 2])
        XCTAssertEqual(conv["dilations"] as? [String: Int], ["x": 1, "y": 1])
        XCTAssertEqual(conv["producers"] as? [String: [Int]], ["I": [-1]])
        let text = try run(["workload", Self.project("workloads/seldnet_oxoy_m.json")])
        XCTAssertTrue(text.stdout.hasPrefix("\(Self.project("workloads/seldnet_oxoy_m.json")): 9 nodes, 8 layers\n"),
                      text.stdout)
        let pooling = "   1                      Pooling     B=1 G=128 OY=64 OX=128 FX=4 FY=1        "
            + "4×1     1×1       I←0\n"
        XCTAssertTrue(text.stdout.contains(pooling), text.stdout)
    }
}
