@testable import Graph
import XCTest

/// Shake's random test (engine.md §9): random DAGs, random edits (including A → B → A reverts,
/// edits that yield equal bytes, injected failures), random `-j`. After every build:
/// - correctness: every target's output equals a from-scratch evaluation of a pure model;
/// - minimality: the executed keys are exactly the model's keys that were not cached before,
///   each executed once;
/// - early cutoff is observed somewhere in the corpus.
final class RandomGraphPropertyTests: XCTestCase {
    /// A node of the test's own description of a graph.
    struct Spec: Equatable {
        enum Kind { case const, sum, pair }
        var kind: Kind
        var params: Value
        var deps: [Int]
    }

    enum Outcome: Equatable {
        case ok(Int64)
        case failed
        case skipped
    }

    static let graphs = 1000
    static let editsPerGraph = 4

    func testIncrementalEqualsCleanAndRunsExactlyTheChangedKeys() throws {
        var rng = SplitMix64(state: 0xACC0_2023)
        var cutoffs = 0, reverts = 0, failures = 0, builds = 0, covered = 0
        for _ in 0..<Self.graphs {
            var specs = randomGraph(&rng)
            let store = MemoryStore()
            var cachedKeys = Set<Digest>()
            var history: [[Spec]] = []
            for edit in 0...Self.editsPerGraph {
                if edit > 0 {
                    if history.count >= 2 && Int.random(in: 0..<4, using: &rng) == 0 {
                        specs = history[history.count - 2]  // revert to the state before the last edit
                        reverts += 1
                    } else {
                        mutate(&specs, &rng)
                    }
                }
                history.append(specs)
                let targets = randomTargets(specs.count, &rng)
                let jobs = Int.random(in: 1...8, using: &rng)
                let failuresBefore = testRun?.failureCount ?? 0
                defer {
                    if (testRun?.failureCount ?? 0) > failuresBefore {
                        print("graph spec at failure: \(specs.count) nodes")
                    }
                }
                let outcome = try check(specs, targets: targets, jobs: jobs, store: store, cachedKeys: &cachedKeys)
                cutoffs += outcome.cutoffs
                covered += outcome.covered
                failures += outcome.failures
                builds += 1
            }
        }
        XCTAssertEqual(builds, Self.graphs * (Self.editsPerGraph + 1))
        XCTAssertGreaterThan(cutoffs, 0, "no early cutoff was exercised")
        XCTAssertGreaterThan(covered, 0, "no node was answered through a closure key above it")
        XCTAssertGreaterThan(reverts, 0)
        XCTAssertGreaterThan(failures, 0)
    }

    // MARK: The check of one build

    func check(_ specs: [Spec], targets: [Int], jobs: Int, store: MemoryStore,
               cachedKeys: inout Set<Digest>) throws -> (cutoffs: Int, failures: Int, covered: Int) {
        var graph = Graph()
        var ids: [NodeID] = []
        for spec in specs {
            let op = switch spec.kind {
            case .const: TestOps.const
            case .sum: TestOps.sum
            case .pair: TestOps.dynamicPair
            }
            ids.append(try graph.add(op, spec.params, dependencies: spec.deps.map { ids[$0] }))
        }
        // Closure keys on every other `-j`: answering a subgraph at its top must change neither an
        // output nor the set of keys executed (a closure key hits only where all below is cached).
        var options = BuildOptions(jobs: jobs)
        options.closureKeys = jobs % 2 == 0
        let result = Executor(store: store, options: options).build(graph, targets: targets.map { ids[$0] })

        // The model: outcomes and keys from scratch.
        var model = Model(specs: specs)
        for t in targets { _ = model.evaluate(t) }

        for t in targets {
            switch model.outcomes[t]! {
            case .ok(let v):
                XCTAssertEqual(result.outputs[ids[t]].map { TestOps.int($0.bytes) }, v, "node \(t) of \(specs)")
            case .failed, .skipped:
                XCTAssertNil(result.outputs[ids[t]])
            }
        }
        let expectedFailed = Set(model.outcomes.filter { $0.value == .failed }.keys)
        XCTAssertEqual(Set(result.failures.map(\.node.index)), expectedFailed,
                       "\(result.failures) model: \(result.failures.map { model.outcomes[$0.node.index] as Any }) "
                           + "specs: \(result.failures.map { specs[$0.node.index] })")

        // Minimality: attempted keys = model keys not cached before, each attempted once.
        let attempted = result.log.events.filter { $0.kind == .executed || $0.kind == .failed }.compactMap(\.key)
        let expected = model.attemptedKeys.subtracting(cachedKeys)
        if Set(attempted) != expected {
            let extra = Set(attempted).subtracting(expected), missing = expected.subtracting(attempted)
            let describe = { (keys: Set<Digest>) in
                result.log.events.filter { $0.key.map(keys.contains) ?? false }.map { "\($0.op)#\($0.node.index) "
                    + "\($0.kind)" }
            }
            XCTFail("executed set differs: extra \(describe(extra)) (\(extra.count)), missing "
                + "\(missing.count) keys; targets \(targets)")
        }
        let executed = result.log.events.filter { $0.kind == .executed }.compactMap(\.key)
        XCTAssertEqual(executed.count, Set(executed).count, "a key executed twice")
        cachedKeys.formUnion(model.succeededKeys)
        // Nodes the targets need that the run never visited: below a closure-key hit.
        var needed = Set<Int>(), stack = targets
        while let n = stack.popLast() { if needed.insert(n).inserted { stack += specs[n].deps } }
        let visited = Set(result.log.events.map(\.node.index))
        return (result.log.count(.cutoff), result.failures.count, needed.subtracting(visited).count)
    }

