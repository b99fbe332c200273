import Foundation
import XCTest

/// `accomake run STUDY --watch` through the built binary, as a user at an editor sees it.
extension CommandLineTests {
    /// It answers; a saved edit of the hardware file reruns the study and prints the changed field
    /// and how the best schedule moved, its new energy equal to a plain run's on the edited file;
    /// a half-written save prints its one-line error and waits; SIGINT stops it with status 0.
    func testWatchPicksUpAnEditWaitsOutABrokenSaveAndStopsOnInterrupt() throws {
        let hardware = scratch.appendingPathComponent("hardware.json").path
        let original = try String(contentsOfFile: Self.project("hardware/meta_prototype_df.json"), encoding: .utf8)
        try original.write(toFile: hardware, atomically: true, encoding: .utf8)
        let study = try writeStudy("watch.json", tileY: [16])
        try String(contentsOfFile: study, encoding: .utf8)
            .replacingOccurrences(of: Self.project("hardware/meta_prototype_df.json"), with: hardware)
            .write(toFile: study, atomically: true, encoding: .utf8)
        let watch = try start(["run", study, "--watch", "--cache", scratch.appendingPathComponent("cache").path])
        defer { _ = watch.stop(SIGKILL) }
        func rounds(_ n: Int) -> (String, String) -> Bool {
            { out, _ in out.components(separatedBy: "watching 4 input files").count - 1 >= n }
        }
        XCTAssertTrue(watch.wait(until: rounds(1)), watch.stdout + watch.stderr)
        // The whole network as one 2x16 trunk: the window energy of the reference's acco-seldnet-2x16.json.
        XCTAssertTrue(watch.stdout.contains("1545830829"), watch.stdout)

        let edited = original.replacingOccurrences(of: "\"r_cost\": 700", with: "\"r_cost\": 707")
        try edited.write(toFile: hardware, atomically: true, encoding: .utf8)
        XCTAssertTrue(watch.wait(until: rounds(2)), watch.stdout + watch.stderr)
        // The energy after the edit, from a plain run on a cache of its own.
        let plain = try run(["run", study, "--json", "--cache", scratch.appendingPathComponent("plain").path])
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let results = try XCTUnwrap(try json(plain.stdout)["results"] as? [[String: Any]])
        let best = try XCTUnwrap((results.first?["best"] as? [String: Any])?["energy"] as? [String: Any])
        let energy = try XCTUnwrap(best["energy"] as? Int)
        XCTAssertGreaterThan(energy, 1_545_830_829, "a dearer DRAM read costs more")
        let percent = String(format: "%.1f", Double(energy - 1_545_830_829) / 1_545_830_829 * 100)
        let moved = "best for energy: energy 1,545,830,829 → \(Self.grouped(energy)) pJ (+\(percent) %), latency "
        for line in ["hardware.json changed", "changed memories.dram.r_cost: 700 → 707", moved] {
            XCTAssertTrue(watch.stdout.contains(line), "\(line)\n---\n\(watch.stdout)")
        }

        // Half-written: one error line, then it waits; the next good save is answered. (Saved by
        // rename, so that no poll can see the moment between truncating and writing.)
        try "{\"name\": ".write(toFile: hardware, atomically: true, encoding: .utf8)
        XCTAssertTrue(watch.wait(until: { out, err in rounds(3)(out, err) && err.contains("not valid JSON") }),
                      watch.stdout + watch.stderr)
        XCTAssertEqual(watch.stderr.split(separator: "\n").filter { $0.contains("hardware.json") }.count, 1,
                       watch.stderr)
        try original.write(toFile: hardware, atomically: true, encoding: .utf8)
        XCTAssertTrue(watch.wait(until: rounds(4)), watch.stdout + watch.stderr)
        XCTAssertTrue(watch.stdout.contains("energy \(Self.grouped(energy)) → 1,545,830,829 pJ (−"), watch.stdout)

        XCTAssertEqual(watch.stop(SIGINT), 0, watch.stderr)
        XCTAssertTrue(watch.stdout.hasSuffix("(Ctrl-C stops)\nstopped\n"), watch.stdout)
    }

    /// An edit of the budget alone: the watch keeps its graph and says so, computes only the
    /// allocation node, and its answers — read back through the shortcut its run recorded — equal
    /// a plain run's on a cache of its own (the results; the counts above them differ).
    func testWatchKeepsItsGraphAcrossABudgetEdit() throws {
        let study = try writeStudy("budget.json", tileY: [1, 16])
        let cache = scratch.appendingPathComponent("cache").path
        let watch = try start(["run", study, "--watch", "--cache", cache])
        defer { _ = watch.stop(SIGKILL) }
        func rounds(_ n: Int) -> (String, String) -> Bool {
            { out, _ in out.components(separatedBy: "watching 4 input files").count - 1 >= n }
        }
        XCTAssertTrue(watch.wait(until: rounds(1)), watch.stdout + watch.stderr)
        XCTAssertFalse(watch.stdout.contains("graph kept"), watch.stdout)
        let text = try String(contentsOfFile: study, encoding: .utf8)
        try text.replacingOccurrences(of: "\"table\": \"window\"}", with: "\"table\": \"window\", \"budget_bits\": 1}")
            .write(toFile: study, atomically: true, encoding: .utf8)
        XCTAssertTrue(watch.wait(until: rounds(2)), watch.stdout + watch.stderr)
        XCTAssertTrue(watch.stdout.contains("budget.json changed\n\(study): 1 node computed, "), watch.stdout)
        XCTAssertTrue(watch.stdout.contains(" (graph kept from the last run)\n"), watch.stdout)
        // The change is named, though the kept graph's other nodes took their fields from the record.
        XCTAssertTrue(watch.stdout.contains("\n  changed allocation.budget_bits: "), watch.stdout)
        XCTAssertEqual(watch.stop(SIGINT), 0, watch.stderr)

        let kept = try run(["run", study, "--json", "--cache", cache])
        let plain = try run(["run", study, "--json", "--cache", scratch.appendingPathComponent("plain").path])
        XCTAssertEqual(kept.status, 0, kept.stderr)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let keptResults = try XCTUnwrap(try json(kept.stdout)["results"] as? NSArray)
        XCTAssertEqual(keptResults, try XCTUnwrap(try json(plain.stdout)["results"] as? NSArray))
        XCTAssertEqual((keptResults.firstObject as? [String: Any])?["budget_bits"] as? Int, 1)
    }

    /// `1545830829` as the watch prints it: `1,545,830,829`.
    static func grouped(_ n: Int) -> String {
        var digits = Array(String(n)), out: [Character] = []
        while digits.count > 3 {
            out = [","] + digits.suffix(3) + out
            digits.removeLast(3)
        }
        return String(digits + out)
    }
}
