@testable import Graph
import Synchronization
import XCTest

/// Closure keys (`NodeKey`, `BuildOptions.closureKeys`): an unchanged subgraph is answered by
/// one lookup at its top, exact event logs show which nodes a run still visits, and damage under
/// a closure key is a miss that is rebuilt, never a wrong answer.
final class ClosureKeyTests: XCTestCase {
    var options: BuildOptions {
        var o = BuildOptions(jobs: 2)
        o.closureKeys = true
        return o
    }

    /// a → b → c → e, and d independent; `aValue` is the only input, `eAdd` the top's parameter.
    func graph(aValue: Int64 = 1, eAdd: Int64 = 1000) throws -> (Graph, [NodeID]) {
        var g = Graph()
        let a = try g.add(TestOps.const, ["value": .int(aValue)])
        let b = try g.add(TestOps.sum, ["add": 0], dependencies: [a])
        let c = try g.add(TestOps.sum, ["add": 100], dependencies: [b])
        let d = try g.add(TestOps.const, ["value": 7])
        let e = try g.add(TestOps.sum, ["add": .int(eAdd)], dependencies: [c, d])
        return (g, [a, b, c, d, e])
    }

    func testAnUnchangedGraphIsAnsweredAtItsTargetsWithoutAWalk() throws {
        let store = MemoryStore()
        let (g, ids) = try graph()
        let cold = Executor(store: store, options: options).build(g, targets: [ids[4]])
        XCTAssertEqual(cold.log.nodes(.executed), ids)
        XCTAssertEqual(TestOps.int(cold.outputs[ids[4]]!.bytes), 1108)

        let warm = Executor(store: store, options: options).build(g, targets: [ids[4]])
        XCTAssertEqual(warm.log.events.map(\.node), [ids[4]], "only the target is visited")
        XCTAssertEqual(warm.log.nodes(.hit), [ids[4]])
        XCTAssertEqual(TestOps.int(warm.outputs[ids[4]]!.bytes), 1108)

        // Without closure keys the same cache still answers node by node.
        let walked = Executor(store: store, options: .init(jobs: 2)).build(g, targets: [ids[4]])
        XCTAssertEqual(walked.log.nodes(.hit), ids)
    }

    /// A graph kept between runs with its closure keys derived (`run --watch`): after new
    /// parameters for one node, that node and those above it are derived again and the rest kept —
    /// every key as a fresh graph derives it — and a run of the kept graph settles the same nodes,
    /// with the same output, as one of the fresh graph.
    func testDerivedClosureKeysFollowReplacedParameters() throws {
        for (changed, fresh) in [(1, try graph(aValue: 1).0), (0, try graph(aValue: 5).0)] {
            var (kept, ids) = try graph()
            kept.deriveClosureKeys()
            let before = ids.map { kept.derivedClosureKey($0.index) }
            kept.replaceParams(of: ids[changed], with: fresh.params(of: ids[changed]))
            if changed == 1 { kept.replaceParams(of: ids[1], with: ["add": 0]) }  // the same value again
            let above = changed == 0 ? [0, 1, 2, 4] : [1, 2, 4]
            for i in ids.indices {
                XCTAssertEqual(kept.derivedClosureKey(ids[i].index) == nil, above.contains(i), "node \(i)")
            }
            kept.deriveClosureKeys()
            var reference = fresh
            reference.deriveClosureKeys()
            for id in ids { XCTAssertEqual(kept.derivedClosureKey(id.index), reference.derivedClosureKey(id.index)) }
            XCTAssertEqual(ids.map { kept.derivedClosureKey($0.index) } == before, changed == 1)

            let store = MemoryStore()
            let first = Executor(store: store, options: options).build(try graph().0, targets: [ids[4]])
            XCTAssertEqual(TestOps.int(first.outputs[ids[4]]!.bytes), 1108)
            let again = Executor(store: store, options: options).build(kept, targets: [ids[4]])
            let plain = rerun(try graph().0, then: fresh, target: ids[4])
            XCTAssertEqual(again.log.events.map(\.node), plain.log.events.map(\.node))
            XCTAssertEqual(again.log.events.map(\.kind), plain.log.events.map(\.kind))
            XCTAssertEqual(TestOps.int(again.outputs[ids[4]]!.bytes), changed == 0 ? 1112 : 1108)
        }
    }

