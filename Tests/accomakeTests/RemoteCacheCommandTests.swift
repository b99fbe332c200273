import Foundation
import Graph
import XCTest

/// `--remote-cache` through the binary: two "machines" (two processes, two local caches) share a
/// real nginx (scripts/nginx-cache); the second computes nothing and answers the same bytes, also
/// through the study shortcut; an unreachable cache is one warning and a local run.
final class RemoteCacheCommandTests: CommandLineTestCase {
    func testSecondMachineIsAnsweredFromTheRemote() throws {
        let server = scratch.appendingPathComponent("nginx").path
        let (started, out) = try ChildProcess(Self.root.appendingPathComponent("scripts/nginx-cache").path,
                                              ["start", server]).finish()
        XCTAssertEqual(started, 0, "scripts/nginx-cache start")
        defer { _ = try? ChildProcess(Self.root.appendingPathComponent("scripts/nginx-cache").path,
                                      ["stop", server]).finish() }
        let url = String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let study = try writeStudy("study.json", tileY: [8, 16])
        func machine(_ name: String, _ more: [String] = []) throws -> Outcome {
            try run(["run", study, "--json", "--cache", scratch.appendingPathComponent(name).path,
                     "--remote-cache", url] + more)
        }
        let first = try machine("a")
        XCTAssertEqual(first.status, 0, first.stderr)
        let firstJSON = try json(first.stdout)
        let computed = try XCTUnwrap(firstJSON["nodes_executed"] as? Int)
        XCTAssertGreaterThan(computed, 6)
        XCTAssertTrue(first.stderr.contains("remote cache \(url): 0 hits"), first.stderr)
        // The second machine, walking the graph: every node from the remote, none computed.
        let second = try machine("b", ["--no-shortcut"])
        XCTAssertEqual(second.status, 0, second.stderr)
        let secondJSON = try json(second.stdout)
        XCTAssertEqual(secondJSON["nodes_executed"] as? Int, 0)
        XCTAssertEqual(try results(second.stdout), try results(first.stdout), "the same answers, byte for byte")
        XCTAssertTrue(second.stderr.contains(", 0 misses"), second.stderr)
        // A third, with an empty cache and the shortcut: the first's complete run answers it.
        let third = try machine("c")
        XCTAssertEqual(third.status, 0, third.stderr)
        XCTAssertEqual(try json(third.stdout)["shortcut"] as? Bool, true)
        XCTAssertEqual(try results(third.stdout), try results(first.stdout))
        // Read-only: a fresh study's results are computed and not uploaded.
        let other = try writeStudy("other.json", tileY: [4])
        let readOnly = try run(["run", other, "--cache", scratch.appendingPathComponent("d").path,
                                "--remote-cache", url, "--remote-cache-read-only"])
        XCTAssertEqual(readOnly.status, 0, readOnly.stderr)
        XCTAssertFalse(readOnly.stderr.contains("uploaded"), readOnly.stderr)
        let again = try run(["run", other, "--json", "--cache", scratch.appendingPathComponent("e").path,
                             "--remote-cache", url])
        XCTAssertGreaterThan(try XCTUnwrap(try json(again.stdout)["nodes_executed"] as? Int), 0,
                             "nothing of other.json was uploaded by the read-only run")
    }

    /// Two shards on two machines (separate local caches) share nginx; a third machine's run then
    /// computes only the allocation and answers exactly what an unsharded run answers.
    func testShardsThenMerge() throws {
        let script = Self.root.appendingPathComponent("scripts/nginx-cache").path
        let server = scratch.appendingPathComponent("nginx").path
        let (started, out) = try ChildProcess(script, ["start", server]).finish()
        XCTAssertEqual(started, 0, "scripts/nginx-cache start")
        defer { _ = try? ChildProcess(script, ["stop", server]).finish() }
        let url = String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let study = try writeStudy("study.json", tileY: [4, 8, 16])
        var trunks = 0, total = 0
        for i in 0..<2 {
            let shard = try run(["run", study, "--shard", "\(i)/2", "--json", "--cache",
                                 scratch.appendingPathComponent("shard-\(i)").path, "--remote-cache", url])
            XCTAssertEqual(shard.status, 0, shard.stderr)
            let j = try json(shard.stdout)
            trunks += try XCTUnwrap(j["trunks"] as? Int)
            total = try XCTUnwrap(j["trunks_total"] as? Int)
            XCTAssertGreaterThan(try XCTUnwrap(j["trunks"] as? Int), 0, "each shard has work")
        }
        XCTAssertEqual(trunks, total, "the shards cover every trunk once")
        XCTAssertEqual(total, 3)
        let merged = try run(["run", study, "--json", "--cache", scratch.appendingPathComponent("merge").path,
                              "--remote-cache", url])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertEqual(try json(merged.stdout)["nodes_executed"] as? Int, 1, "only the allocation")
        // The shards uploaded their trunks' closure keys: the merge finds each trunk with one request
        // and walks nothing below them (no stack, no layer search).
        XCTAssertEqual(try json(merged.stdout)["cache_hits"] as? Int, 3, "the three trunks")
        XCTAssertTrue(merged.stderr.contains("\(url): 3 hits,"), merged.stderr)
        let alone = try run(["run", study, "--json", "--cache", scratch.appendingPathComponent("alone").path])
        XCTAssertEqual(try results(merged.stdout), try results(alone.stdout))
        let bad = try run(["run", study, "--shard", "2/2"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("expected I/N with 0 ≤ I < N"), bad.stderr)
    }

    /// The answers without the run's counts (which differ by design).
    func results(_ text: String) throws -> String {
        let value = try json(text)["results"] ?? []
        return String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]),
                      as: UTF8.self)
    }

    func testUnreachableOrUnusableRemote() throws {
        let study = try writeStudy("study.json", tileY: [16])
        let cache = ["--cache", scratch.appendingPathComponent("cache").path]
        // Port 9 on loopback: nothing listens (discard is not run here).
        let down = try run(["run", study] + cache + ["--remote-cache", "http://127.0.0.1:9/x"])
        XCTAssertEqual(down.status, 0, down.stderr)
        XCTAssertEqual(down.stderrLines.first,
                       "accomake: warning: remote cache http://127.0.0.1:9/x cannot be reached (cannot connect: "
                       + "127.0.0.1:9: Connection refused); this run uses the local cache only")
        let tls = try run(["run", study] + cache + ["--remote-cache", "https://cache.lab/x"])
        XCTAssertEqual(tls.status, 2)
        XCTAssertTrue(tls.stderr.contains("plain HTTP only (no TLS)"), tls.stderr)
        let header = try run(["run", study] + cache, environment: ["ACCOMAKE_REMOTE_CACHE": "http://127.0.0.1:9",
                                                                   "ACCOMAKE_REMOTE_HEADER": "secret-token"])
        XCTAssertEqual(header.status, 2)
        XCTAssertTrue(header.stderr.contains("expected \"Name: value\""), header.stderr)
        XCTAssertFalse(header.stderr.contains("secret-token"), "the header's value is never printed")
    }
}
