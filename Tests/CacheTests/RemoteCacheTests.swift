@testable import Cache
import Foundation
import Graph
import XCTest

/// The remote cache: its URL and entry formats, against a real nginx (WebDAV PUT/GET, started by
/// scripts/nginx-cache) and against `FaultyServer`, whose every fault must be a counted miss —
/// never a wrong result, never a hang.
final class RemoteCacheTests: XCTestCase {
    func testEndpointParsing() throws {
        let e = try HTTPEndpoint("http://cache.lab:8080/teams/dsp/")
        XCTAssertEqual([e.host, String(e.port), e.basePath], ["cache.lab", "8080", "/teams/dsp"])
        XCTAssertEqual(try HTTPEndpoint("http://127.0.0.1").port, 80)
        XCTAssertEqual(try HTTPEndpoint("http://127.0.0.1").basePath, "")
        for (url, says) in [("https://cache.lab/x", "plain HTTP only"), ("ftp://cache.lab", "starts with http://"),
                            ("http://cache.lab:0/x", "from 1 to 65535"), ("http://cache.lab:port", "from 1 to 65535"),
                            ("http://user@cache.lab/x", "without user"), ("http:///x", "http://host")] {
            XCTAssertThrowsError(try HTTPEndpoint(url), url) { error in
                XCTAssertTrue("\(error)".contains(says), "\(url): \(error)")
            }
        }
    }

    /// Header values lose leading and trailing spaces and tabs only.
    func testHeaderValuesTrimmed() {
        XCTAssertEqual(" 42 \t".trimmingWhitespace, "42")
        XCTAssertEqual("\tkeep-alive, close ".trimmingWhitespace, "keep-alive, close")
        XCTAssertEqual("a b".trimmingWhitespace, "a b")
        XCTAssertEqual(" \t ".trimmingWhitespace, "")
        XCTAssertEqual("".trimmingWhitespace, "")
        XCTAssertEqual("Ω ".trimmingWhitespace, "Ω")
    }

    func testEntryRoundTripAndDamage() throws {
        let blob = Array("small blob".utf8)
        let digest = SHA256.hash(blob)
        for entry in [RemoteEntry(record: .output(digest, size: 10), inline: blob),
                      RemoteEntry(record: .trace(digest, size: 10), inline: nil),
                      RemoteEntry(record: .output(digest, size: 5000), inline: nil)] {
            XCTAssertEqual(RemoteEntry(entry.bytes), entry)
        }
        let good = RemoteEntry(record: .output(digest, size: 10), inline: blob).bytes
        XCTAssertNil(RemoteEntry(Array(good.dropLast())), "truncated")
        XCTAssertNil(RemoteEntry(Array("not an entry".utf8)))
        XCTAssertNil(RemoteEntry(RemoteEntry(record: .output(digest, size: 11), inline: blob).bytes),
                     "inline bytes of another size than the record says")
    }

