import Cache
import Foundation
import Graph
import XCTest

/// The command-line tool as a user meets it: the built `accomake` binary run as a process, its
/// exit status, stdout and stderr. Errors are one line naming what is wrong and the fix; numbers
/// printed are the reference's (Tests/TasksTests/Reference) and the same bytes on every run.
final class CommandLineTests: CommandLineTestCase {
    func testCommandHelpPrintsThatCommandsUsage() throws {
        let o = try run(["trunk", "--help"])
        XCTAssertEqual(o.status, 0)
        XCTAssertTrue(o.stdout.hasPrefix("usage: accomake trunk [options]\n"), o.stdout)
        XCTAssertTrue(o.stdout.contains("  --range A,B             Only the range after layer A through layer B "
                                        + "(none for an open end).\n" + String(repeating: " ", count: 26)
                                        + "Default: every range. Example: --range none,3\n"), o.stdout)
        XCTAssertFalse(o.stdout.contains("bench engine"), "only the trunk entry")
        XCTAssertEqual(o.stderr, "")
    }

    /// Issue 15: the top-level help groups the commands by task; every command's --help gives
    /// each option its meaning, its default (or "Required.") and an example, and ends with
    /// examples. The commands are read from the top-level help itself, so a new one is covered.
    func testEveryCommandsHelpGivesEachOptionItsMeaningDefaultAndExample() throws {
        let overview = try run(["--help"])
        XCTAssertEqual(overview.status, 0)
        let groups = overview.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") && $0.hasSuffix(":") }
        XCTAssertEqual(groups, ["Run a study:", "Inspect your inputs:", "One problem at a time:", "The cache:",
                                "Benchmarks (release builds; figures in the README):"])
        let commands = overview.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }
            .map { line in line.split(separator: " ").prefix { $0.first?.isLowercase ?? false }.joined(separator: " ") }
        XCTAssertEqual(commands.count, 23, "\(commands)")
        var checked = 0
        for command in commands {
            let help = try run(command.split(separator: " ").map(String.init) + ["--help"])
            XCTAssertEqual(help.status, 0, command)
            XCTAssertTrue(help.stdout.hasPrefix("usage: accomake \(command)"), help.stdout)
            XCTAssertTrue(help.stdout.contains("\nexamples:\n  accomake \(command)"), help.stdout)
            // The option entries: a line "  --name [VALUE]  meaning…" and its indented continuation.
            guard let options = help.stdout.components(separatedBy: "\noptions:\n").dropFirst().first?
                .components(separatedBy: "\n\nexamples:").first else { continue }
            var entries: [String] = []
            for line in options.split(separator: "\n") {
                if line.hasPrefix("  -") { entries.append(String(line)) } else { entries[entries.count - 1] += line }
            }
            for entry in entries {
                let flat = entry.split(whereSeparator: \.isWhitespace).joined(separator: " ")
                let words = flat.split(separator: " ")
                // `--tile XxY …` takes a value, `--json Print…` does not (its meaning starts capitalised).
                let takesValue = words.count > 1 && !(words[1].first?.isUppercase ?? false && words[1].count > 3
                    && words[1].dropFirst().allSatisfy(\.isLowercase))
                XCTAssertTrue(flat.count > 20, "\(command): an option without meaning: \(flat)")
                if takesValue {
                    XCTAssertTrue(flat.contains("Required.") || flat.contains("Default:"), "\(command): \(flat)")
                    XCTAssertTrue(flat.contains("Example: "), "\(command): \(flat)")
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 60, "value options checked across the commands")
    }

    func testUnknownOptionAndCommandAreOneLineWithTheFix() throws {
        let option = try run(["trunk", "--tiles", "2x16"] + Self.seldnet)
        XCTAssertEqual(option.status, 2)
        XCTAssertEqual(option.stderrLines.count, 1, option.stderr)
        XCTAssertTrue(option.stderr.hasPrefix("accomake: trunk: unknown option --tiles (known: "), option.stderr)
        XCTAssertTrue(option.stderr.contains("--tile,"), "the known options are listed")
        let command = try run(["trunks"])
        XCTAssertEqual(command.status, 2)
        XCTAssertEqual(command.stderr, "accomake: unknown command trunks; run accomake --help for the list\n")
    }

    /// Issue 11 #17: a bad `-j` is refused before anything runs, also where the shortcut would answer.
    func testBadJobCountIsRefusedBeforeAnyWork() throws {
        for j in ["0", "abc"] {
            let o = try run(["run", Self.project("studies/quickstart.json"), "-j", j])
            XCTAssertEqual(o.status, 2)
            XCTAssertEqual(o.stderr, "accomake: -j \(j): expected a number of jobs from 1 to 1024\n")
            XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("xdg").path),
                           "no cache made")
        }
    }

    /// Issue 11 #17: `stack --cuts` names the flag and the layers one can cut after (seldnet: 0–7).
    func testStackCutsNameTheFlagAndTheLayers() throws {
        let expected = ["42": "\(Self.seldnet[3]) has no layer 42",
                        "7": "layer 7 is the last layer, so nothing follows the cut",
                        "-1": "\(Self.seldnet[3]) has no layer -1"]
        for (cut, problem) in expected.sorted(by: { $0.key < $1.key }) {
            let o = try run(["stack", "--tile", "2x16", "--mode", "fully-cached", "--cuts=\(cut)"] + Self.seldnet)
            XCTAssertEqual(o.status, 2)
            XCTAssertEqual(o.stderr,
                           "accomake: stack: --cuts \(cut): \(problem); cut after one of 0, 1, 2, 3, 4, 5, 6\n")
        }
    }

    func testBadHardwareFileNamesFileLineFieldAndFix() throws {
        let text = try String(contentsOfFile: Self.project("hardware/meta_prototype_df.json"), encoding: .utf8)
        let bad = scratch.appendingPathComponent("hw.json")
        try text.replacingOccurrences(of: "\"size\": 8,", with: "\"size\": -8,").write(to: bad, atomically: true,
            encoding: .utf8)
        var args = Self.seldnet
        args[1] = bad.path
        let o = try run(["footprint", "--tile", "2x16"] + args)
        XCTAssertEqual(o.status, 2)
        XCTAssertEqual(o.stderr, "accomake: \(bad.path):5: $.memories.rf_1B.size: size in bits -8 is not positive; "
                                 + "the size in bits must be at least 1\n")
        XCTAssertEqual(o.stdout, "")
    }

    /// Memory too small: one line naming the hardware file, the memory's size field to raise
    /// (with the bits needed) and the other fix, a smaller tile.
    func testMemoryTooSmallNamesTheFieldAndTheFix() throws {
        let text = try String(contentsOfFile: Self.project("hardware/meta_prototype_df.json"), encoding: .utf8)
        let tiny = scratch.appendingPathComponent("tiny.json")
        // Every activation memory, DRAM included, shrunk to 4096 bits.
        let shrunk = text.replacingOccurrences(of: "\"size\": 524288,", with: "\"size\": 4096,")
            .replacingOccurrences(of: "\"size\": 8388608,", with: "\"size\": 4096,")
            .replacingOccurrences(of: "\"size\": 10000000000,", with: "\"size\": 4096,")
        XCTAssertNotEqual(shrunk, text)
        try shrunk.write(to: tiny, atomically: true, encoding: .utf8)
        var args = Self.seldnet
        args[1] = tiny.path
        let o = try run(["trunk", "--tile", "2x16", "--range", "none,none", "--cache",
                         scratch.appendingPathComponent("cache").path] + args)
        XCTAssertEqual(o.status, 2)
        // The first tile's input: 3 channels (the input node's data slip, decisions.md D6) × 682
        // columns × 24 rows (16 + the 8-row halo of four 3×3 convolutions) × 8 bits = 392,832.
        XCTAssertEqual(o.stderr,
                       "accomake: trunk: \(tiny.path) with \(args[3]): no memory holds the trunk's input tile "
                           + "at tile 2×16: 392832 bits, "
                           + "and the largest on the I1 chain, dram, has 4096; raise "
                           + "memories.dram.size in the hardware file "
                           + "to at least 392832, or use a smaller tile\n")
    }

    func testMalformedJSONIsOneLineWithItsPlace() throws {
        let bad = scratch.appendingPathComponent("hw.json")
        try "{\n  \"name\": \"x\",\n  \"memories\": {\n".write(to: bad, atomically: true, encoding: .utf8)
        var args = Self.seldnet
        args[1] = bad.path
        let o = try run(["footprint", "--tile", "2x16"] + args)
        XCTAssertEqual(o.status, 2)
        XCTAssertEqual(o.stderrLines.count, 1, o.stderr)
        XCTAssertTrue(o.stderr.hasPrefix("accomake: \(bad.path):"), o.stderr)
        XCTAssertFalse(o.stderr.contains("Fatal error"))
    }

    /// The reference's footprint example: seldnet, tile 128 × 16 — whole network 19,778,048 / 19,778,048 / 14,555,648
    /// bits (total / warm-up / stable), weights 3,686,400; range (3, none) 1,703,936 / 1,703,936 /
    /// 1,536,000, weights 2,359,296. Exact.
    func testFootprintJSONCarriesTheReferenceFootprints() throws {
        let o = try run(["footprint", "--tile", "128x16", "--json", "--cache",
                         scratch.appendingPathComponent("cache").path] + Self.seldnet)
        XCTAssertEqual(o.status, 0, o.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(o.stdout.utf8)) as? [String: Any])
        let ranges = try XCTUnwrap(json["ranges"] as? [[String: Any]])
        XCTAssertEqual(ranges.count, 36)
        func bits(_ r: [String: Any], _ kind: String) -> [Int] {
            let k = r[kind] as? [String: Any]
            return [k?["peak_bits"] as? Int ?? -1, k?["weight_bits"] as? Int ?? -1]
        }
        let whole = try XCTUnwrap(ranges.first { $0["cut_before"] is NSNull && $0["cut_after"] is NSNull })
        XCTAssertEqual(bits(whole, "total"), [19_778_048, 3_686_400])
        XCTAssertEqual(bits(whole, "warmup"), [19_778_048, 3_686_400])
        XCTAssertEqual(bits(whole, "stable"), [14_555_648, 3_686_400])
        let tail = try XCTUnwrap(ranges.first { $0["cut_before"] as? Int == 3 && $0["cut_after"] is NSNull })
        XCTAssertEqual(bits(tail, "total"), [1_703_936, 2_359_296])
        XCTAssertEqual(bits(tail, "warmup"), [1_703_936, 2_359_296])
        XCTAssertEqual(bits(tail, "stable"), [1_536_000, 2_359_296])
    }

    /// acco-seldnet-2x16.json, forced cut after layer 3: range (none, 3) window energy
    /// 378,230,715 pJ, off-load 34,866,276 pJ and 365,568 B. Exact. Two fresh caches print the
    /// same bytes, and a rerun on a warm cache prints them again.
    func testTrunkJSONIsTheReferenceAndTheSameBytesEveryRun() throws {
        func trunk(_ cache: String) throws -> Outcome {
            try run(["trunk", "--tile", "2x16", "--range", "none,3", "--json", "--cache",
                     scratch.appendingPathComponent(cache).path]
                    + Self.seldnet)
        }
        let first = try trunk("a"), second = try trunk("b"), warm = try trunk("a")
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(second.stdout, first.stdout)
        XCTAssertEqual(warm.stdout, first.stdout)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        let range = try XCTUnwrap((json["ranges"] as? [[String: Any]])?.first)
        let window = try XCTUnwrap(range["window"] as? [String: Any])
        XCTAssertEqual(window["energy"] as? Int, 378_230_715)
        XCTAssertEqual(window["offload_energy"] as? Int, 34_866_276)
        XCTAssertEqual(window["offloaded_bytes"] as? Int, 365_568)
        XCTAssertEqual(range["tile_type_counts"] as? [Int], [1, 19, 1, 3, 57, 3, 1, 19, 1])
    }

    /// Garbage collection is on by default (engine.md §7): a session that ends with the cache over
    /// `ACCOMAKE_CACHE_MAX_SIZE` trims it at once; a bad setting is refused before any work.
    func testCacheIsCollectedAutomaticallyWithinItsLimit() throws {
        let cache = scratch.appendingPathComponent("cache").path
        let args = ["trunk", "--tile", "2x16", "--range", "none,3", "--cache", cache] + Self.seldnet
        let refused = try run(args, environment: ["ACCOMAKE_CACHE_MAX_SIZE": "10Q"])
        XCTAssertEqual(refused.status, 2)
        XCTAssertEqual(refused.stderr,
                       "accomake: ACCOMAKE_CACHE_MAX_SIZE=10Q: expected a number with an "
                           + "optional unit, e.g. 512M or 10G\n")
        XCTAssertEqual(refused.stdout, "")

        XCTAssertEqual(try run(args).status, 0)
        let stats = try run(["cache", "stats", "--json", "--cache", cache])
        let before = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        XCTAssertGreaterThan(before["blob_bytes"] as? Int ?? 0, 40_000,
                             "a (none, 3) evaluation stores its layer searches (43.6 kB packed)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: cache + "/last-gc"),
                      "the first session collects (no stamp yet)")

        // 20 KB is less than this trunk's results: the session's own entries go too.
        let trimmed = try run(args, environment: ["ACCOMAKE_CACHE_MAX_SIZE": "20K"])
        XCTAssertEqual(trimmed.status, 0, trimmed.stderr)
        let after = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try run(["cache", "stats", "--json",
            "--cache", cache]).stdout.utf8))
                                  as? [String: Any])
        XCTAssertLessThanOrEqual(after["blob_bytes"] as? Int ?? .max, (20 << 10) + 16)  // + the pack's header
    }

    /// `--verify` (engine.md G12): every node recomputed and compared with the cache; the answer
    /// printed is the same, stderr says how many outputs were compared.
    func testVerifyRecomputesAndComparesWithTheCache() throws {
        let args = ["trunk", "--tile", "2x16", "--range", "none,3", "--cache",
                    scratch.appendingPathComponent("cache").path] + Self.seldnet
        let first = try run(args + ["--verify"])
        XCTAssertEqual(first.status, 0, first.stderr)
        // A fresh cache: everything is computed, nothing compared.
        let prefix = "trunk --verify: 0 recomputed outputs equal the cached ones; "
        XCTAssertTrue(first.stderr.hasPrefix(prefix) && first.stderr.hasSuffix(" nodes were not cached yet "
            + "(computed, nothing to compare)\n"),
                      first.stderr)
        let computed = try XCTUnwrap(Int(first.stderr.dropFirst(prefix.count).prefix { $0.isNumber }))
        XCTAssertGreaterThan(computed, 2, "the stack, the trunk and their layer searches")
        // Again: exactly those nodes are recomputed and each compared with its cached output.
        let again = try run(args + ["--verify"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(again.stderr, "trunk --verify: \(computed) recomputed outputs equal the cached ones\n")
        XCTAssertEqual(again.stdout, first.stdout)
        XCTAssertEqual(try run(args).stdout, first.stdout)
    }

    /// `cache verify --deep` (issue 11 #19): the local cache trusts a well-formed record, so a
    /// forged one (tile 2x8's trunk entry naming tile 2x16's output) passes the blob check; the
    /// deep check recomputes the study's nodes, names the one that differs, evicts it, and the
    /// next deep check finds every output equal.
    func testDeepVerifyFindsAndEvictsAForgedEntry() throws {
        let cache = scratch.appendingPathComponent("cache").path
        let study = try writeStudy("two-tiles.json", tileY: [8, 16])
        let first = try run(["run", study, "--cache", cache, "--json"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let bytes = try XCTUnwrap(LocalCache.runRecord(root: cache,
                                                       key: URL(fileURLWithPath: study).standardizedFileURL.path))
        let trunks = try RunRecord(decoding: bytes).nodes.filter { $0.op == "accomake.trunk" }.compactMap(\.key)
        XCTAssertEqual(trunks.count, 2, "one trunk node per tile")
        do {
            let store = try LocalCache(root: cache)
            let other = try XCTUnwrap(store.lookup(trunks[1]))
            let blob = try XCTUnwrap(store.load(other.blob, size: other.size))
            try store.store(trunks[0], other, blob: blob, durationNanos: 0)
            store.flush()
        }
        let shallow = try run(["cache", "verify", "--cache", cache, "--json"])
        XCTAssertEqual(shallow.status, 0, shallow.stderr)
        XCTAssertTrue(shallow.stdout.contains("\"entries_evicted\": 0"),
                      "a well-formed record passes the blob check: \(shallow.stdout)")

        let deep = try run(["cache", "verify", "--deep", study, "--cache", cache, "--json"])
        XCTAssertEqual(deep.status, 1, deep.stderr)
        XCTAssertTrue(deep.stderr.hasPrefix("accomake: cache verify --deep \(study) --verify: 1 of "), deep.stderr)
        XCTAssertTrue(deep.stderr.contains(" differ from the cache (accomake.trunk ×1), evicted: the next "
            + "run computes them again; "),
                      deep.stderr)
        XCTAssertEqual(deep.stderr.split(separator: "\n").count, 1, deep.stderr)
        let again = try run(["cache", "verify", "--deep", study, "--cache", cache, "--json"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("1 node was not cached yet"),
                      "the evicted entry was computed anew: \(again.stderr)")
        let third = try run(["cache", "verify", "--deep", study, "--cache", cache, "--json"])
        XCTAssertEqual(third.status, 0, third.stderr)
        // Every node the cold run computed (the study's five and the layer searches they asked for).
        XCTAssertEqual(try json(third.stdout)["outputs_recomputed_equal"] as? Int,
                       try json(first.stdout)["nodes_executed"] as? Int, third.stdout)
        let answer = try run(["run", study, "--cache", cache, "--json"])
        XCTAssertEqual(try json(answer.stdout)["results"] as? [NSDictionary],
                       try json(first.stdout)["results"] as? [NSDictionary])
        XCTAssertEqual(try run(["cache", "verify", study, "--cache", cache]).status, 2,
                       "a study without --deep is a usage error")
        XCTAssertEqual(try run(["cache", "verify", "--deep", "--cache", cache]).status, 2, "--deep needs a study")
        let badSample = try run(["cache", "verify", "--deep", study, "--sample", "0", "--cache", cache])
        XCTAssertEqual(badSample.status, 2, badSample.stderr)
        XCTAssertEqual(badSample.stderr, "accomake: --sample 0: expected a whole number in 1...100\n")
    }

    /// `status` is exact: a dry run of the graph against the cache. A study file never run on this
    /// cache whose nodes another file computed is up to date; a new tile is exactly its nodes.
    func testStatusSaysExactlyWhatARunWouldCompute() throws {
        let cache = ["--cache", scratch.appendingPathComponent("cache").path]
        let original = try writeStudy("original.json", tileY: [16])
        XCTAssertEqual(try run(["status", original] + cache).stdout.split(separator: "\n").first,
                       "\(original): 0 of 3 nodes up to date, 3 would be computed")
        let ran = try run(["run", original, "--json"] + cache)
        XCTAssertEqual(ran.status, 0, ran.stderr)
        XCTAssertTrue(ran.stdout.contains("1545830829"), "the whole-network window energy of acco-seldnet-2x16.json")
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(ran.stdout.utf8)) as? [String: Any])
        let layerSearches = try XCTUnwrap(summary["nodes_executed"] as? Int) - 3  // all but stack, trunk, allocation
        XCTAssertEqual(try run(["status", original] + cache).stdout,
                       "\(original): up to date — inputs unchanged since the last complete run; `accomake run` "
                           + "reads the answers directly\n")

        // Another description: not the same study file for the shortcut, the same nodes. The
        // allocation is answered by its closure key: nothing below it is visited, so no trace is
        // replayed and no requested node counted.
        let copy = try writeStudy("copy.json", tileY: [16], description: "a copy")
        let copyStatus = try run(["status", copy] + cache).stdout.split(separator: "\n")
        XCTAssertEqual(copyStatus, ["\(copy): 3 of 3 nodes up to date, 0 would be computed"])
        // Run, the copy is answered at its allocation; `--no-shortcut` walks every node.
        XCTAssertTrue(try run(["run", copy] + cache).stdout.hasPrefix("\(copy): 0 nodes computed, 1 from cache"))
        XCTAssertTrue(try run(["run", copy, "--no-shortcut"] + cache).stdout
            .hasPrefix("\(copy): 0 nodes computed, \(layerSearches + 3) from cache"))

        let wider = try writeStudy("wider.json", tileY: [8, 16])
        let widerStatus = try run(["status", wider] + cache).stdout.split(separator: "\n")
        XCTAssertEqual(widerStatus.first, "\(wider): 2 of 5 nodes up to date, 3 would be computed")
        XCTAssertEqual(widerStatus.dropFirst().first, "to compute, by reason:")
        XCTAssertEqual(widerStatus.dropFirst(2).first,
                       "  3 (1 allocation, 1 stack, 1 trunk): new: not in the last recorded run of "
                           + "this study, nor in the cache")

        // The same as JSON, for scripts: exit 0, up_to_date false, each node with its reason.
        let json = try run(["status", wider, "--json"] + cache)
        XCTAssertEqual(json.status, 0, json.stderr)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["up_to_date"] as? Bool, false)
        XCTAssertEqual(report["shortcut"] as? Bool, false)
        XCTAssertEqual(report["nodes"] as? Int, 5)
        XCTAssertEqual(report["nodes_up_to_date"] as? Int, 2)
        let toCompute = try XCTUnwrap(report["to_compute"] as? [[String: String]])
        XCTAssertEqual(toCompute.compactMap { $0["node"]?.prefix { $0 != " " } }.sorted(), ["allocation", "stack",
            "trunk"])
        XCTAssertEqual(Set(toCompute.compactMap { $0["reason"] }),
                       ["new: not in the last recorded run of this study, nor in the cache"])
        // The tile-16 stack sits below its trunk's closure key, the tile-8 one would run: no
        // trace is replayed.
        XCTAssertEqual((report["requested"] as? [Any])?.count, 0)
        let upToDate = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try run(["status", original,
            "--json"] + cache).stdout.utf8))
                                     as? [String: Any])
        XCTAssertEqual(upToDate["up_to_date"] as? Bool, true)
        XCTAssertEqual(upToDate["shortcut"] as? Bool, true)

        // Everything evicted: the original's recorded nodes would all be computed again.
        XCTAssertEqual(try run(["cache", "gc", "--max-size", "0"] + cache).status, 0)
        let evicted = try run(["status", original] + cache).stdout.split(separator: "\n")
        XCTAssertEqual(evicted.first, "\(original): 0 of 3 nodes up to date, 3 would be computed")
        XCTAssertTrue(evicted.contains("  1 (1 stack): no longer in the cache (its result, or a result it asks for)"),
                      "\(evicted)")
        XCTAssertTrue(evicted.contains("  2 (1 allocation, 1 trunk): an input was recomputed or is dirty"),
                      "\(evicted)")
    }

    /// `status` and `explain` name an edited hardware field as the hardware file spells it
    /// (`memories.dram.r_cost: 700 → 707`), not by an internal position such as `cost[0]`.
    func testStatusNamesAnEditedHardwareFieldAsTheFileDoes() throws {
        let cache = ["--cache", scratch.appendingPathComponent("cache").path]
        let hardware = scratch.appendingPathComponent("hardware.json").path
        let original = try String(contentsOfFile: Self.project("hardware/meta_prototype_df.json"), encoding: .utf8)
        try original.write(toFile: hardware, atomically: true, encoding: .utf8)
        let study = try writeStudy("study.json", tileY: [16])
        let text = try String(contentsOfFile: study, encoding: .utf8)
            .replacingOccurrences(of: Self.project("hardware/meta_prototype_df.json"), with: hardware)
        try text.write(toFile: study, atomically: true, encoding: .utf8)
        XCTAssertEqual(try run(["run", study] + cache).status, 0)
        let edited = original.replacingOccurrences(of: "\"r_cost\": 700", with: "\"r_cost\": 707")
        XCTAssertNotEqual(edited, original, "the DRAM read cost is 700 pJ in the shipped file")
        try edited.write(toFile: hardware, atomically: true, encoding: .utf8)
        let status = try run(["status", study] + cache)
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertTrue(status.stdout.contains("changed memories.dram.r_cost: 700 → 707"), status.stdout)
        XCTAssertEqual(try run(["run", study] + cache).status, 0)
        let explain = try run(["explain", study] + cache)
        XCTAssertEqual(explain.status, 0, explain.stderr)
        XCTAssertTrue(explain.stdout.contains("changed memories.dram.r_cost: 700 → 707"), explain.stdout)

        // The same as JSON (issue 15): every node that ran, with its reason; the stack ran because of
        // the edit, the trunk and allocation above it because their input was recomputed.
        let explainJSON = try json(try run(["explain", study, "--json"] + cache).stdout)
        XCTAssertEqual(explainJSON["nodes"] as? Int, 3)
        XCTAssertEqual(explainJSON["ran"] as? Int, 3)
        let listed = try XCTUnwrap(explainJSON["listed"] as? [[String: Any]])
        XCTAssertEqual(listed.compactMap { ($0["node"] as? String)?.split(separator: " ").first }, ["stack", "trunk",
                                                                                                   "allocation"])
        XCTAssertEqual(listed.first?["reason"] as? String, "changed memories.dram.r_cost: 700 → 707")
        XCTAssertEqual(listed.first?["outcome"] as? String, "executed")
    }
}

