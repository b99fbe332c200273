import Foundation
import XCTest

/// Inputs that used to give a silently wrong or empty answer are refused with one line naming
/// the file, the place and the fix (issue 11, items 6 and 7).
final class WorkloadShapeTests: CommandLineTestCase {
    /// seldnet with one layer's input edited; written to the scratch folder.
    func seldnet(_ edit: (inout [[String: Any]]) -> Void) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.project("workloads/seldnet_oxoy_m.json")))
        var layers = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        edit(&layers)
        let path = scratch.appendingPathComponent("workload.json").path
        try JSONSerialization.data(withJSONObject: layers,
                                   options: [.prettyPrinted]).write(to: URL(fileURLWithPath: path))
        return path
    }

    func trunk(workload: String) throws -> Outcome {
        try run(["trunk", "--hardware", Self.project("hardware/meta_prototype_df.json"), "--workload", workload,
                 "--mapping", Self.project("mappings/meta_prototype_df.json"), "--tile", "2x16", "--range",
                 "none,none"])
    }

    /// Item 6: layer 3 reading the network input leaves layers 0–2 without a consumer; the
    /// answer was 89,060,439 pJ (layers 3–7 alone) instead of refusing.
    func testASecondOutputIsRefusedNotDropped() throws {
        let path = try seldnet { layers in
            let i = layers.firstIndex { $0["id"] as? Int == 3 }!
            layers[i]["operand_source"] = ["W": 3, "I": -1]
        }
        let o = try trunk(workload: path)
        XCTAssertEqual(o.status, 2)
        XCTAssertEqual(o.stderrLines.count, 1, o.stderr)
        XCTAssertTrue(o.stderr.hasPrefix("accomake: \(path):"), o.stderr)
        XCTAssertTrue(o.stderr.contains("$[id=2]: the workload has 2 outputs: nothing consumes layer "
            + "2 besides the last layer 7"),
                      o.stderr)
        XCTAssertEqual(o.stdout, "")
    }

    /// Item 7: a study in which nothing can be evaluated is an error naming why, not "0 ranges".
    func testAStudyWithNothingToEvaluateIsAnError() throws {
        func study(_ sweepExtra: String, workload: String) throws -> String {
            let path = scratch.appendingPathComponent("study.json").path
            try """
            {"accelerators": [{"hardware": "\(Self.project("hardware/meta_prototype_df.json"))",
                               "mapping": "\(Self.project("mappings/meta_prototype_df.json"))"}],
             "workloads": [{"workload": "\(workload)", "max_cuts": 1}],
             "sweep": {"tile_x": [2], "tile_y": [16], "modes": ["fully-cached"], "objectives": ["energy"]\(sweepExtra)}}
            """.write(toFile: path, atomically: false, encoding: .utf8)
            return path
        }
        let dilated = try study(", \"initial_dilation\": 64", workload: Self.project("workloads/seldnet_oxoy_m.json"))
        let o = try run(["run", dilated])
        XCTAssertEqual(o.status, 2, o.stdout)
        XCTAssertEqual(o.stderrLines.count, 1, o.stderr)
        XCTAssertTrue(o.stderr.contains("\(dilated): $.sweep.initial_dilation: no fusion range of"), o.stderr)
        XCTAssertTrue(o.stderr.contains("starts at a layer with time dilation 64 or more"), o.stderr)

        let inputOnly = scratch.appendingPathComponent("input-only.json").path
        try """
        [{"id": -1, "operator_type": "input", "loop_dims": ["B", "K", "OY", "OX"], "loop_sizes": [1, 3, 8, 8],
          "operand_precision": {"O": 8}}]
        """.write(toFile: inputOnly, atomically: false, encoding: .utf8)
        let empty = try run(["run", try study("", workload: inputOnly)])
        XCTAssertEqual(empty.status, 2, empty.stdout)
        XCTAssertEqual(empty.stderrLines.count, 1, empty.stderr)
        XCTAssertTrue(empty.stderr.contains("\(inputOnly): $: the workload has input nodes only, no layer"),
                      empty.stderr)
    }

    /// Item 8: a producer whose channels disagree with what its consumer reads is refused,
    /// naming both layers and both fields; `shape_slip` keeps a mismatch on purpose (the
    /// reference seldnet input's 3 channels, whose numbers the reference includes).
    func testChannelsThatDisagreeWithTheProducerAreRefused() throws {
        let wide = try seldnet { layers in
            let i = layers.firstIndex { $0["id"] as? Int == 2 }!
            var sizes = layers[i]["loop_sizes"] as! [Int]
            sizes[1] = 999  // layer 2's K; layer 3 (pooling) reads G 128
            layers[i]["loop_sizes"] = sizes
        }
        let o = try trunk(workload: wide)
        XCTAssertEqual(o.status, 2, o.stdout)
        XCTAssertEqual(o.stderrLines.count, 1, o.stderr)
        XCTAssertTrue(o.stderr.hasPrefix("accomake: \(wide):"), o.stderr)
        XCTAssertTrue(o.stderr.contains("$[id=3].loop_sizes: layer 3 reads I with G 128, but "
            + "its producer, layer 2 (line "), o.stderr)
        XCTAssertTrue(o.stderr.contains("declares K 999; make the two agree; to keep a mismatch on "
            + "purpose, add \"shape_slip\""),
                      o.stderr)

        // Without its shape_slip, the shipped seldnet input (K 3, layer 0 reads C 16) is refused.
        let unmarked = try seldnet { layers in layers[0]["shape_slip"] = nil }
        let u = try trunk(workload: unmarked)
        XCTAssertEqual(u.status, 2, u.stdout)
        XCTAssertTrue(u.stderr.contains("$[id=0].loop_sizes: layer 0 reads I with C 16, but its "
            + "producer, input -1 (line "), u.stderr)
        XCTAssertTrue(u.stderr.contains("declares K 3;"), u.stderr)
        let empty = try seldnet { layers in layers[0]["shape_slip"] = " " }
        XCTAssertTrue(try trunk(workload: empty).stderr.contains("shape_slip is empty"))
        // With it, the shipped file loads and gives the reference numbers (AccoSeldnetTests).
    }
}