    /// A cold run of `first` with closure keys, then a run of `second` on the same cache, with
    /// the options `adjust` makes.
    func rerun(_ first: Graph, then second: Graph, target: NodeID, store: MemoryStore = MemoryStore(),
               adjust: (inout BuildOptions) -> Void = { _ in }) -> BuildResult {
        _ = Executor(store: store, options: options).build(first, targets: [target])
        var changed = options
        adjust(&changed)
        return Executor(store: store, options: changed).build(second, targets: [target])
    }

    func testAChangeAtTheTopVisitsOnlyTheTopAndItsInputs() throws {
        let (g1, ids) = try graph()
        let run = rerun(g1, then: try graph(eAdd: 2000).0, target: ids[4])
        XCTAssertEqual(run.log.nodes(.executed), [ids[4]])
        XCTAssertEqual(Set(run.log.nodes(.hit)), [ids[2], ids[3]], "c and d by their closure keys; a, b unvisited")
        XCTAssertEqual(run.log.events.count, 3)
        XCTAssertEqual(TestOps.int(run.outputs[ids[4]]!.bytes), 2108)
    }

    func testAChangedInputMissesEveryClosureKeyAboveIt() throws {
        let store = MemoryStore()
        let (g1, ids) = try graph()
        let run = rerun(g1, then: try graph(aValue: 2).0, target: ids[4], store: store)
        XCTAssertEqual(run.log.nodes(.executed), [ids[0], ids[1], ids[2], ids[4]])
        XCTAssertEqual(run.log.nodes(.hit), [ids[3]])
        XCTAssertEqual(TestOps.int(run.outputs[ids[4]]!.bytes), 1109)
        // Back to the first input: answered at the top again, by the first run's closure key.
        let back = Executor(store: store, options: options).build(g1, targets: [ids[4]])
        XCTAssertEqual(back.log.nodes(.hit), [ids[4]])
        XCTAssertEqual(TestOps.int(back.outputs[ids[4]]!.bytes), 1108)
    }

    /// The closure key names a blob that is gone: the target is rebuilt from its inputs (its own
    /// key names the same lost blob, so it runs), and the next run is answered at the top again.
    func testALostBlobUnderAClosureKeyIsRebuilt() throws {
        let store = MemoryStore()
        let (g, ids) = try graph()
        let cold = Executor(store: store, options: options).build(g, targets: [ids[4]])
        store.dropBlob(cold.outputs[ids[4]]!.digest)
        let repaired = Executor(store: store, options: options).build(g, targets: [ids[4]])
        XCTAssertTrue(repaired.failures.isEmpty)
        XCTAssertEqual(TestOps.int(repaired.outputs[ids[4]]!.bytes), 1108)
        XCTAssertEqual(repaired.log.nodes(.executed), [ids[4]])
        let next = Executor(store: store, options: options).build(g, targets: [ids[4]])
        XCTAssertEqual(next.log.events.map(\.kind), [.hit])
    }

    func testADryRunCountsAClosureKeyAsUpToDateAndRecordsNothing() throws {
        let (g1, ids) = try graph()
        let cold = MemoryStore(), store = MemoryStore()
        _ = Executor(store: cold, options: options).build(g1, targets: [ids[4]])
        let run = rerun(g1, then: try graph(eAdd: 5).0, target: ids[4], store: store) { $0.dryRun = true }
        XCTAssertEqual(run.log.nodes(.wouldRun), [ids[4]])
        XCTAssertEqual(Set(run.log.nodes(.hit)), [ids[2], ids[3]])
        XCTAssertEqual(store.recordCount, cold.recordCount, "a dry run writes nothing")
    }

    func testVerifyRecomputesBelowClosureKeys() throws {
        let (g, ids) = try graph()
        let run = rerun(g, then: g, target: ids[4]) { $0.verify = true }
        XCTAssertEqual(run.log.nodes(.executed), ids)
        XCTAssertEqual(run.verified, 5)
        XCTAssertTrue(run.mismatches.isEmpty)
    }

    /// A dynamic node (its trace asks for two `test.const` nodes) under a closure key: the
    /// requests are not replayed.
    func testRequestsBelowAClosureKeyAreNotReplayed() throws {
        let store = MemoryStore()
        var g = Graph()
        let a = try g.add(TestOps.const, ["value": 4])
        let p = try g.add(TestOps.dynamicPair, [:], dependencies: [a])
        let cold = Executor(store: store, options: options).build(g, targets: [p])
        XCTAssertEqual(cold.log.count(.executed), 3, "a, p and the request for 5 (the request for 4 is a)")
        let warm = Executor(store: store, options: options).build(g, targets: [p])
        XCTAssertEqual(warm.log.events.map(\.kind), [.hit])
        XCTAssertEqual(TestOps.int(warm.outputs[p]!.bytes), 9)
    }