extension CommandLineTests {
    /// Issue 15: without `--cache` or `ACCOMAKE_CACHE`, the cache is the user's —
    /// `$XDG_CACHE_HOME/accomake`, else `~/.cache/accomake` — whatever folder the command runs in.
    func testTheCacheDefaultsToTheUsersCacheFolder() throws {
        func path(_ environment: [String: String]) throws -> String? {
            let o = try run(["cache", "stats", "--json"], environment: environment)
            XCTAssertEqual(o.status, 0, o.stderr)
            return try json(o.stdout)["path"] as? String
        }
        let xdg = scratch.appendingPathComponent("xdg-home").path
        XCTAssertEqual(try path(["XDG_CACHE_HOME": xdg]), xdg + "/accomake")
        let home = scratch.appendingPathComponent("home").path
        XCTAssertEqual(try path(["XDG_CACHE_HOME": "", "HOME": home]), home + "/.cache/accomake")
        XCTAssertEqual(try path(["XDG_CACHE_HOME": "relative", "HOME": home]), home + "/.cache/accomake",
                       "a relative XDG_CACHE_HOME is ignored, as the XDG specification says")
        let chosen = scratch.appendingPathComponent("chosen").path
        XCTAssertEqual(try path(["ACCOMAKE_CACHE": chosen, "XDG_CACHE_HOME": xdg]), chosen)
    }

    /// Issue 15: a flag given twice is refused (the second used to win silently); `-j` and
    /// `--jobs` are one flag.
    func testAFlagGivenTwiceIsRefused() throws {
        let layer = try run(["layer", "--layer", "1", "--layer", "2"])
        XCTAssertEqual(layer.status, 2)
        XCTAssertEqual(layer.stderr, "accomake: layer: --layer is given twice; give it once\n")
        let jobs = try run(["run", Self.project("studies/quickstart.json"), "-j", "1", "--jobs=2"])
        XCTAssertEqual(jobs.stderr, "accomake: run: --jobs is given twice; give it once\n")
        let flag = try run(["run", Self.project("studies/quickstart.json"), "--json", "--json"])
        XCTAssertEqual(flag.stderr, "accomake: run: --json is given twice; give it once\n")
    }
}
