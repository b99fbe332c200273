import Foundation
import XCTest

/// ONNX models through the built binary (issue 14): a streaming model on a ZigZag YAML
/// accelerator through ACCO, an image CNN study, and the flags that say how a model is read.
extension CommandLineTests {
    static let reference = root.appendingPathComponent("Tests/TasksTests/Reference").path

    /// The streaming audio model (ONNX) on ZigZag's own Meta prototype YAML, through `trunk`:
    /// the same answer as from the JSON form of that hierarchy; the first range (conv1 alone)
    /// offloads conv1's output once per window: 32 channels × 64 frames (the causal transform runs
    /// it at the input's rate, twice its strided 32) × 1 byte = 2,048 bytes.
    func testAStreamingONNXModelRunsThroughACCOOnAZigZagAccelerator() throws {
        var outputs: [String] = []
        for hardware in [Self.zigzag + "/hardware/meta_prototype.yaml",
                         Self.reference + "/meta_prototype-3.9.1-as-json.json"] {
            let o = try run(["trunk", "--hardware", hardware,
                             "--mapping", Self.zigzag + "/mapping/meta_prototype_like.yaml",
                             "--workload", Self.reference + "/onnx-audio-1d.onnx", "--tile", "4x1", "--json",
                             "--cache", scratch.appendingPathComponent("cache").path])
            XCTAssertEqual(o.status, 0, o.stderr)
            outputs.append(o.stdout)
        }
        XCTAssertEqual(outputs[0], outputs[1])
        let ranges = try XCTUnwrap(try json(outputs[0])["ranges"] as? [[String: Any]])
        let first = try XCTUnwrap(ranges.first { $0["cut_before"] is NSNull && $0["cut_after"] as? Int == 0 })
        XCTAssertEqual((first["window"] as? [String: Any])?["offloaded_bytes"] as? Int, 2_048)
    }

    /// An image CNN (`"causal": false`) in a study is evaluated once over its whole input, as
    /// `accomake stack` evaluates it: with one trunk and one tile, the study's latency is the
    /// stack's, and its energy the stack's total less the fractions of a pJ Step 2 truncates per
    /// key (acco.md §6.1: 5 layers and their copies, under 12 pJ in all). No warm-up or stable rows.
    func testAnImageCNNStudyAnswersWhatTheStackCommandComputes() throws {
        let model = Self.reference + "/onnx-wide-2d.onnx"
        let hardware = Self.project("hardware/meta_prototype_df.json")
        let mapping = Self.project("mappings/meta_prototype_df.json")
        let studyPath = scratch.appendingPathComponent("image.json").path
        try """
            {"accelerators": [{"hardware": "\(hardware)", "mapping": "\(mapping)"}],
             "workloads": [{"workload": "\(model)", "causal": false, "max_cuts": 0}],
             "sweep": {"tile_x": [4], "tile_y": [4], "modes": ["fully-cached"], "objectives": ["energy"]},
             "allocation": {"objectives": ["energy"], "table": "window"}}
            """.write(toFile: studyPath, atomically: true, encoding: .utf8)
        let cache = scratch.appendingPathComponent("cache").path
        let study = try run(["run", studyPath, "--json", "--cache", cache])
        XCTAssertEqual(study.status, 0, study.stderr)
        let result = try XCTUnwrap((try json(study.stdout)["results"] as? [[String: Any]])?.first)
        XCTAssertEqual(result["causal"] as? Bool, false)
        let best = try XCTUnwrap((result["best"] as? [String: [String: Any]])?["energy"])
        XCTAssertNil(best["warmup"])
        XCTAssertNil(best["stable_per_frame"])
        let stack = try run(["stack", "--hardware", hardware, "--mapping", mapping, "--workload", model,
                             "--tile", "4x4", "--json", "--cache", cache])
        XCTAssertEqual(stack.status, 0, stack.stderr)
        let total = try json(stack.stdout)
        let stackEnergy = try XCTUnwrap(total["energy_total"] as? Double)
        let studyEnergy = Double(try XCTUnwrap(best["energy"] as? Int))
        XCTAssertEqual(best["latency"] as? Int, total["latency_total"] as? Int)
        XCTAssertLessThanOrEqual(studyEnergy, stackEnergy)
        XCTAssertGreaterThan(studyEnergy, stackEnergy - 12)

        // The report says which kind of network it is, and has no warm-up/stable section.
        let out = scratch.appendingPathComponent("report").path
        let report = try run(["report", studyPath, "--out", out, "--cache", cache])
        XCTAssertEqual(report.status, 0, report.stderr)
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        XCTAssertTrue(html.contains("<p>Image CNN (non-causal, whole input): 1 range × 1 tile"), html)
        XCTAssertFalse(html.contains("Warm-up and stable per frame"))
    }

    /// `--time-axis` and `--precision` say how a model is read; a bad value is one usage line.
    func testTheFlagsThatSayHowAModelIsRead() throws {
        let model = Self.reference + "/onnx-wide-2d.onnx"
        let o = try run(["workload", model, "--time-axis", "x", "--precision", "W=4,O_final=6", "--json"])
        XCTAssertEqual(o.status, 0, o.stderr)
        let conv = try XCTUnwrap((try json(o.stdout)["nodes"] as? [[String: Any]])?[1])
        let loops = try XCTUnwrap(conv["loop_sizes"] as? [String: Int])
        XCTAssertEqual([loops["OY"], loops["OX"], loops["FY"], loops["FX"]], [23, 20, 5, 3], "the 40×24 map, W as time")
        XCTAssertEqual(conv["precision"] as? [String: Int], ["I": 8, "O": 16, "O_final": 6, "W": 4])
        XCTAssertEqual(conv["padding"] as? [String: [Int]], ["IY": [2, 1], "IX": [1, 0]])
        let bad = try run(["workload", model, "--time-axis", "t"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertEqual(bad.stderr,
                       "accomake: --time-axis t: expected y (the first spatial axis, H) or x (the last, W)\n")
    }
}
