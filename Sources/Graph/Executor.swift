import Dispatch
import Foundation
import Synchronization

/// How a run behaves.
public struct BuildOptions: Sendable {
    /// At most this many tasks run at once (`-j`).
    public var jobs: Int
    /// Stop starting tasks after the first failure (default: keep going).
    public var failFast: Bool
    /// Recompute nodes found in the cache and report those whose output differs.
    public var verify: Bool
    /// In verify mode, the share of cached nodes recomputed, in percent (1...100): a node is in
    /// the sample when its key's first word modulo 100 is below it, so the same nodes are chosen
    /// on every run and machine; the others are answered from the cache as usual.
    public var verifyPercent: Int
    /// Run nothing: settle what the cache answers (traces replayed, as in a run) and log every
    /// node a run would compute as `wouldRun`, its dependents as `skipped` (`accomake status`).
    public var dryRun: Bool
    /// Set from outside (e.g. on SIGINT) to stop starting tasks; running ones finish.
    public var cancellation: CancellationFlag?
    /// Called after each node settles with (settled, known); for progress lines.
    public var progress: (@Sendable (Int, Int) -> Void)?
    /// A shared cache asked after a local miss and given every computed result (not in dry runs;
    /// a node sampled for verification is recomputed, not fetched).
    public var remote: (any RemoteStore)?
    /// Remote lookups in flight at once, on threads of their own (they wait on the network).
    public var fetchers = 8
    /// Answer a static node by its closure key when the cache has one (`NodeKey`), without
    /// walking its dependencies, and record the closure key of every node the run settles with
    /// an output. Off in verify mode. Off by default: a run then visits every node, so its
    /// event log names each one (what the engine's own tests and `--no-shortcut` expect).
    public var closureKeys = false

    public init(jobs: Int = ProcessInfo.processInfo.activeProcessorCount, failFast: Bool = false,
                verify: Bool = false, verifyPercent: Int = 100, dryRun: Bool = false,
                cancellation: CancellationFlag? = nil, progress: (@Sendable (Int, Int) -> Void)? = nil,
                remote: (any RemoteStore)? = nil) {
        self.jobs = max(1, jobs)
        self.failFast = failFast
        self.verify = verify
        self.verifyPercent = min(100, max(1, verifyPercent))
        self.dryRun = dryRun
        self.cancellation = cancellation
        self.progress = progress
        self.remote = remote
    }

    /// Whether a cached node with this key is recomputed and compared.
    public func verifies(_ key: Digest) -> Bool {
        verify && (verifyPercent == 100 || key.w0 % 100 < UInt64(verifyPercent))
    }
}

/// A flag that a signal handler can set and the executor polls.
public final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public func cancel() { flag.store(true, ordering: .relaxed) }
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}

/// A node that failed, named so that a user can find it.
public struct Failure: Sendable, Equatable, CustomStringConvertible {
    public let node: NodeID
    public let op: String
    public let params: Value
    public let message: String

    public var description: String { "\(op) \(ValueText.render(params)): \(message)" }
}

public struct BuildResult: Sendable {
    public let log: EventLog
    /// Outputs of the requested targets that succeeded, read back and verified.
    public let outputs: [NodeID: Artifact]
    public let failures: [Failure]
    /// Nodes whose recomputation differed from the cache (verify mode).
    public let mismatches: [Failure]
    public let cancelled: Bool
    /// Verify mode: how many recomputed nodes had a cached output to compare with.
    public var verified: Int = 0
    /// Results computed but not written to the store (disk full, read-only cache), and the first
    /// write error; the run's answers are complete, the next run computes these again.
    public var unstored: Int = 0
    public var unstoredError: String?

    public var succeeded: Bool { failures.isEmpty && !cancelled && mismatches.isEmpty }
}