    /// The entry written field by field is the canonical encoding of its value form
    /// `["accomake-ac/2", kind, digest, size, inline, codec]`, in each of its three shapes; and the
    /// compressed form made for it is handed to the local pack (used once, then gone).
    func testEntryBytesAreTheValueFormsEncodingAndHandTheirCompressionOn() throws {
        let result = (0..<3000).map { UInt8(truncatingIfNeeded: ($0 % 37) * 7) }, small = Array("tiny".utf8)
        let packed = try XCTUnwrap(result.withUnsafeBytes { BlobCompression.compress($0) })
        func value(_ kind: Int64, _ blob: [UInt8], size: Int, stored: Value, codec: Int64) throws -> [UInt8] {
            try CanonicalEncoder.encode(.array([.string("accomake-ac/2"), .int(kind), .bytes(SHA256.hash(blob).bytes),
                                                .int(Int64(size)), stored, .int(codec)]))
        }
        let compressed = RemoteEntry(record: .output(SHA256.hash(result), size: 3000), inline: result).bytes
        XCTAssertEqual(compressed, try value(0, result, size: 3000, stored: .bytes(packed), codec: 1))
        XCTAssertEqual(RemoteEntry(record: .trace(SHA256.hash(small), size: 4), inline: small).bytes,
                       try value(1, small, size: 4, stored: .bytes(small), codec: 0))
        XCTAssertEqual(RemoteEntry(record: .output(SHA256.hash(result), size: 3000), inline: nil).bytes,
                       try value(0, result, size: 3000, stored: .null, codec: 0))
        // The first entry's form waits (the small blob's does not: it goes inline in the log). An
        // entry made again hands it on again, and the pack encodes the blob with it, once.
        XCTAssertNotNil(CompressionHandoff.take(SHA256.hash(result)))
        _ = RemoteEntry(record: .output(SHA256.hash(result), size: 3000), inline: result).bytes
        let encoded = PackFile.encode(result, digest: SHA256.hash(result))
        XCTAssertEqual(encoded.bytes, packed)
        XCTAssertEqual(encoded.codec, .compressed)
        XCTAssertNil(CompressionHandoff.take(SHA256.hash(result)), "taken once")
        XCTAssertNil(CompressionHandoff.take(SHA256.hash(small)), "never handed on")
    }

    /// A result-like inline blob goes up compressed (a fraction of its bytes) and comes back as
    /// it was; an entry in the first, uncompressed form is still read; a damaged compressed one,
    /// or one whose codec is unknown, is a miss.
    func testEntriesCarryCompressedBlobsAndTheOldFormIsRead() throws {
        let text = (0..<400).map { "I\($0 % 3)@\($0 % 5).rd_out_to_low=\(Double($0) * 0.25);" }.joined()
        let blob = Array(text.utf8)
        let record = ActionRecord.output(SHA256.hash(blob), size: Int64(blob.count))
        let bytes = RemoteEntry(record: record, inline: blob).bytes
        XCTAssertLessThan(bytes.count * 3, blob.count, "\(bytes.count) bytes for \(blob.count)")
        XCTAssertEqual(RemoteEntry(bytes), RemoteEntry(record: record, inline: blob))

        func encoded(_ parts: [Value]) throws -> [UInt8] { try CanonicalEncoder.encode(.array(parts)) }
        let head: [Value] = [.int(0), .bytes(record.blob.bytes), .int(record.size)]
        let old = try encoded([.string("accomake-ac/1")] + head + [.bytes(blob)])
        XCTAssertEqual(RemoteEntry(old), RemoteEntry(record: record, inline: blob))
        var packed = try XCTUnwrap(blob.withUnsafeBytes { BlobCompression.compress($0) })
        XCTAssertNil(RemoteEntry(try encoded([.string("accomake-ac/2")] + head + [.bytes(packed), .int(2)])),
                     "unknown codec")
        packed.removeLast()
        XCTAssertNil(RemoteEntry(try encoded([.string("accomake-ac/2")] + head + [.bytes(packed), .int(1)])),
                     "a compressed blob cut short")
    }

    // MARK: Against nginx

