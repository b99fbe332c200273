@testable import Graph
import Synchronization
import XCTest

/// Exact event-log tests on small graphs (engine.md §9, "exact execution logs").
final class ExecutorTests: XCTestCase {
    /// a → b → c, and d independent; `aValue` is the only input.
    func chain(aValue: Int64, mod: Int64 = 0) throws -> (Graph, [NodeID]) {
        var g = Graph()
        let a = try g.add(TestOps.const, ["value": .int(aValue)])
        let b = try g.add(TestOps.sum, ["add": 0, "mod": .int(mod)], dependencies: [a])
        let c = try g.add(TestOps.sum, ["add": 100], dependencies: [b])
        let d = try g.add(TestOps.const, ["value": 7])
        return (g, [a, b, c, d])
    }

    func testColdRunExecutesEverythingAndRerunNothing() throws {
        let store = MemoryStore()
        let (g, ids) = try chain(aValue: 1)
        let first = Executor(store: store, options: .init(jobs: 2)).build(g, targets: [ids[2], ids[3]])
        XCTAssertEqual(first.log.nodes(.executed), ids)
        XCTAssertEqual(TestOps.int(first.outputs[ids[2]]!.bytes), 101)
        XCTAssertEqual(TestOps.int(first.outputs[ids[3]]!.bytes), 7)

        let second = Executor(store: store).build(g, targets: [ids[2], ids[3]])
        XCTAssertEqual(second.log.nodes(.executed), [])
        XCTAssertEqual(second.log.nodes(.hit), ids)
        XCTAssertEqual(TestOps.int(second.outputs[ids[2]]!.bytes), 101)
    }

    func testChangingOneInputRunsExactlyItsDownstreamCone() throws {
        let store = MemoryStore()
        let (g1, ids) = try chain(aValue: 1)
        _ = Executor(store: store).build(g1, targets: [ids[2], ids[3]])
        let (g2, _) = try chain(aValue: 2)
        let result = Executor(store: store).build(g2, targets: [ids[2], ids[3]])
        XCTAssertEqual(result.log.nodes(.executed), [ids[0], ids[1], ids[2]])
        XCTAssertEqual(result.log.nodes(.hit), [ids[3]])
        XCTAssertEqual(TestOps.int(result.outputs[ids[2]]!.bytes), 102)
    }

    /// b = a mod 2: changing a from 1 to 3 re-runs a and b, b yields the same bytes, c is cut off.
    func testEarlyCutoff() throws {
        let store = MemoryStore()
        let (g1, ids) = try chain(aValue: 1, mod: 2)
        _ = Executor(store: store).build(g1, targets: [ids[2]])
        let (g2, _) = try chain(aValue: 3, mod: 2)
        let result = Executor(store: store).build(g2, targets: [ids[2]])
        XCTAssertEqual(result.log.nodes(.executed), [ids[0], ids[1]])
        XCTAssertEqual(result.log.nodes(.cutoff), [ids[2]])
        XCTAssertEqual(TestOps.int(result.outputs[ids[2]]!.bytes), 101)
    }

    func testBumpingAnOperatorVersionInvalidatesOnlyItsNodes() throws {
        let store = MemoryStore()
        let (g1, ids) = try chain(aValue: 1)
        _ = Executor(store: store).build(g1, targets: [ids[2], ids[3]])
        // Same graph, but `test.sum` at version 2.
        let sum2 = Operator("test.sum", version: 2, run: TestOps.sum.run)
        var g2 = Graph()
        let a = try g2.add(TestOps.const, ["value": 1])
        let b = try g2.add(sum2, ["add": 0, "mod": 0], dependencies: [a])
        let c = try g2.add(sum2, ["add": 100], dependencies: [b])
        let d = try g2.add(TestOps.const, ["value": 7])
        let result = Executor(store: store).build(g2, targets: [c, d])
        XCTAssertEqual(result.log.nodes(.executed), [b, c])
        XCTAssertEqual(result.log.nodes(.hit), [a, d])
    }