/// Runs a graph against a store: the suspending scheduler of engine.md §2.
///
/// All bookkeeping happens under one lock; only task steps and blob I/O run outside it, on at
/// most `jobs` Dispatch workers. Cache hits are settled inline while the graph is walked, so a
/// no-op run never leaves the calling thread. Results do not depend on `jobs`: every key is a
/// function of content only.
public struct Executor: Sendable {
    public let store: any ActionStore
    public let options: BuildOptions

    public init(store: any ActionStore, options: BuildOptions = BuildOptions()) {
        self.store = store
        self.options = options
    }

    /// Builds `targets` and everything they need.
    public func build(_ graph: Graph, targets: [NodeID]) -> BuildResult {
        let run = Run(graph: graph, store: store, options: options)
        return run.start(targets: targets)
    }
}

// MARK: - One run

private final class Run: Sendable {
    let state: Mutex<RunState>
    let graph: Graph
    let store: any ActionStore
    let options: BuildOptions
    let finished = DispatchSemaphore(value: 0)
    /// Request digest → the key its node has, for the traces (`TraceEntry`): a study's stacks ask
    /// for the same searches again and again, and each would otherwise hash 5.5 KB anew.
    let derivedKeys = Mutex(DigestTable<Digest>())

    init(graph: Graph, store: any ActionStore, options: BuildOptions) {
        self.graph = graph
        self.store = store
        self.options = options
        self.state = Mutex(RunState(graph: graph, store: store, options: options))
    }

    func start(targets: [NodeID]) -> BuildResult {
        let isDone = locked { s in
            for t in targets { precondition(t.index < s.nodes.count, "target \(t.index) is not a node of this graph") }
            for t in targets { s.nodes[t.index].isTarget = true }
            for t in targets { s.visit(t.index) }
        }
        if !isDone { finished.wait() }
        let links = state.withLock { $0.closureLinks }
        for (key, record) in links { _ = store.link(key, to: record) }
        offerTargetLinks(targets)
        return state.withLock { $0.result(targets: targets) }
    }

    /// The targets' closure keys go to the remote cache too (not every node's: a request each):
    /// a run that merges what others computed (`run --shard`'s targets are trunks) then finds each
    /// of their results with one request instead of walking what lies below it.
    func offerTargetLinks(_ targets: [NodeID]) {
        guard let remote = options.remote, !options.dryRun else { return }
        let links = state.withLock { s in
            targets.compactMap { t -> (Digest, ActionRecord)? in
                let n = s.nodes[s.current(t.index)]
                guard n.closureMissed, let key = n.closureKey, case .output? = n.record, let record = n.record else {
                    return nil
                }
                return (key, record)
            }
        }
        for (key, record) in links {
            if let bytes = store.load(record.blob, size: record.size) { remote.offer(key, record, blob: bytes) }
        }
    }

    /// Runs `body` under the lock, settles what became ready, starts workers for queued jobs.
    /// Returns whether the run has finished.
    @discardableResult
    func locked(_ body: (inout RunState) -> Void) -> Bool {
        let (spawn, done, progress) = state.withLock { s -> ((workers: Int, fetchers: Int), Bool, (Int, Int)) in
            body(&s)
            s.drain()
            let spawn = s.takeSpawns()
            return (spawn, s.isFinished, (s.settled, s.nodes.count))
        }
        options.progress?(progress.0, progress.1)
        for _ in 0..<spawn.workers { DispatchQueue.global().async { self.work() } }
        for _ in 0..<spawn.fetchers { DispatchQueue.global().async { self.fetchWork() } }
        return done
    }

    /// A worker: runs compute jobs until none is left.
    func work() {
        serve(take: { $0.popJob() }, leave: { $0.activeWorkers -= 1 })
    }

    /// A fetcher: asks the remote for queued keys until none is left.
    func fetchWork() {
        serve(take: { $0.fetchJobs.pop() }, leave: { $0.activeFetchers -= 1 })
    }

