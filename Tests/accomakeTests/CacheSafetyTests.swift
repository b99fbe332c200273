import Foundation
import XCTest

/// The cache as a user's disk meets it (issue 11, items 1–5, 14–16): a folder that is not an
/// accomake cache is refused and left as it was; collection and `clean` delete only names of the
/// cache's shapes and never follow a link; `clean` needs the cache to itself; damage is repaired;
/// a cache that cannot be written to costs the next run, never this one.
final class CacheSafetyTests: CommandLineTestCase {
    var fm: FileManager { .default }

    func path(_ relative: String) -> String { scratch.appendingPathComponent(relative).path }

    func write(_ relative: String, _ text: String = "precious\n") throws {
        try fm.createDirectory(atPath: (path(relative) as NSString).deletingLastPathComponent,
                               withIntermediateDirectories: true)
        try text.write(toFile: path(relative), atomically: false, encoding: .utf8)
    }

    func read(_ relative: String) -> String? { try? String(contentsOfFile: path(relative), encoding: .utf8) }

    /// The DeFiNES 3-layer stack on a cache: a few dozen entries, blob files among them.
    func stack(_ cache: String) throws -> Outcome {
        let d = Self.project("examples/defines-3layer") + "/"
        return try run(["stack", "--hardware", d + "hardware.json", "--workload", d + "workload.json", "--mapping",
                        d + "mapping.json", "--tile", "8x8", "--mode", "fully-cached", "--cache", cache])
    }

    func fill(_ cache: String) throws {
        let o = try stack(cache)
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertTrue(o.stdout.contains("11 nodes computed, 0 from cache"), o.stdout)
    }

    /// A rerun of `fill` that reads everything from the cache.
    func assertAnsweredFromCache(_ cache: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let o = try stack(cache)
        XCTAssertEqual(o.status, 0, o.stderr, file: file, line: line)
        XCTAssertTrue(o.stdout.contains("0 nodes computed, 11 from cache"), o.stdout, file: file, line: line)
    }

    func assertOneLineError(_ o: Outcome, mentions: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotEqual(o.status, 0, file: file, line: line)
        XCTAssertEqual(o.stderrLines.count, 1, o.stderr, file: file, line: line)
        XCTAssertTrue(o.stderr.contains(mentions), o.stderr, file: file, line: line)
    }