    /// From-scratch evaluation with the engine's key function (itself pinned by golden tests).
    struct Model {
        let specs: [Spec]
        var outcomes: [Int: Outcome] = [:]
        var digests: [Int: Digest] = [:]
        /// Final keys of every node evaluation, including dynamically requested ones.
        var attemptedKeys = Set<Digest>()
        var succeededKeys = Set<Digest>()

        init(specs: [Spec]) { self.specs = specs }

        mutating func evaluate(_ n: Int) -> Outcome {
            if let known = outcomes[n] { return known }
            let spec = specs[n]
            // Every dependency is evaluated (keep-going), even after one has failed.
            let depOutcomes = spec.deps.map { evaluate($0) }
            var inputs: [Int64] = []
            for outcome in depOutcomes {
                guard case .ok(let v) = outcome else { outcomes[n] = .skipped; return .skipped }
                inputs.append(v)
            }
            let op = switch spec.kind {
            case .const: "test.const"
            case .sum: "test.sum"
            case .pair: "test.dynamicPair"
            }
            let base = try! NodeKey.node(operator: op, version: 1, params: spec.params,
                                        dependencyDigests: spec.deps.map { digests[$0]! })
            let value: Int64
            var key = base
            switch spec.kind {
            case .const:
                value = spec.params["value"]!.intValue!
            case .sum:
                if spec.params["fail"]?.boolValue == true {
                    attemptedKeys.insert(base)
                    outcomes[n] = .failed
                    return .failed
                }
                var total = spec.params["add"]?.intValue ?? 0
                for v in inputs { total &+= v }
                if let mod = spec.params["mod"]?.intValue, mod > 0 { total = ((total % mod) + mod) % mod }
                value = total
            case .pair:
                let requested = [inputs[0], inputs[0] + 1]
                var requestDigests: [Digest] = []
                for v in requested {
                    let k = try! NodeKey.node(operator: "test.const", version: 1, params: ["value": .int(v)],
                                              dependencyDigests: [])
                    attemptedKeys.insert(k)
                    succeededKeys.insert(k)
                    requestDigests.append(SHA256.hash(TestOps.bytes(v)))
                }
                key = NodeKey.step(after: base, dependencyDigests: requestDigests)
                value = requested.reduce(0, +)
            }
            attemptedKeys.insert(key)
            succeededKeys.insert(key)
            digests[n] = SHA256.hash(TestOps.bytes(value))
            outcomes[n] = .ok(value)
            return .ok(value)
        }
    }

    // MARK: Random graphs and edits

    func randomGraph(_ rng: inout SplitMix64) -> [Spec] {
        let count = Int.random(in: 1...200, using: &rng)
        var specs: [Spec] = []
        for i in 0..<count {
            specs.append(randomSpec(index: i, &rng))
        }
        return specs
    }

    func randomSpec(index: Int, _ rng: inout SplitMix64) -> Spec {
        let roll = Int.random(in: 0..<10, using: &rng)
        if index == 0 || roll < 3 {
            return Spec(kind: .const, params: ["value": .int(Int64.random(in: 0..<8, using: &rng))], deps: [])
        }
        if roll == 3 {
            return Spec(kind: .pair, params: [:], deps: [Int.random(in: 0..<index, using: &rng)])
        }
        let fanIn = Int.random(in: 1...min(4, index), using: &rng)
        let deps = (0..<fanIn).map { _ in Int.random(in: max(0, index - 20)..<index, using: &rng) }
        return Spec(kind: .sum, params: randomSumParams(&rng), deps: deps)
    }

    func randomSumParams(_ rng: inout SplitMix64) -> Value {
        var fields: [String: Value] = ["add": .int(Int64.random(in: 0..<3, using: &rng))]
        // Small moduli make different inputs produce equal outputs: early cutoff.
        if Bool.random(using: &rng) { fields["mod"] = .int(Int64.random(in: 2...3, using: &rng)) }
        if Int.random(in: 0..<60, using: &rng) == 0 { fields["fail"] = true }
        return .object(fields)
    }

    func mutate(_ specs: inout [Spec], _ rng: inout SplitMix64) {
        let n = Int.random(in: 0..<specs.count, using: &rng)
        switch specs[n].kind {
        case .const:
            specs[n].params = ["value": .int(Int64.random(in: 0..<8, using: &rng))]
        case .sum:
            specs[n].params = randomSumParams(&rng)
        case .pair:
            specs[n] = randomSpec(index: n, &rng)
        }
    }

    func randomTargets(_ count: Int, _ rng: inout SplitMix64) -> [Int] {
        let all = Array(0..<count)
        let k = Int.random(in: 1...min(count, 5), using: &rng)
        var picked = Set([count - 1])
        while picked.count < k { picked.insert(all.randomElement(using: &rng)!) }
        return picked.sorted()
    }
}