    func testNginxStoresAndServesEntriesAndBlobs() throws {
        let nginx = try NginxCache()
        defer { nginx.stop() }
        let remote = RemoteCache(try settings(nginx.url))
        XCTAssertNil(remote.probe(), "nginx answers")
        let small = Array("a small result".utf8), large = (0..<100_000).map { UInt8($0 % 251) }
        let keys = [Digest(1, 2, 3, 4), Digest(5, 6, 7, 8)]
        for (key, blob) in zip(keys, [small, large]) {
            remote.offer(key, .output(SHA256.hash(blob), size: Int64(blob.count)), blob: blob)
        }
        remote.offerBlob(SHA256.hash(large), large)  // the same blob again: uploaded once
        remote.finish()
        XCTAssertEqual(remote.snapshot.uploads, 2)
        XCTAssertEqual(remote.snapshot.uploadFailures, 0)
        // The small entry carries its blob; the large one's blob is in cas/.
        XCTAssertTrue(FileManager.default.fileExists(atPath: nginx.data + "/cas/" + SHA256.hash(large).hex))
        XCTAssertFalse(FileManager.default.fileExists(atPath: nginx.data + "/cas/" + SHA256.hash(small).hex))

        let reader = RemoteCache(try settings(nginx.url))
        let local = MemoryStore()
        for (key, blob) in zip(keys, [small, large]) {
            let record = reader.fetch(key, into: local)
            XCTAssertEqual(record, .output(SHA256.hash(blob), size: Int64(blob.count)))
            XCTAssertEqual(local.lookup(key), record, "stored locally")
            XCTAssertEqual(local.load(SHA256.hash(blob), size: Int64(blob.count)), blob)
        }
        XCTAssertNil(reader.fetch(Digest(9, 9, 9, 9), into: local))
        XCTAssertEqual(reader.fetchBlob(SHA256.hash(large), size: Int64(large.count)), large)
        XCTAssertEqual(reader.snapshot.hits, 2)
        XCTAssertEqual(reader.snapshot.misses, 1)
        XCTAssertEqual(reader.snapshot.faults, 0)
    }

    /// Uploads go in pipelined batches (`HTTPClient.pipeline`): nginx answers every request of a
    /// batch in order, and each entry is stored and served back as sent.
    func testPipelinedPutsAgainstNginx() throws {
        let nginx = try NginxCache()
        defer { nginx.stop() }
        let client = HTTPClient(endpoint: try HTTPEndpoint(nginx.url))
        let bodies = (0..<50).map { i in Array("entry \(i) ".utf8) + [UInt8](repeating: UInt8(i), count: i * 97) }
        let responses = client.pipeline(bodies.indices.map { ("PUT", "/ac/pipelined-\($0)", bodies[$0]) })
        XCTAssertEqual(responses.count, 50, "every pipelined request answered")
        XCTAssertTrue(responses.allSatisfy { (200..<300).contains($0.status) }, "\(responses.map(\.status))")
        for (i, body) in bodies.enumerated() {
            let back = try client.request("GET", "/ac/pipelined-\(i)")
            XCTAssertEqual(back.status, 200)
            XCTAssertEqual(back.body, body, "entry \(i)")
        }
        // Through RemoteCache: 300 entries offered at once go up in batches, all of them.
        try offerAndReadBack(300, through: try settings(nginx.url))
    }

    /// Offers `count` small results at once through a `RemoteCache` with `settings`; all of them
    /// must go up without a failure or a fault and come back from a fresh reader.
    func offerAndReadBack(_ count: Int, through settings: RemoteCache.Settings,
                          file: StaticString = #filePath, line: UInt = #line) throws {
        let remote = RemoteCache(settings)
        let blobs = (0..<count).map { Array("result \($0)".utf8) }
        let keys = (0..<count).map { Digest(UInt64($0), 7, 7, 7) }
        for (key, blob) in zip(keys, blobs) {
            remote.offer(key, .output(SHA256.hash(blob), size: Int64(blob.count)), blob: blob)
        }
        remote.finish()
        XCTAssertEqual(remote.snapshot.uploads, count, file: file, line: line)
        XCTAssertEqual(remote.snapshot.uploadFailures, 0, file: file, line: line)
        XCTAssertEqual(remote.snapshot.faults, 0, file: file, line: line)
        var reading = settings
        reading.readOnly = true
        let reader = RemoteCache(reading), local = MemoryStore()
        for (i, (key, blob)) in zip(keys, blobs).enumerated() {
            XCTAssertEqual(reader.fetch(key, into: local), .output(SHA256.hash(blob), size: Int64(blob.count)),
                           "entry \(i)", file: file, line: line)
        }
    }