    func testKeepGoingReportsTheFailureAndFinishesIndependentNodes() throws {
        var g = Graph()
        let a = try g.add(TestOps.const, ["value": 1])
        let bad = try g.add(TestOps.sum, ["fail": true], dependencies: [a])
        let after = try g.add(TestOps.sum, ["add": 1], dependencies: [bad])
        let other = try g.add(TestOps.sum, ["add": 5], dependencies: [a])
        let store = MemoryStore()
        let result = Executor(store: store, options: .init(jobs: 1)).build(g, targets: [after, other])
        XCTAssertEqual(result.failures.map(\.node), [bad])
        XCTAssertEqual(result.failures.first?.op, "test.sum")
        XCTAssertEqual(result.failures.first?.description, #"test.sum {fail: true}: injected failure"#)
        XCTAssertEqual(result.log.nodes(.skipped), [after])
        XCTAssertEqual(TestOps.int(result.outputs[other]!.bytes), 6)
        XCTAssertNil(result.outputs[after])
        // Failures are not cached: a rerun tries again.
        let again = Executor(store: store).build(g, targets: [after, other])
        XCTAssertEqual(again.log.nodes(.failed), [bad])
    }

    func testFailFastCancelsWhatHasNotStarted() throws {
        var g = Graph()
        let bad = try g.add(TestOps.sum, ["fail": true])
        var later: [NodeID] = []
        for i in 0..<5 { later.append(try g.add(TestOps.const, ["value": .int(Int64(i))])) }
        let result = Executor(store: MemoryStore(), options: .init(jobs: 1, failFast: true)).build(g,
            targets: [bad] + later)
        XCTAssertTrue(result.cancelled)
        XCTAssertEqual(result.log.nodes(.failed), [bad])
        // With one worker, the failing node (first in the queue) settles before the others start.
        XCTAssertEqual(result.log.nodes(.cancelled), later)
        XCTAssertEqual(result.log.count(.executed), 0)
    }

    func testDynamicDependenciesAreReplayedFromTheTrace() throws {
        let store = MemoryStore()
        func graph(_ v: Int64) throws -> (Graph, NodeID, NodeID) {
            var g = Graph()
            let a = try g.add(TestOps.const, ["value": .int(v)])
            let p = try g.add(TestOps.dynamicPair, [:], dependencies: [a])
            return (g, a, p)
        }
        let (g1, _, p1) = try graph(10)
        let first = Executor(store: store).build(g1, targets: [p1])
        XCTAssertEqual(TestOps.int(first.outputs[p1]!.bytes), 21)
        // a, pair and const 11 run; const 10 has the same key as a, so it is a's result.
        XCTAssertEqual(first.log.count(.executed), 3)

        let second = Executor(store: store).build(g1, targets: [p1])
        XCTAssertEqual(second.log.count(.executed), 0)
        XCTAssertEqual(second.log.count(.hit), 4)  // the trace names both requested nodes
        XCTAssertEqual(TestOps.int(second.outputs[p1]!.bytes), 21)

        // a = 11: a itself is const 11, cached by the first run; the pair and const 12 are new.
        let (g2, a2, p2) = try graph(11)
        let third = Executor(store: store).build(g2, targets: [p2])
        XCTAssertEqual(TestOps.int(third.outputs[p2]!.bytes), 23)
        XCTAssertEqual(third.log.events.filter { $0.kind == .executed }.map(\.op).sorted(),
                       ["test.const", "test.dynamicPair"])
        XCTAssertTrue(third.log.nodes(.hit).contains(a2))
        XCTAssertEqual(third.log.count(.executed), 2)
    }

    /// A trace names its requests by digest; their bytes are blobs of their own. When one is lost,
    /// the asking task runs again (and asks again) instead of failing, and the requested nodes'
    /// cached outputs are still used.
    /// const 10 → dynamicPair (asks for const 10 and const 11), built once on a fresh store.
    func warmPair() throws -> (MemoryStore, Graph, NodeID) {
        let store = MemoryStore()
        var g = Graph()
        let a = try g.add(TestOps.const, ["value": 10])
        let p = try g.add(TestOps.dynamicPair, [:], dependencies: [a])
        _ = Executor(store: store).build(g, targets: [p])
        return (store, g, p)
    }

    func testLostRequestBytesRerunTheAskingTask() throws {
        let (store, g, p) = try warmPair()
        let request = try CanonicalEncoder.encode(NodeRequest("test.const", ["value": 11]).value)
        XCTAssertNotNil(store.lookup(NodeKey.request(SHA256.hash(request))), "the request's bytes are recorded")
        store.dropBlob(SHA256.hash(request))
        let again = Executor(store: store).build(g, targets: [p])
        XCTAssertEqual(again.outputs[p].map { TestOps.int($0.bytes) }, 21)
        XCTAssertTrue(again.failures.isEmpty)
        XCTAssertEqual(again.log.events.filter { $0.kind == .executed }.map(\.op), ["test.dynamicPair"])
        // The rerun stored the request's bytes again: the next run replays the trace, runs nothing.
        let third = Executor(store: store).build(g, targets: [p])
        XCTAssertEqual(third.outputs[p].map { TestOps.int($0.bytes) }, 21)
        XCTAssertEqual(third.log.count(.executed), 0)
    }

    /// Every blob lost (a pack or blob folder gone): the next run recomputes with the same
    /// answer. The asking task ran then from scratch, so it found its requests' records and did
    /// not store their lost bytes again; the run after finds every one of them lost at once (not
    /// one per run, as before) and runs the asking task once more; from then on nothing runs.
    /// a = 10 → p (asks for 10 and 11, outputs 21) → q = p + `add`.
    func pairGraph(add: Int64 = 3) throws -> (Graph, NodeID) {
        var g = Graph()
        let a = try g.add(TestOps.const, ["value": 10])
        let p = try g.add(TestOps.dynamicPair, [:], dependencies: [a])
        let q = try g.add(TestOps.sum, ["add": .int(add)], dependencies: [p])
        return (g, q)
    }

    func testLosingEveryBlobIsRepairedWithinTwoRuns() throws {
        let store = MemoryStore()
        let (g, q) = try pairGraph()
        _ = Executor(store: store).build(g, targets: [q])
        for digest in store.blobDigests { store.dropBlob(digest) }
        let first = Executor(store: store).build(g, targets: [q])
        XCTAssertEqual(first.outputs[q].map { TestOps.int($0.bytes) }, 24)
        XCTAssertEqual(first.log.events.filter { $0.kind == .executed }.map(\.op).sorted(),
                       ["test.const", "test.const", "test.dynamicPair", "test.sum"])
        let second = Executor(store: store).build(g, targets: [q])
        XCTAssertEqual(second.outputs[q].map { TestOps.int($0.bytes) }, 24)
        XCTAssertEqual(second.log.events.filter { $0.kind == .executed }.map(\.op), ["test.dynamicPair"])
        let third = Executor(store: store).build(g, targets: [q])
        XCTAssertEqual(third.log.count(.executed), 0)
        XCTAssertEqual(third.outputs[q].map { TestOps.int($0.bytes) }, 24)
    }

    func testMissingBlobIsAMissAndTheNodeIsRebuilt() throws {
        let store = MemoryStore()
        func graph(add: Int64) throws -> (Graph, NodeID, NodeID) {
            var g = Graph()
            let a = try g.add(TestOps.const, ["value": 1])
            let b = try g.add(TestOps.sum, ["add": 5], dependencies: [a])
            let c = try g.add(TestOps.sum, ["add": .int(add)], dependencies: [b])
            return (g, b, c)
        }
        let (g1, b, c1) = try graph(add: 100)
        _ = Executor(store: store).build(g1, targets: [c1])
        // Lose b's output (6); change c so that c must read b.
        store.dropBlob(SHA256.hash(TestOps.bytes(6)))
        let (g2, _, c) = try graph(add: 200)
        let result = Executor(store: store).build(g2, targets: [c])
        XCTAssertEqual(TestOps.int(result.outputs[c]!.bytes), 206)
        XCTAssertTrue(result.failures.isEmpty)
        XCTAssertEqual(result.log.nodes(.executed), [b, c])
    }

    /// Inputs are read when the task asks for them: a task that reads its first input and only
    /// the digest of its second runs although the second's bytes are lost (they are not rebuilt),
    /// and the digest it sees is that output's.
    func testAnInputTheTaskDoesNotReadIsNotLoaded() throws {
        let firstOnly = Operator("test.firstOnly", version: 1) { input in
            XCTAssertEqual(input.dependencyCount, 2)
            XCTAssertEqual(input.digest(of: 1), SHA256.hash(TestOps.bytes(6)), "the second input's digest")
            return .done(TestOps.bytes(TestOps.int(try input.dependency(0).bytes) + 1000))
        }
        let store = MemoryStore()
        func graph(add: Int64) throws -> (Graph, NodeID, NodeID) {
            var g = Graph()
            let a = try g.add(TestOps.const, ["value": 1])
            let b = try g.add(TestOps.const, ["value": 6])
            let c = try g.add(firstOnly, ["add": .int(add)], dependencies: [a, b])
            return (g, b, c)
        }
        let (g1, _, c1) = try graph(add: 1)
        XCTAssertEqual(Executor(store: store).build(g1, targets: [c1]).outputs[c1].map { TestOps.int($0.bytes) }, 1001)
        store.dropBlob(SHA256.hash(TestOps.bytes(6)))
        let (g2, _, c2) = try graph(add: 2)
        let result = Executor(store: store).build(g2, targets: [c2])
        XCTAssertTrue(result.failures.isEmpty, "\(result.failures)")
        XCTAssertEqual(result.outputs[c2].map { TestOps.int($0.bytes) }, 1001)
        XCTAssertEqual(result.log.nodes(.executed), [c2], "the lost, unread input is not rebuilt")
    }

    /// A task that reads its inputs when it runs and finds two of them lost runs again once,
    /// after both are rebuilt together (not once per lost input).
    func testLostInputsReadByTheTaskAreRebuiltTogether() throws {
        let runs = Mutex(0)
        let counted = Operator("test.countedSum", version: 1) { input in
            runs.withLock { $0 += 1 }
            return .done(TestOps.bytes(try input.dependencies.reduce(0) { $0 + TestOps.int($1.bytes) }))
        }
        let store = MemoryStore()
        func graph(_ extra: Int64) throws -> (Graph, [NodeID], NodeID) {
            var g = Graph()
            let inputs = try (1...3).map { try g.add(TestOps.const, ["value": .int(Int64($0))]) }
            let sum = try g.add(counted, ["extra": .int(extra)], dependencies: inputs)
            return (g, inputs, sum)
        }
        let (g1, _, s1) = try graph(0)
        _ = Executor(store: store).build(g1, targets: [s1])
        store.dropBlob(SHA256.hash(TestOps.bytes(1)))
        store.dropBlob(SHA256.hash(TestOps.bytes(3)))
        runs.withLock { $0 = 0 }
        let (g2, inputs, s2) = try graph(1)
        let result = Executor(store: store).build(g2, targets: [s2])
        XCTAssertEqual(result.outputs[s2].map { TestOps.int($0.bytes) }, 6)
        XCTAssertEqual(Set(result.log.nodes(.executed)), [inputs[0], inputs[2], s2])
        XCTAssertEqual(runs.withLock { $0 }, 2, "the attempt that found the inputs lost, then the run")
    }

    /// A requested node drops its parameters once settled (they are read back from the store if
    /// needed): here a replayed request's result and the asking task's output are both lost, the
    /// task runs again and the request is rebuilt from its stored bytes.
    func testARequestRebuiltAfterSettlingReadsItsParametersBack() throws {
        let store = MemoryStore()
        let (g, q) = try pairGraph()
        _ = Executor(store: store).build(g, targets: [q])
        store.dropBlob(SHA256.hash(TestOps.bytes(11)))  // the request for 11's result
        store.dropBlob(SHA256.hash(TestOps.bytes(21)))  // p's output
        let (changed, q2) = try pairGraph(add: 4)
        let run = Executor(store: store).build(changed, targets: [q2])
        XCTAssertTrue(run.failures.isEmpty, "\(run.failures)")
        XCTAssertEqual(TestOps.int(run.outputs[q2]!.bytes), 25)
        XCTAssertEqual(run.log.events.filter { $0.kind == .executed }.map(\.op).sorted(),
                       ["test.const", "test.dynamicPair", "test.sum"])
    }

    func testLostTargetOutputIsRebuilt() throws {
        let store = MemoryStore()
        let (g, ids) = try chain(aValue: 1)
        let first = Executor(store: store).build(g, targets: [ids[2]])
        store.dropBlob(first.outputs[ids[2]]!.digest)
        let result = Executor(store: store).build(g, targets: [ids[2]])
        XCTAssertEqual(TestOps.int(result.outputs[ids[2]]!.bytes), 101)
        XCTAssertEqual(result.log.nodes(.executed), [ids[2]])
    }

    func testVerifyReportsANonDeterministicOperator() throws {
        let counter = Counter()
        let flaky = Operator("test.flaky", version: 1) { _ in
            counter.increment()
            return .done(TestOps.bytes(Int64(counter.value)))
        }
        var g = Graph()
        let a = try g.add(TestOps.const, ["value": 1])
        let f = try g.add(flaky, [:])
        let store = MemoryStore()
        _ = Executor(store: store).build(g, targets: [a, f])
        let verify = Executor(store: store, options: .init(verify: true)).build(g, targets: [a, f])
        XCTAssertEqual(verify.mismatches.map(\.op), ["test.flaky"])
        XCTAssertEqual(verify.log.nodes(.executed), [a, f])
        XCTAssertEqual(verify.verified, 2, "both had a cached output to compare with")
        let fresh = Executor(store: MemoryStore(), options: .init(verify: true)).build(g, targets: [a, f])
        XCTAssertEqual(fresh.verified, 0, "nothing cached: computed, nothing compared")
        XCTAssertEqual(fresh.mismatches.count, 0)
    }

    /// A sampled verify (`cache verify --deep --sample P`) recomputes exactly the cached nodes
    /// whose key's first word modulo 100 is below P, the same ones on every run; a forged record
    /// (a well-formed entry pointing at another node's output) is found when its node is sampled.
    func testSampledVerifyRecomputesTheKeyChosenShareAndFindsAForgedRecord() throws {
        var g = Graph()
        let ids = try (0..<60).map { try g.add(TestOps.const, ["value": .int(Int64($0))]) }
        let store = MemoryStore()
        let first = Executor(store: store).build(g, targets: ids)
        let keys = try (0..<60).map { try NodeKey.node(operator: "test.const", version: 1,
                                                       params: ["value": .int(Int64($0))],
                                                         dependencyDigests: []) }
        let sampled = ids.indices.filter { keys[$0].w0 % 100 < 30 }.map { ids[$0] }
        XCTAssertTrue((5..<40).contains(sampled.count), "about 30% of 60: \(sampled.count)")
        let verify = Executor(store: store, options: .init(verify: true, verifyPercent: 30)).build(g, targets: ids)
        XCTAssertEqual(verify.log.nodes(.executed), sampled)
        XCTAssertEqual(verify.verified, sampled.count)
        XCTAssertEqual(verify.mismatches.count, 0)
        // Node `victim`'s record now names node `other`'s output: checksum-valid, wrong.
        let victim = ids.indices.first { keys[$0].w0 % 100 < 30 }!, other = (victim + 1) % 60
        let forged = try XCTUnwrap(store.lookup(keys[other]))
        store.store(keys[victim], forged, blob: first.outputs[ids[other]]!.bytes, durationNanos: 0)
        let plain = Executor(store: store).build(g, targets: ids)
        XCTAssertEqual(TestOps.int(plain.outputs[ids[victim]]!.bytes), Int64(other),
                       "the local cache trusts its records")
        let found = Executor(store: store, options: .init(verify: true, verifyPercent: 30)).build(g, targets: ids)
        XCTAssertEqual(found.mismatches.map(\.node), [ids[victim]])
        XCTAssertEqual(found.log.events.filter { $0.kind == .mismatch }.map(\.key), [keys[victim]], "the key to evict")
    }

    /// Dry run (`accomake status`): nothing executes; what the cache answers settles as in a
    /// run, each node a run would compute is `wouldRun`, and its dependents are `skipped`.
    func testDryRunNamesExactlyWhatARunWouldCompute() throws {
        let store = MemoryStore()
        let dry = BuildOptions(jobs: 2, dryRun: true)
        let (g1, ids) = try chain(aValue: 1)
        let cold = Executor(store: store, options: dry).build(g1, targets: [ids[2], ids[3]])
        XCTAssertEqual(cold.log.nodes(.executed), [])
        XCTAssertEqual(Set(cold.log.nodes(.wouldRun)), [ids[0], ids[3]])
        XCTAssertEqual(Set(cold.log.nodes(.skipped)), [ids[1], ids[2]])
        XCTAssertEqual(store.recordCount, 0, "a dry run writes nothing")
        XCTAssertTrue(cold.failures.isEmpty)

        _ = Executor(store: store).build(g1, targets: [ids[2], ids[3]])
        let warm = Executor(store: store, options: dry).build(g1, targets: [ids[2], ids[3]])
        XCTAssertEqual(warm.log.nodes(.hit), ids)
        XCTAssertEqual(TestOps.int(warm.outputs[ids[2]]!.bytes), 101)

        // a changes: a would run, b and c wait on it, d is cached.
        let (g2, _) = try chain(aValue: 2)
        let changed = Executor(store: store, options: dry).build(g2, targets: [ids[2], ids[3]])
        XCTAssertEqual(changed.log.nodes(.wouldRun), [ids[0]])
        XCTAssertEqual(Set(changed.log.nodes(.skipped)), [ids[1], ids[2]])
        XCTAssertEqual(changed.log.nodes(.hit), [ids[3]])
    }

    /// A dynamic node's trace is replayed in a dry run; a requested node that lost its result
    /// would run, and the node that asked for it waits on it.
    func testDryRunReplaysTracesAndFindsALostRequestedResult() throws {
        let (store, g, p) = try warmPair()
        let dry = BuildOptions(dryRun: true)
        let warm = Executor(store: store, options: dry).build(g, targets: [p])
        XCTAssertEqual(warm.log.count(.hit), 4)
        XCTAssertEqual(warm.log.count(.wouldRun) + warm.log.count(.skipped) + warm.log.count(.executed), 0)

        store.forget(try NodeKey.node(operator: "test.const", version: 1, params: ["value": 11], dependencyDigests: []))
        let lost = Executor(store: store, options: dry).build(g, targets: [p])
        XCTAssertEqual(lost.log.events.filter { $0.kind == .wouldRun }.map(\.op), ["test.const"])
        XCTAssertEqual(lost.log.nodes(.skipped), [p])
        XCTAssertEqual(lost.log.count(.executed), 0)
    }

    /// Work in flight first: a task's requests and its resumption run before the next fresh
    /// node starts, so with one worker at most one asking task is open at a time (with FIFO
    /// order all 20 would wait at once, each holding its requests). Results are unchanged.
    func testTasksWaitingOnRequestsFinishBeforeNewOnesStart() throws {
        let open = Mutex((now: 0, most: 0))
        let asking = Operator("test.asking", version: 1) { input in
            open.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            let v = input.params["value"]?.intValue ?? 0
            return .need([NodeRequest("test.const", ["value": .int(v)]), NodeRequest("test.const",
                ["value": .int(v + 1000)])]) { outputs in
                open.withLock { $0.now -= 1 }
                return .done(TestOps.bytes(outputs.reduce(0) { $0 + TestOps.int($1.bytes) }))
            }
        }
        var g = Graph()
        try g.register(TestOps.const)
        let nodes = try (0..<20).map { try g.add(asking, ["value": .int(Int64($0))]) }
        let sum = try g.add(TestOps.sum, [:], dependencies: nodes)
        let result = Executor(store: MemoryStore(), options: .init(jobs: 1)).build(g, targets: [sum])
        XCTAssertEqual(open.withLock { $0.most }, 1)
        XCTAssertEqual(result.outputs[sum].map { TestOps.int($0.bytes) },
                       (0..<20).reduce(0) { $0 + 2 * Int64($1) + 1000 })
    }

    func testEqualKeysExecuteOnce() throws {
        let counter = Counter()
        let counted = Operator("test.counted", version: 1) { input in
            counter.increment()
            return .done(TestOps.bytes(input.params["value"]?.intValue ?? 0))
        }
        var g = Graph()
        let x = try g.add(counted, ["value": 5])
        let y = try g.add(counted, ["value": 5])
        let result = Executor(store: MemoryStore(), options: .init(jobs: 4)).build(g, targets: [x, y])
        XCTAssertEqual(counter.value, 1)
        XCTAssertEqual(result.outputs[x], result.outputs[y])
    }

    /// Two graph nodes with one key (each with its own equal dependency), both targets, on a warm
    /// store: both get the output.
    func testEqualKeysBothGetTheOutputOnAWarmStore() throws {
        var g = Graph()
        let a = try g.add(TestOps.const, ["value": 3])
        let x = try g.add(TestOps.sum, ["add": 1], dependencies: [a])
        let b = try g.add(TestOps.const, ["value": 3])
        let y = try g.add(TestOps.sum, ["add": 1], dependencies: [b])
        let store = MemoryStore()
        for run in 0..<2 {
            let result = Executor(store: store, options: .init(jobs: 2)).build(g, targets: [x, y])
            XCTAssertEqual(result.outputs[x].map { TestOps.int($0.bytes) }, 4, "run \(run)")
            XCTAssertEqual(result.outputs[y].map { TestOps.int($0.bytes) }, 4, "run \(run)")
        }
    }

    func testUnknownDynamicOperatorFailsWithItsName() throws {
        let asker = Operator("test.asker", version: 1) { _ in
            .need([NodeRequest("nope", [:])]) { _ in .done([]) }
        }
        var g = Graph()
        let n = try g.add(asker, [:])
        let result = Executor(store: MemoryStore()).build(g, targets: [n])
        XCTAssertEqual(result.failures.map(\.op), ["nope"])
        XCTAssertEqual(result.log.nodes(.skipped), [n])
    }

    func testATaskThatNeverStopsAskingIsStopped() throws {
        @Sendable func again(_ i: Int64) -> Step {
            .need([NodeRequest("test.const", ["value": .int(i % 3)])]) { _ in again(i + 1) }
        }
        let endless = Operator("test.endless", version: 1) { _ in again(0) }
        var g = Graph()
        try g.register(TestOps.const)
        let n = try g.add(endless, [:])
        let result = Executor(store: MemoryStore()).build(g, targets: [n])
        XCTAssertEqual(result.failures.map(\.op), ["test.endless"])
        XCTAssertTrue(result.failures.first?.message.contains("never settle") ?? false)
    }
}