    func testClosureKeysAreGoldenAndDifferFromNodeKeys() throws {
        let closure = try NodeKey.closure(operator: "test.sum", version: 1, params: ["add": 1],
                                          dependencyKeys: [Digest(0, 0, 0, 0)])
        let node = try NodeKey.node(operator: "test.sum", version: 1, params: ["add": 1],
                                    dependencyDigests: [Digest(0, 0, 0, 0)])
        XCTAssertNotEqual(closure, node)
        // Computed by an independent Python encoder written from engine.md §3, as the other goldens.
        XCTAssertEqual(closure.hex, "57ee5e3d68d969d3250c8acac59513c7a3d587dba320fa242e85963f9e5405de")
    }

    /// A remote that is a second in-memory store (what `RemoteCache` does over HTTP).
    final class MemoryRemote: RemoteStore {
        let store = MemoryStore()
        private let askedKeys = Mutex<[Digest]>([])
        var asked: [Digest] { askedKeys.withLock { $0 } }
        func fetch(_ key: Digest, into local: any ActionStore) -> ActionRecord? {
            askedKeys.withLock { $0.append(key) }
            guard let record = store.lookup(key), let bytes = store.load(record.blob, size: record.size) else {
                return nil
            }
            try? local.store(key, record, blob: bytes, durationNanos: 0)
            return record
        }
        func fetchBlob(_ digest: Digest, size: Int64) -> [UInt8]? { store.load(digest, size: size) }
        func offer(_ key: Digest, _ record: ActionRecord, blob: [UInt8]) {
            store.store(key, record, blob: blob, durationNanos: 0)
        }
        func offerBlob(_ digest: Digest, _ bytes: [UInt8]) {}
    }

    /// Another machine, empty local cache, the same remote: the targets' closure keys (offered by
    /// the first run) answer them with one request each; nothing below is fetched or walked.
    func testATargetsClosureKeyTravelsThroughTheRemote() throws {
        let remote = MemoryRemote()
        var shared = options
        shared.remote = remote
        let (g, ids) = try graph()
        _ = Executor(store: MemoryStore(), options: shared).build(g, targets: [ids[2], ids[4]])
        let teammate = MemoryStore()
        let run = Executor(store: teammate, options: shared).build(g, targets: [ids[4]])
        XCTAssertEqual(run.log.events.map(\.node), [ids[4]])
        XCTAssertEqual(run.log.nodes(.hit), [ids[4]])
        XCTAssertEqual(TestOps.int(run.outputs[ids[4]]!.bytes), 1108)
        XCTAssertEqual(teammate.recordCount, 1, "the closure record, fetched")
        // c was a target too: a graph whose top changed finds c by its closure key remotely.
        let (g2, _) = try graph(eAdd: 3000)
        let changed = Executor(store: MemoryStore(), options: shared).build(g2, targets: [ids[4]])
        XCTAssertEqual(changed.log.nodes(.executed), [ids[4]])
        XCTAssertEqual(Set(changed.log.nodes(.hit)), [ids[2], ids[3]], "c by its closure key, d by its own key")
        XCTAssertEqual(TestOps.int(changed.outputs[ids[4]]!.bytes), 3108)
    }

    /// A cold run against an empty remote: the remote holds only closure keys that were targets
    /// somewhere, so after its first asks for an operator all miss, the run stops asking.
    func testAColdRunStopsAskingTheRemoteForClosureKeysThatAllMiss() throws {
        let remote = MemoryRemote()
        var shared = options
        shared.remote = remote
        shared.jobs = 1
        var g = Graph()
        let leaves = try (0..<200).map { try g.add(TestOps.const, ["value": .int(Int64($0))]) }
        let top = try g.add(TestOps.sum, [:], dependencies: leaves)
        let run = Executor(store: MemoryStore(), options: shared).build(g, targets: [top])
        XCTAssertEqual(TestOps.int(run.outputs[top]!.bytes), 19_900)
        let nodeKeys = Set(run.log.events.compactMap(\.key))
        let closureAsks = remote.asked.filter { !nodeKeys.contains($0) }.count
        // The top's, then the leaves' until 32 missed (at most 8 more were in flight by then).
        XCTAssertGreaterThanOrEqual(closureAsks, 1 + RunState.closureMissesBeforeGivingUp)
        XCTAssertLessThanOrEqual(closureAsks, 1 + RunState.closureMissesBeforeGivingUp + shared.fetchers)
    }
}