    /// Performs the jobs `take` hands out; when it has none, `leave` counts the thread out.
    private func serve(take: (inout RunState) -> Job?, leave: (inout RunState) -> Void) {
        while true {
            let next: Job? = state.withLock { s in
                if let job = take(&s) { return job }
                leave(&s)
                return nil
            }
            guard let job = next else {
                if state.withLock({ $0.isFinished }) { finished.signal() }
                return
            }
            perform(job)
        }
    }

    private func perform(_ job: Job) {
        switch job {
        case .execute(let n): execute(n)
        case .materialize(let n): materialize(n)
        case .fetch(let n): fetch(n)
        case .fetchClosure(let n): fetchClosure(n)
        }
    }

    /// The key the node of a request will have, for its trace entry (`Graph.derivedKey`), once
    /// per request digest in a run.
    private func derivedKey(_ request: NodeRequest, _ encoded: EncodedRequest) -> TraceEntry.DerivedKey? {
        guard let op = graph.operatorIndex(of: request.op) else { return nil }
        let operation = graph.operators[op]
        if let known = derivedKeys.withLock({ $0[encoded.digest] }) {
            return TraceEntry.DerivedKey(op: operation.id, version: operation.version, key: known)
        }
        guard let derived = graph.derivedKey(request, encoded) else { return nil }
        derivedKeys.withLock { $0[encoded.digest] = derived.key }
        return derived
    }

    /// Runs one step of node `n` (the first, or the continuation after dynamic dependencies).
    private func execute(_ n: Int) {
        var plan: ExecutionPlan?
        locked { plan = $0.plan(n) }  // `locked`: a plan that fails its node settles it
        guard let plan else { return }
        // Inputs are read when the task asks (`TaskInput`); a missing or corrupt blob sends that
        // dependency back to be rebuilt. A continuation is given every input, read up front: the
        // ones lost are rebuilt all at once (a replayed trace may name hundreds).
        let held = plan.inputs, store = self.store
        let read: @Sendable (Int) throws -> Artifact = { i in
            let (_, record, memo) = held[i]
            guard let bytes = memo ?? store.load(record.blob, size: record.size) else {
                throw UnreadableInput(index: i)
            }
            return Artifact(bytes: bytes, digest: record.blob)
        }
        /// Every input read, and the nodes of those lost.
        func readAll() -> (inputs: [Artifact], broken: [Int]) {
            var inputs: [Artifact] = [], broken: [Int] = []
            for i in held.indices {
                if let input = try? read(i) { inputs.append(input) } else { broken.append(held[i].0) }
            }
            return (inputs, broken)
        }
        var inputs: [Artifact] = []
        if plan.continuation != nil {
            let (all, broken) = readAll()
            if !broken.isEmpty {
                locked { $0.rebuild(broken, for: n) }
                return
            }
            inputs = all
        }
        let began = DispatchTime.now().uptimeNanoseconds
        let step: Result<Step, Error>
        do {
            if let continuation = plan.continuation {
                step = .success(try continuation(inputs))
            } else {
                step = .success(try plan.op.run(TaskInput(params: plan.params, digests: held.map(\.1.blob),
                                                          read: read)))
            }
        } catch {
            step = .failure(error)
        }
        let nanos = DispatchTime.now().uptimeNanoseconds &- began
        switch step {
        case .failure(is UnreadableInput):
            // Every lost input at once, not one per attempt (an allocation reads tens of thousands).
            let broken = readAll().broken
            locked { $0.rebuild(broken, for: n) }
        case .failure(let error):
            locked { $0.fail(n, message: String(describing: error)) }
        case .success(.done(let bytes)):
            let digest = SHA256.hash(bytes)
            let record = ActionRecord.output(digest, size: Int64(bytes.count))
            if let expected = plan.expected {
                locked { $0.verified(n, record: record, expected: expected, nanos: nanos) }
                return
            }
            options.remote?.offer(plan.key, record, blob: bytes)
            // A write that fails (disk full, read-only cache) costs the next run, never this one.
            let unstored: String?
            do {
                try store.store(plan.key, record, blob: bytes, durationNanos: nanos)
                unstored = nil
            } catch {
                unstored = "\(error)"
            }
            locked { $0.executed(n, record: record, bytes: bytes, nanos: nanos, unstored: unstored) }
        case .success(.need(let requests, let continuation)):
            let encoded: [EncodedRequest], keys: [TraceEntry.DerivedKey?], trace: [UInt8]
            do {
                encoded = try requests.map { try $0.canonical() }
                keys = zip(requests, encoded).map(derivedKey)
                trace = try TraceEntry.encode(zip(encoded, keys).map {
                    TraceEntry(digest: $0.digest, size: Int64($0.bytes.count), key: $1)
                })
            } catch {
                locked { $0.fail(n, message: "cannot record dynamic dependencies: \(error)") }
                return
            }
            // Each request's bytes once in the store; the trace names them by digest and size. A
            // failed write leaves the task to run again next time; this run goes on.
            var unstored: String?
            var storedHere = Set<Digest>()  // bytes surely readable again (`RunNode.request`)
            do {
                for e in encoded {
                    let key = NodeKey.request(e.digest), record = ActionRecord.output(e.digest,
                        size: Int64(e.bytes.count))
                    options.remote?.offer(key, record, blob: e.bytes)
                    if store.lookup(key) != record {
                        try store.store(key, record, blob: e.bytes, durationNanos: 0)
                        storedHere.insert(e.digest)
                    }
                }
                let record = ActionRecord.trace(SHA256.hash(trace), size: Int64(trace.count))
                options.remote?.offer(plan.key, record, blob: trace)
                if store.lookup(plan.key) != record {
                    try store.store(plan.key, record, blob: trace, durationNanos: nanos)
                }
            } catch {
                unstored = "\(error)"
            }
            locked {
                if let unstored { $0.noteUnstored(unstored) }
                $0.requested(n, requests, encoded: encoded, keys: keys, storedHere: storedHere,
                             continuation: continuation, nanos: nanos)
            }
        }
    }

