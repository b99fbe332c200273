import Foundation
import XCTest

/// Issue 13 through the built binary: a study with hardware axes names its variants in the
/// text and the JSON, and two accelerators with one name are one clear error.
extension CommandLineTests {
    func testASweepNamesItsVariantsInTextAndJSON() throws {
        let cache = ["--cache", scratch.appendingPathComponent("cache").path]
        let study = try writeStudy("sweep.json", tileY: [16],
                                   accelerator: #", "axes": {"memories.sram_1MB_A.size": [4194304, 8388608]}"#)
        let names = ["Meta_prototype_DF[sram_1MB_A.size=512KiB]", "Meta_prototype_DF[sram_1MB_A.size=1MiB]"]
        let json = try run(["run", study, "--json"] + cache)
        XCTAssertEqual(json.status, 0, json.stderr)
        for name in names { XCTAssertTrue(json.stdout.contains("\"hardware\": \"\(name)\""), json.stdout) }
        // The variants side by side: one group (seldnet, fully cached, energy), a row per variant, the front.
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let groups = try XCTUnwrap(object?["variants"] as? [[String: Any]])
        XCTAssertEqual(groups.count, 1)
        let rows = try XCTUnwrap(groups[0]["variants"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["hardware"] as? String }, names)
        XCTAssertEqual((rows[0]["axes"] as? [String: Any])?["memories.sram_1MB_A.size"] as? Int, 4_194_304)
        XCTAssertEqual(groups[0]["differing_axes"] as? [String], ["memories.sram_1MB_A.size"])
        let front = try XCTUnwrap(groups[0]["front"] as? [[String: Any]])
        XCTAssertFalse(front.isEmpty)
        XCTAssertTrue(front.allSatisfy { names.contains($0["hardware"] as? String ?? "") })
        let text = try run(["run", study] + cache)
        XCTAssertEqual(text.status, 0, text.stderr)
        for name in names { XCTAssertTrue(text.stdout.contains(name + " · seldnet_oxoy_m"), text.stdout) }
    }

    func testTwoAcceleratorsWithOneNameAreRefused() throws {
        let again = #"}, {"hardware": "\#(Self.project("hardware/meta_prototype_df.json"))", "#
            + #""mapping": "\#(Self.project("mappings/meta_prototype_df.json"))""#
        let study = try writeStudy("twice.json", tileY: [16], accelerator: again)
        let o = try run(["run", study])
        XCTAssertEqual(o.status, 2)
        XCTAssertEqual(o.stderrLines.count, 1, o.stderr)
        XCTAssertTrue(o.stderr.contains("$.accelerators[0] and $.accelerators[1] are both named Meta_prototype_DF"),
                      o.stderr)
    }

    /// A variant whose activation buffer holds no tile is infeasible, with the reason; the other
    /// variant still answers and the run succeeds.
    func testAnInfeasibleVariantIsReportedAndTheOthersFinish() throws {
        let cache = ["--cache", scratch.appendingPathComponent("cache").path]
        let study = try writeStudy("tiny.json", tileY: [16],
                                   accelerator: #", "axes": {"memories.sram_1MB_A.size": [8192, 8388608]}"#)
        let text = try run(["run", study] + cache)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("Meta_prototype_DF[sram_1MB_A.size=1MiB] · seldnet_oxoy_m"), text.stdout)
        XCTAssertTrue(text.stdout.contains("1 of 2 problems infeasible:\n  Meta_prototype_DF[sram_1MB_A.size=1KiB] · "
                                           + "seldnet_oxoy_m · fully-cached · mapping objective energy: layer 1 fits "
                                           + "no mapping at tile 2×16"), text.stdout)
        let json = try run(["run", study, "--json"] + cache)
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let infeasible = try XCTUnwrap(object?["infeasible"] as? [[String: Any]])
        XCTAssertEqual(infeasible.map { $0["hardware"] as? String }, ["Meta_prototype_DF[sram_1MB_A.size=1KiB]"])
        XCTAssertEqual((object?["results"] as? [Any])?.count, 1)
    }
}
