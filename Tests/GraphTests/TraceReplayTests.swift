@testable import Graph
import Synchronization
import XCTest

/// Trace replay with derived keys (`TraceEntry`, engine.md §2): a trace records each request's
/// base key with the operator and version it was derived for, so that a replay needs neither
/// the request's bytes nor a hash of them — unless the operator's version moved, or the node
/// must run.
final class TraceReplayTests: XCTestCase {
    /// A store that forwards to a `MemoryStore`, counts the blobs it loads, and can fail the
    /// loads of chosen blobs while still saying it holds them (a damaged copy).
    final class WatchedStore: ActionStore {
        let inner = MemoryStore()
        private let state = Mutex((loads: [Digest: Int](), damaged: Set<Digest>()))

        func lookup(_ key: Digest) -> ActionRecord? { inner.lookup(key) }
        func store(_ key: Digest, _ record: ActionRecord, blob: [UInt8], durationNanos: UInt64) throws {
            inner.store(key, record, blob: blob, durationNanos: durationNanos)
        }
        func forget(_ key: Digest) { inner.forget(key) }
        func holds(_ digest: Digest, size: Int64) -> Bool { inner.holds(digest, size: size) }
        func load(_ digest: Digest, size: Int64) -> [UInt8]? {
            let damaged = state.withLock { s in
                s.loads[digest, default: 0] += 1
                return s.damaged.contains(digest)
            }
            return damaged ? nil : inner.load(digest, size: size)
        }
        func loads(of digest: Digest) -> Int { state.withLock { $0.loads[digest] ?? 0 } }
        func damage(_ digest: Digest) { state.withLock { _ = $0.damaged.insert(digest) } }
    }

    /// The digest of the request `test.const` with `value`, as the trace names it.
    func requestDigest(_ value: Int64) throws -> Digest {
        SHA256.hash(try CanonicalEncoder.encode(NodeRequest("test.const", ["value": .int(value)]).value))
    }

    /// The key of `test.const` with `value` at `version`, derived from its parameters.
    func constKey(_ value: Int64, version: Int64 = 1) throws -> Digest {
        try NodeKey.node(operator: "test.const", version: version, params: ["value": .int(value)],
                         dependencyDigests: [])
    }

    /// const 10 → dynamicPair (asks for const 10 and const 11); `constVersion` is const's version.
    func pairGraph(constVersion: Int64 = 1) throws -> (Graph, NodeID) {
        var g = Graph()
        let const = Operator("test.const", version: constVersion) { input in
            .done(TestOps.bytes(input.params["value"]?.intValue ?? 0))
        }
        let a = try g.add(const, ["value": 10])
        let p = try g.add(TestOps.dynamicPair, [:], dependencies: [a])
        return (g, p)
    }

    func testReplayTakesTheRecordedKeysWithoutReadingTheRequests() throws {
        let store = WatchedStore()
        let (g, p) = try pairGraph()
        _ = Executor(store: store).build(g, targets: [p])
        let again = Executor(store: store).build(g, targets: [p])
        XCTAssertEqual(again.outputs[p].map { TestOps.int($0.bytes) }, 21)
        XCTAssertEqual(again.log.count(.executed), 0)
        // const 11 was only ever requested: its key in the replay is the one its parameters give.
        XCTAssertEqual(Set(again.log.events.filter { $0.op == "test.const" }.compactMap(\.key)),
                       try [constKey(10), constKey(11)])
        XCTAssertEqual(try store.loads(of: requestDigest(11)), 0, "the request's bytes were not read")
    }

    func testAnotherOperatorVersionDerivesTheKeysFromTheRequests() throws {
        let store = WatchedStore()
        let (g1, p1) = try pairGraph(constVersion: 1)
        _ = Executor(store: store).build(g1, targets: [p1])
        // const moves to version 2; dynamicPair does not, and its inputs' bytes are the same, so its
        // trace is replayed — but the keys it recorded for version 1 must not answer.
        let (g2, p2) = try pairGraph(constVersion: 2)
        let second = Executor(store: store).build(g2, targets: [p2])
        XCTAssertEqual(second.outputs[p2].map { TestOps.int($0.bytes) }, 21)
        XCTAssertEqual(second.log.events.filter { $0.kind == .executed }.map(\.op), ["test.const", "test.const"])
        XCTAssertEqual(Set(second.log.events.filter { $0.op == "test.const" }.compactMap(\.key)),
                       try [constKey(10, version: 2), constKey(11, version: 2)])
        XCTAssertEqual(try store.loads(of: requestDigest(11)), 1, "read once to derive its new key")
    }