    /// Batches leave the upload queue in order, a blob-carrying upload alone, and what was sent
    /// is dropped from the queue while it is still busy (not only once it runs empty).
    func testUploadQueueHandsOutBatchesInOrderAndLetsSentOnesGo() {
        var q = RemoteCache.UploadQueue()
        for i in 0..<1000 {
            let blob: (path: String, bytes: [UInt8])? = i == 700 ? ("/cas/x", [1, 2, 3]) : nil
            q.pending.append(.init(path: "/ac/\(i)", body: [UInt8](repeating: 1, count: 100), blob: blob))
        }
        var sent: [String] = []
        while sent.count < 640 { sent += q.takeBatch(count: 64, bytes: 1 << 20).map(\.path) }
        XCTAssertEqual(sent, (0..<640).map { "/ac/\($0)" })
        XCTAssertEqual(q.pending.count - q.head, 360)
        XCTAssertLessThan(q.pending.count, 1000, "sent uploads released")
        XCTAssertEqual(q.takeBatch(count: 64, bytes: 1 << 20).count, 60, "up to the one with a blob")
        XCTAssertEqual(q.takeBatch(count: 64, bytes: 1 << 20).map(\.path), ["/ac/700"], "alone")
        XCTAssertEqual(q.takeBatch(count: 64, bytes: 250).count, 2, "at most the byte limit (or one)")
    }

    /// A server that answers only the first request of each connection: the batch's unanswered
    /// entries are sent again one by one, the rest of the run sends one at a time, and every
    /// entry arrives, with no fault counted (nothing was refused).
    func testUnansweredBatchFallsBackToOneRequestAtATime() throws {
        let server = try FaultyServer(fault: .oneAnswerPerConnection)
        defer { server.stop() }
        let partial = HTTPClient(endpoint: try HTTPEndpoint(server.url))
            .pipeline((0..<5).map { ("PUT", "/ac/p\($0)", [UInt8($0)]) })
        XCTAssertEqual(partial.map(\.status), [201], "only the first request of the batch is answered")
        var s = try settings(server.url)
        s.uploaders = 1
        try offerAndReadBack(40, through: s)
    }

    /// Two machines (two local caches) share nginx: the second computes nothing the first did —
    /// static nodes and a node with dynamic requests (its trace and the requests' bytes come
    /// too) — and its outputs are the same bytes.
    func testSecondMachineComputesNothingTheFirstDid() throws {
        let nginx = try NginxCache()
        defer { nginx.stop() }
        let folders = TempDirectory()
        defer { folders.remove() }
        func machine(_ name: String) throws -> (BuildResult, NodeID, RemoteCache) {
            let (graph, final) = try Self.graphWithRequests()
            let remote = RemoteCache(try settings(nginx.url))
            let local = try LocalCache(root: folders.path + "/" + name)
            let result = Executor(store: local, options: BuildOptions(jobs: 2, remote: remote))
                .build(graph, targets: [final])
            remote.finish()
            return (result, final, remote)
        }
        let (first, final, firstRemote) = try machine("a")
        XCTAssertTrue(first.succeeded)
        let (graph, final0) = try Self.graphWithRequests()
        let plain = Executor(store: MemoryStore(), options: BuildOptions(jobs: 2)).build(graph, targets: [final0])
        XCTAssertEqual(first.log.count(.executed), plain.log.count(.executed), "the first computes everything")
        XCTAssertGreaterThan(first.log.count(.executed), 203, "201 synthetic nodes, the pair and its two requests")
        XCTAssertEqual(firstRemote.snapshot.uploadFailures, 0)
        let (second, _, secondRemote) = try machine("b")
        XCTAssertTrue(second.succeeded)
        XCTAssertEqual(second.log.count(.executed), 0, "every node came from the remote")
        XCTAssertEqual(second.outputs[final]?.bytes, first.outputs[final]?.bytes)
        XCTAssertEqual(secondRemote.snapshot.faults, 0)
        XCTAssertEqual(secondRemote.snapshot.uploads, 0, "nothing new to upload")
    }