    /// Item 1: a folder with `blobs/` and a user's file is not a cache: `clean` refuses it, and so
    /// do `cache stats` and a run pointed at it through ACCOMAKE_CACHE; nothing in it changes.
    func testAFolderThatIsNotACacheIsRefusedAndKept() throws {
        try fm.createDirectory(atPath: path("d/blobs"), withIntermediateDirectories: true)
        try write("d/main.c", "int main() {}\n")
        try write("thesis/thesis.tex")
        try write("thesis/sub/data.csv", "1,2\n")
        let clean = try run(["clean"], environment: ["ACCOMAKE_CACHE": path("d")])
        assertOneLineError(clean,
                           mentions: "\(path("d")) is not an accomake cache: it holds main.c and no accomake marker")
        XCTAssertEqual(read("d/main.c"), "int main() {}\n")
        for command in [["clean"], ["cache", "stats"], ["cache", "gc"], ["cache", "verify"]] {
            let o = try run(command, environment: ["ACCOMAKE_CACHE": path("thesis")])
            assertOneLineError(o, mentions: "is not an accomake cache: it holds sub, thesis.tex and no accomake marker")
        }
        let engine = try run(["--cache", path("thesis"), "--nodes", "10"], executable: Self.probe)
        assertOneLineError(engine, mentions: "leaves it untouched: pass a new or empty folder")
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: path("thesis")).sorted(), ["sub", "thesis.tex"])
        XCTAssertEqual(read("thesis/sub/data.csv"), "1,2\n")
    }

    /// Item 2: collection deletes blob files and packs no entry names, but nothing through a link
    /// and no name that is not of the blob or pack shape; item 3: opening a cache (`cache stats`)
    /// deletes nothing, and collection removes only the cache's own stale temporary files.
    func testCollectionDeletesOnlyTheCachesOwnNames() throws {
        let cache = path("c")
        try fill(cache)
        try write("outside/keep.txt")
        try write("outside/0000000000000000000000000000000000000000000000000000000000000000")
        try fm.createSymbolicLink(atPath: cache + "/blobs/zz", withDestinationPath: path("outside"))
        try fm.createSymbolicLink(atPath: cache + "/blobs/00", withDestinationPath: path("outside"))
        try fm.createSymbolicLink(atPath: cache + "/packs/00000000000000cc.pack",
                                  withDestinationPath: path("outside/keep.txt"))
        try write("c/blobs/ab/notes.txt")
        try write("c/packs/notes.txt")
        let orphan = String(repeating: "a", count: 64)
        try write("c/blobs/aa/\(orphan)", "no entry names me")
        try write("c/packs/00000000000000aa.pack", "accomake pack 1\nno entry names me")
        let temps = ["report.tmp.1.2", "actions.log.tmp.1.2", "blobs/aa/\(orphan).tmp.7.8",
                     "packs/00000000000000bb.pack.tmp.7.8"]
        for name in temps { try write("c/" + name, "stale") }
        let old = Date(timeIntervalSinceNow: -7200)
        for name in temps { try fm.setAttributes([.modificationDate: old], ofItemAtPath: cache + "/" + name) }
        let stats = try run(["cache", "stats", "--cache", cache])
        XCTAssertEqual(stats.status, 0, stats.stderr)
        XCTAssertNotNil(read("c/actions.log.tmp.1.2"), "opening a cache deletes nothing")
        let gc = try run(["cache", "gc", "--cache", cache, "--json"])
        XCTAssertEqual(gc.status, 0, gc.stderr)
        XCTAssertTrue(gc.stdout.contains("\"blobs_removed\": 1"), gc.stdout)  // the orphan blob file
        XCTAssertTrue(gc.stdout.contains("\"temp_files_removed\": 3"), gc.stdout)
        XCTAssertNil(read("c/blobs/aa/\(orphan)"))
        XCTAssertNil(read("c/packs/00000000000000aa.pack"), "a pack no entry names")
        XCTAssertNil(read("c/actions.log.tmp.1.2"))
        XCTAssertEqual(read("c/report.tmp.1.2"), "stale", "not a name the cache writes")
        XCTAssertEqual(read("c/blobs/ab/notes.txt"), "precious\n")
        XCTAssertEqual(read("c/packs/notes.txt"), "precious\n")
        XCTAssertEqual(try fm.destinationOfSymbolicLink(atPath: cache + "/packs/00000000000000cc.pack"),
                       path("outside/keep.txt"))
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: path("outside")).count, 2, "nothing deleted through a link")
        XCTAssertEqual(read("outside/keep.txt"), "precious\n")
        try assertAnsweredFromCache(cache)
    }

    /// Item 4: an empty --cache is refused (it used to put the cache in /).
    func testAnEmptyCacheFlagIsRefused() throws {
        let o = try run(["cache", "stats", "--cache", ""])
        XCTAssertEqual(o.status, 2)
        XCTAssertEqual(o.stderr, "accomake: --cache \"\": name the cache folder, e.g. --cache ~/.cache/accomake\n")
    }

    /// Item 5: `clean` deletes the cache's files and keeps what is not the cache's; on a linked
    /// cache it empties the folder the link names and says the link stays; while another process
    /// has the cache open it refuses and deletes nothing.
    func testCleanDeletesOnlyTheCacheAndWaitsForNoOne() throws {
        let cache = path("c")
        try fill(cache)
        try write("c/mine.txt")
        let clean = try run(["clean", "--cache", cache])
        XCTAssertEqual(clean.status, 0, clean.stderr)
        XCTAssertTrue(clean.stdout.hasSuffix("; left the folder and what is not the cache's in it: mine.txt\n"),
                      clean.stdout)
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: cache), ["mine.txt"])

        try fill(path("real"))
        try fm.createSymbolicLink(atPath: path("link"), withDestinationPath: path("real"))
        let linked = try run(["clean", "--cache", path("link")])
        XCTAssertEqual(linked.status, 0, linked.stderr)
        XCTAssertTrue(linked.stdout.contains("is a link: it stays, and the folder it names is now empty"),
                      linked.stdout)
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: path("real")), [])
        XCTAssertEqual(try fm.destinationOfSymbolicLink(atPath: path("link")), path("real"))

        // A run holds the cache (its workers wait for a signal once 50 nodes are done).
        let busy = path("busy"), ready = path("ready")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: Self.probe)
        child.arguments = ["--cache", busy, "--nodes", "2000", "--hold-after", "50", "--ready-file", ready]
        child.standardOutput = FileHandle.nullDevice
        try child.run()
        for _ in 0..<60_000 where !fm.fileExists(atPath: ready) { usleep(1_000) }
        let refused = try run(["clean", "--cache", busy])
        child.interrupt()
        child.waitUntilExit()
        assertOneLineError(refused, mentions: "the cache at \(busy) is in use by another accomake process")
        XCTAssertEqual(child.terminationStatus, 130)
        XCTAssertTrue(fm.fileExists(atPath: busy + "/actions.log"), "nothing deleted")
        let after = try run(["clean", "--cache", busy])
        XCTAssertEqual(after.status, 0, after.stderr)
        XCTAssertFalse(fm.fileExists(atPath: busy))
    }

    /// Items 14 and 15: damaged bytes in a pack, a FIFO where a pack or the log belongs, and files
    /// where `packs` or `blobs` belongs are damage: commands neither hang nor fail, and the cache
    /// repairs itself (the second run computes nothing).
    func testNonRegularFilesAndMisplacedFilesAreRepaired() throws {
        let cache = path("c")
        try fill(cache)
        // The run's one pack ends with the last result stored: the stack's, the target's own
        // output. Cutting the pack's last byte (a torn write) costs exactly that node (its layer
        // searches are still cached): `verify` evicts it, the rerun computes it again.
        let packs = try fm.contentsOfDirectory(atPath: cache + "/packs")
        XCTAssertEqual(packs.count, 1, "\(packs)")
        let pack = cache + "/packs/" + (packs.first ?? "")
        let size = try XCTUnwrap(try fm.attributesOfItem(atPath: pack)[.size] as? Int)
        XCTAssertEqual(truncate(pack, off_t(size - 1)), 0)
        let verify = try run(["cache", "verify", "--cache", cache, "--json"])
        XCTAssertEqual(verify.status, 0, verify.stderr)
        XCTAssertTrue(verify.stdout.contains("\"entries_evicted\": 1"),
                      "the damaged entry was evicted: \(verify.stdout)")
        let rerun = try stack(cache)
        XCTAssertTrue(rerun.stdout.contains("1 node computed, 10 from cache"), rerun.stdout + rerun.stderr)

        // Every pack a FIFO: nothing packed can be read (and nothing waits on it), so every node
        // is computed again, with the same answers. The requests the stack's trace names are
        // read only when the trace is replayed: the next run finds them lost, all at once, and
        // runs the stack once more (ExecutorTests.testLosingEveryBlobIsRepairedWithinTwoRuns).
        let answers = rerun.stdout.split(separator: "\n").dropFirst(2)
        for name in try fm.contentsOfDirectory(atPath: cache + "/packs") {
            try fm.removeItem(atPath: cache + "/packs/" + name)
            XCTAssertEqual(mkfifo(cache + "/packs/" + name, 0o644), 0)
        }
        try assertRepairedAfterLosingEveryPack(cache, answers: answers)

        // `packs` a file, then the log a FIFO and `blobs` a file.
        try fm.removeItem(atPath: cache + "/packs")
        try write("c/packs", "not a folder")
        try assertRepairedAfterLosingEveryPack(cache, answers: answers)
        XCTAssertTrue(isFolder(cache + "/packs"))
        try fm.removeItem(atPath: cache + "/actions.log")
        XCTAssertEqual(mkfifo(cache + "/actions.log", 0o644), 0)
        try fm.removeItem(atPath: cache + "/blobs")
        try write("c/blobs", "not a folder")
        try fill(cache)
        try assertAnsweredFromCache(cache)
        XCTAssertTrue(isFolder(cache + "/blobs"))
    }

    /// Every node computed again with the same answers; the next run replays the stack's trace,
    /// finds its requests lost and runs the stack once more; then the cache answers everything.
    func assertRepairedAfterLosingEveryPack(_ cache: String, answers: ArraySlice<Substring>,
                                            file: StaticString = #filePath, line: UInt = #line) throws {
        let lost = try stack(cache)
        XCTAssertTrue(lost.stdout.contains("11 nodes computed"), lost.stdout + lost.stderr, file: file, line: line)
        XCTAssertEqual(lost.stdout.split(separator: "\n").dropFirst(2), answers, file: file, line: line)
        let repair = try stack(cache)
        XCTAssertTrue(repair.stdout.contains("1 node computed, 10 from cache"), repair.stdout + repair.stderr,
                      file: file, line: line)
        XCTAssertEqual(repair.stdout.split(separator: "\n").dropFirst(2), answers, file: file, line: line)
        try assertAnsweredFromCache(cache, file: file, line: line)
    }

    func isFolder(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return fm.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
    }

    /// Item 16: when the cache cannot be written (here a file-size limit, as a full disk would),
    /// the run finishes with the same answers and one warning; the next run fills the gaps.
    func testACacheThatCannotBeWrittenCostsOnlyTheNextRun() throws {
        let normal = try stack(path("normal"))
        let d = Self.project("examples/defines-3layer") + "/"
        let command = [Self.binary.path, "stack", "--hardware", d + "hardware.json", "--workload", d + "workload.json",
                       "--mapping", d + "mapping.json", "--tile", "8x8", "--mode", "fully-cached", "--cache",
                       path("limited")]
        // `ulimit -f 12`: no file may grow past 6 KiB (512-byte blocks in sh): the largest blob fails,
        // stdout (2.4 KB, a file here) does not.
        let limited = try run(["-c", "ulimit -f 12; exec \"$@\"", "sh"] + command, executable: "/bin/sh")
        XCTAssertEqual(limited.status, 0, limited.stderr)
        XCTAssertEqual(limited.stdout.split(separator: "\n").dropFirst(2),
                       normal.stdout.split(separator: "\n").dropFirst(2))
        XCTAssertEqual(limited.stderrLines.count, 1, limited.stderr)
        XCTAssertTrue(limited.stderr.hasPrefix("accomake: warning: "), limited.stderr)
        XCTAssertTrue(limited.stderr.contains("computed results could not be written to the cache at "
                                              + "\(path("limited")) ("),
                      limited.stderr)
        XCTAssertTrue(limited.stderr.contains("File too large"), limited.stderr)
        let next = try stack(path("limited"))
        XCTAssertEqual(next.stdout.split(separator: "\n").dropFirst(2),
                       normal.stdout.split(separator: "\n").dropFirst(2))
        XCTAssertFalse(next.stdout.contains(" 0 nodes computed"), "the unwritten results are computed again")
        try assertAnsweredFromCache(path("limited"))
    }
}