    func testARequestedNodeThatMustRunReadsItsParametersBack() throws {
        let store = WatchedStore()
        let (g, p) = try pairGraph()
        _ = Executor(store: store).build(g, targets: [p])
        store.forget(try constKey(11))
        let again = Executor(store: store).build(g, targets: [p])
        XCTAssertEqual(again.outputs[p].map { TestOps.int($0.bytes) }, 21)
        XCTAssertEqual(again.log.events.filter { $0.kind == .executed }.map(\.op), ["test.const"])
        XCTAssertEqual(try store.loads(of: requestDigest(11)), 1)
    }

    /// The one case a replay cannot repair in the same run: the node must run and its request's
    /// bytes prove unreadable. It fails with a clear message and forgets the request, so the next
    /// run's replay finds the request lost and runs the asking task again.
    func testUnreadableRequestBytesFailTheNodeAndTheNextRunRepairs() throws {
        let store = WatchedStore()
        let (g, p) = try pairGraph()
        _ = Executor(store: store).build(g, targets: [p])
        store.forget(try constKey(11))
        store.damage(try requestDigest(11))
        let failed = Executor(store: store).build(g, targets: [p])
        XCTAssertNil(failed.outputs[p])
        XCTAssertEqual(failed.failures.map(\.message), [RunState.lostRequestMessage])
        XCTAssertNil(store.lookup(NodeKey.request(try requestDigest(11))), "the request is forgotten")

        // The bytes really are gone: the replay finds the request lost and reruns the asking task.
        store.inner.dropBlob(try requestDigest(11))
        let repaired = Executor(store: store.inner).build(g, targets: [p])
        XCTAssertEqual(repaired.outputs[p].map { TestOps.int($0.bytes) }, 21)
        XCTAssertEqual(repaired.log.events.filter { $0.kind == .executed }.map(\.op).sorted(),
                       ["test.const", "test.dynamicPair"])
        XCTAssertEqual(Executor(store: store.inner).build(g, targets: [p]).log.count(.executed), 0)
    }

    func testTraceEntriesRoundTripAndOldTracesStillRead() throws {
        let a = TraceEntry(digest: SHA256.hash([1]), size: 40)
        let b = TraceEntry(digest: SHA256.hash([2]), size: 5500,
                           key: .init(op: "accomake.layer-search", version: 9, key: SHA256.hash([3])))
        XCTAssertEqual(TraceEntry.decode(try TraceEntry.encode([a, b])), [a, b])
        // A trace written before derived keys: pairs only.
        let old = try CanonicalEncoder.encode(.array([.array([.bytes(a.digest.bytes), .int(40)])]))
        XCTAssertEqual(TraceEntry.decode(old), [a])
        XCTAssertEqual(try TraceEntry.encode([a]), old, "an entry without a key keeps the old bytes")
        // Malformed: trailing bytes, not an array; a short digest, a negative size, three fields,
        // a size that is not an integer.
        XCTAssertNil(TraceEntry.decode(try TraceEntry.encode([a, b]) + [0]))
        XCTAssertNil(TraceEntry.decode(try CanonicalEncoder.encode(.int(1))))
        XCTAssertNil(TraceEntry.decode(try CanonicalEncoder.encode(.array([.array([.bytes(a.digest.bytes),
                                                                                    .string("40")])]))))
        for bad: Value in [.array([.bytes([1, 2]), .int(1)]), .array([.bytes(a.digest.bytes), .int(-1)]),
                           .array([.bytes(a.digest.bytes), .int(1), .string("x")])] {
            XCTAssertNil(TraceEntry.decode(try CanonicalEncoder.encode(.array([bad]))), "\(bad)")
        }
    }
}