    /// 200 synthetic nodes, and a node that asks for two more (`remote.pair`), summed with the last.
    static func graphWithRequests() throws -> (Graph, NodeID) {
        var (graph, final, _) = SyntheticWorkload(nodes: 200, lanes: 8, salt: 7).build()
        try graph.register(Self.constant)
        let summing = try graph.add(Self.pair, ["base": .int(3)], dependencies: [final])
        return (graph, summing)
    }

    static let constant = Operator("remote.constant", version: 1) { input in
        .done(Array("constant \(input.params["value"]?.intValue ?? -1)".utf8))
    }

    static let pair = Operator("remote.pair", version: 1) { input in
        let base = input.params["base"]?.intValue ?? 0
        let first = try input.dependency(0).bytes
        return .need([NodeRequest("remote.constant", ["value": .int(base)]),
                      NodeRequest("remote.constant", ["value": .int(base + 1)])]) { outputs in
            .done(first + outputs.flatMap(\.bytes))
        }
    }

    // MARK: Faults

    /// Each fault of a GET is a counted miss: the run computes the node itself and its outputs
    /// equal a run without any remote. The per-request timeout bounds a stalled server.
    func testEveryFaultIsAMissNeverAWrongResult() throws {
        let folders = TempDirectory()
        defer { folders.remove() }
        let (graph, final) = try Self.graphWithRequests()
        let plain = Executor(store: MemoryStore(), options: BuildOptions(jobs: 2)).build(graph, targets: [final])
        let expected = try XCTUnwrap(plain.outputs[final]?.bytes)
        for fault in [FaultyServer.Fault.status500, .shortBody, .closeMidBody, .wrongDigest, .stall] {
            // Fill a server with good entries (it behaves on PUT), then read them back through the fault.
            let server = try FaultyServer(fault: fault)
            defer { server.stop() }
            let writer = RemoteCache(try settings(server.url))
            _ = Executor(store: MemoryStore(), options: BuildOptions(jobs: 2, remote: writer)).build(graph,
                                                                                                    targets: [final])
            writer.finish()
            XCTAssertEqual(writer.snapshot.uploadFailures, 0, "\(fault)")
            var s = try settings(server.url)
            s.timeout = 0.3
            let reader = RemoteCache(s)
            let before = server.gets
            let result = Executor(store: try LocalCache(root: folders.path + "/\(fault)"),
                                  options: BuildOptions(jobs: 2, remote: reader)).build(graph, targets: [final])
            reader.finish()
            XCTAssertTrue(result.succeeded, "\(fault)")
            XCTAssertEqual(result.outputs[final]?.bytes, expected, "\(fault): the right answer")
            XCTAssertEqual(reader.snapshot.hits, 0, "\(fault): nothing accepted")
            XCTAssertGreaterThan(reader.snapshot.faults, 0, "\(fault): counted")
            XCTAssertEqual(result.log.count(.executed), plain.log.count(.executed), "\(fault): all computed here")
            // A server that keeps failing is dropped after a few faults: it is not asked 200 more times.
            XCTAssertTrue(reader.snapshot.dropped, "\(fault): \(reader.snapshot), asked \(server.gets - before)")
            XCTAssertLessThanOrEqual(server.gets - before, 3 * (s.failureLimit + 2), "\(fault)")
        }
    }

    /// A server that stores every upload but serves damaged bytes is dropped after `failureLimit`
    /// reads in a row failed, however many good writes come between them (reads and writes are
    /// counted apart): the reads after that are not asked at all.
    func testGoodWritesDoNotKeepABrokenReaderInUse() throws {
        let server = try FaultyServer(fault: .wrongDigest)
        defer { server.stop() }
        let remote = RemoteCache(try settings(server.url))
        let blob = [UInt8](repeating: 7, count: 100)
        let record = ActionRecord.output(SHA256.hash(blob), size: Int64(blob.count))
        let keys = (0..<10).map { SHA256.hash(Array("key \($0)".utf8)) }
        remote.offer(keys[0], record, blob: blob)
        remote.finish()
        for (i, key) in keys.enumerated() {
            XCTAssertNil(remote.fetch(key, into: MemoryStore()), "read \(i): damaged bytes are a miss")
            // A good write between every two reads.
            remote.offer(keys[(i + 1) % keys.count], record, blob: blob)
            remote.finish()
            XCTAssertEqual(remote.snapshot.dropped, i + 1 >= remote.settings.failureLimit, "after read \(i)")
        }
        XCTAssertEqual(server.gets, remote.settings.failureLimit, "no read asked once dropped")
        // The first upload, then one after each read until the drop; none after it.
        XCTAssertEqual(remote.snapshot.uploads, 1 + (remote.settings.failureLimit - 1))
    }