    /// Asks the remote cache for node `n`'s key; what arrives is in the local store before the
    /// node settles from it.
    private func fetch(_ n: Int) {
        let key: Digest? = state.withLock { $0.nodes[n].key }
        let record = key.flatMap { options.remote?.fetch($0, into: store) }
        locked { $0.fetched(n, record) }
    }

    /// Asks the remote cache for node `n`'s closure key (a local miss).
    private func fetchClosure(_ n: Int) {
        let key: Digest? = state.withLock { $0.closureAskIsPointless(n) ? nil : $0.nodes[n].closureKey }
        let record = key.flatMap { options.remote?.fetch($0, into: store) }
        locked { $0.closureFetched(n, record, asked: key != nil) }
    }

    /// Reads a target's output back (verified); a bad blob rebuilds the target.
    private func materialize(_ n: Int) {
        let record: ActionRecord? = state.withLock { $0.nodes[n].record }
        guard let record else { return }
        if let bytes = store.load(record.blob, size: record.size) {
            locked { $0.outputs[n] = Artifact(bytes: bytes, digest: record.blob) }
        } else {
            locked { $0.rebuild([n], for: nil) }
        }
    }
}

/// Work handed to a worker.
enum Job: Sendable {
    case execute(Int)
    case materialize(Int)
    /// Ask the remote cache for the node's key (a local miss).
    case fetch(Int)
    /// Ask the remote cache for the node's closure key (a local miss), before walking below it.
    case fetchClosure(Int)
}

/// What a worker needs to run one step, copied out of the lock.
struct ExecutionPlan: Sendable {
    let op: Operator
    let params: Value
    let key: Digest
    /// Each input: the node, its record, and its bytes when this run already holds them.
    let inputs: [(Int, ActionRecord, [UInt8]?)]
    let continuation: (@Sendable ([Artifact]) throws -> Step)?
    let expected: ActionRecord?
}