    /// A cache nobody listens at: the probe says so, and the run is local-only and right.
    func testRefusedConnectionAtStartIsLocalOnly() throws {
        let server = try FaultyServer(fault: .none)
        let url = server.url
        server.stop()
        let remote = RemoteCache(try settings(url))
        let reason = try XCTUnwrap(remote.probe())
        XCTAssertTrue(reason.contains("cannot connect"), reason)
        let (graph, final) = try Self.graphWithRequests()
        let result = Executor(store: MemoryStore(), options: BuildOptions(jobs: 2, remote: remote))
            .build(graph, targets: [final])
        remote.finish()
        XCTAssertTrue(result.succeeded)
        XCTAssertEqual(remote.snapshot.requests, 1, "only the probe: the rest of the run does not ask")
        XCTAssertTrue(remote.summary().contains("dropped"), remote.summary())
    }

    /// Read-only: reads, never writes.
    func testReadOnlyUploadsNothing() throws {
        let server = try FaultyServer(fault: .none)
        defer { server.stop() }
        var s = try settings(server.url)
        s.readOnly = true
        let remote = RemoteCache(s)
        let (graph, final) = try Self.graphWithRequests()
        _ = Executor(store: MemoryStore(), options: BuildOptions(jobs: 2, remote: remote))
            .build(graph, targets: [final])
        remote.finish()
        XCTAssertEqual(server.requests, server.gets, "only GETs")
        // On an empty remote only the nodes with nothing upstream are asked for — the first node of
        // each of the 8 lanes and the two requested constants; every other key is downstream of a
        // miss, so new to the remote too, and is not asked (RunState.remoteCannotHave). Counted as
        // distinct keys: a request the client retried (a slow answer on a loaded machine) is one key.
        let sources = 8
        XCTAssertEqual(server.pathsAsked.count, sources + 2, server.pathsAsked.sorted().joined(separator: " "))
        XCTAssertTrue(server.pathsAsked.allSatisfy { $0.hasPrefix("/cache/ac/") }, "only action entries")
        XCTAssertEqual(remote.snapshot.misses, sources + 2)
        XCTAssertEqual(remote.snapshot.uploads, 0)
    }

    func settings(_ url: String) throws -> RemoteCache.Settings {
        RemoteCache.Settings(endpoint: try HTTPEndpoint(url))
    }
}

/// Debian's nginx as a WebDAV cache on a loopback port, through scripts/nginx-cache (which
/// installs nginx when missing), stopped by `stop()`.
struct NginxCache {
    let folder: TempDirectory
    let url: String
    var data: String { folder.path + "/data/accomake" }

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/nginx-cache").path
    }

    init() throws {
        folder = TempDirectory("nginx")
        let (status, out) = try Self.call(["start", folder.path])
        guard status == 0 else {
            folder.remove()
            throw NginxFailure(description: "scripts/nginx-cache start failed (status \(status)); see its message "
                               + "above")
        }
        url = out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func stop() {
        _ = try? Self.call(["stop", folder.path])
        folder.remove()
    }

    /// Runs the script (its standard error goes to the test's).
    static func call(_ arguments: [String]) throws -> (Int32, String) {
        let (status, output) = try ChildProcess(script, arguments).finish()
        return (status, String(decoding: output, as: UTF8.self))
    }
}

struct NginxFailure: Error, CustomStringConvertible {
    let description: String
}
