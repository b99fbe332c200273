/// One node's bookkeeping during a run.
struct RunNode {
    enum Phase: Equatable {
        case unvisited
        /// Waiting for `pending` static dependencies.
        case waitingStatic
        /// Waiting for `pending` dynamic dependencies (requested by the task, or replayed from a trace).
        case waitingDynamic
        /// Another node has the same key; this one takes its result.
        case waitingAlias
        case queued
        case running
        case done
        case failed
        case skipped
        case cancelled

        var isWaiting: Bool { self == .waitingStatic || self == .waitingDynamic || self == .waitingAlias }
        var isSettled: Bool { self == .done || self == .failed || self == .skipped || self == .cancelled }
    }

    /// Index into the graph's operators; nil when a dynamic request named an unknown operator.
    let op: Int?
    let opName: String
    /// The parameters as a value (graph nodes), or nil for a requested node: its parameters stay in
    /// canonical form (`encodedParams`) and are decoded only if it runs, so a study's many
    /// requests cost their bytes rather than value trees.
    let value: Value?
    /// The parameters in canonical form (requested nodes), so their key needs no encoding.
    var encodedParams: ArraySlice<UInt8>?
    var dependencies: [Int]
    /// The node this one stands for in logs and outputs (itself, unless it is a rebuild copy).
    let reportAs: Int
    var dependents: [Int] = []
    var phase = Phase.unvisited
    var pending = 0
    /// Key over the static inputs; the start of the dynamic-dependency chain.
    var baseKey: Digest?
    /// Current key along the chain; the final key once settled.
    var key: Digest?
    /// The key before the current dynamic batch.
    var stepBase: Digest?
    var dynamic: [Int] = []
    var continuation: (@Sendable ([Artifact]) throws -> Step)?
    var record: ActionRecord?
    var executed = false
    var dependencyExecuted = false
    var isTarget = false
    var nanos: UInt64 = 0
    /// Verify mode: the cached record the recomputation must reproduce.
    var expected: ActionRecord?
    var aliasWaiters: [Int] = []
    var failureMessage: String?
    /// Set when the node's cached blob proved unreadable and a copy was made to rebuild it.
    var replacedBy: Int?
    var rebuilds = 0
    /// Dynamic-dependency batches this node asked for in this run.
    var steps = 0

    init(op: Int?, opName: String, value: Value?, encodedParams: ArraySlice<UInt8>? = nil, dependencies: [Int], reportAs: Int) {
        self.op = op; self.opName = opName; self.value = value; self.encodedParams = encodedParams
        self.dependencies = dependencies; self.reportAs = reportAs
    }

    var params: Value { value ?? encodedParams.flatMap { try? CanonicalDecoder.decode(Array($0)) } ?? .null }
}

/// Everything a run knows, guarded by the run's lock. Methods are the scheduler's transitions.
struct RunState {
    let graph: Graph
    let store: any ActionStore
    let options: BuildOptions
    var nodes: [RunNode]
    /// Nodes whose pending count reached zero, to be advanced by `drain` in arrival order.
    var ready: [Int] = []
    var readyHead = 0
    /// Work that advances something already in flight (a requested node, a task resuming with
    /// its answers, a materialization) runs before fresh static nodes start: a study's stack
    /// tasks then finish one after another instead of all waiting at once with their requests
    /// in memory. Both queues are FIFO; the order changes no result.
    var inFlightJobs = JobQueue()
    var freshJobs = JobQueue()
    var activeWorkers = 0
    var spawnable = 0
    /// One node per base key: equal keys are computed once per run.
    var keyOwner = DigestTable<Int>()
    /// Requests by the digest of their canonical bytes (from tasks and from traces): many traces
    /// ask for the same nodes, and a repeat is found here without reading or decoding it.
    var requestDigestIndex = DigestTable<Int>()
    /// Bytes produced or read in this run, so dependents skip a disk read.
    var memo: [Digest: [UInt8]] = [:]
    var memoBytes = 0
    var log = EventLog()
    var outputs: [Int: Artifact] = [:]
    var failures: [Failure] = []
    var mismatches: [Failure] = []
    var verifiedCount = 0
    /// Results the store refused to write, and its first error (`BuildResult.unstored`).
    var unstored = 0
    var firstUnstoredError: String?
    var stopped = false
    var settled = 0

    static let memoLimit = 64 << 20
    static let maxRebuilds = 3
    /// A task that keeps asking for more is a bug in the task; stop it rather than loop.
    static let maxSteps = 10_000

    init(graph: Graph, store: any ActionStore, options: BuildOptions) {
        self.graph = graph
        self.store = store
        self.options = options
        nodes = graph.nodes.enumerated().map { i, n in
            RunNode(op: n.op, opName: graph.operators[n.op].id, value: n.params, dependencies: n.dependencies, reportAs: i)
        }
    }

    var isFinished: Bool { inFlightJobs.isEmpty && freshJobs.isEmpty && activeWorkers == 0 }

    // MARK: Walking the graph

    /// Marks the closure of `root` as wanted, counting what each node waits for.
    mutating func visit(_ root: Int) {
        var stack = [root]
        while let n = stack.popLast() {
            guard nodes[n].phase == .unvisited else { continue }
            nodes[n].phase = .waitingStatic
            var pending = 0
            var blocked = false
            for d in nodes[n].dependencies {
                nodes[d].dependents.append(n)
                switch nodes[d].phase {
                case .done: break
                case .failed, .skipped, .cancelled: blocked = true
                case .unvisited: pending += 1; stack.append(d)
                default: pending += 1
                }
            }
            nodes[n].pending = pending
            if blocked { settleBlocked(n, kind: .skipped) } else if pending == 0 { ready.append(n) }
        }
    }

    /// Advances every node whose dependencies have all settled.
    mutating func drain() {
        while readyHead < ready.count {
            let n = ready[readyHead]
            readyHead += 1
            advance(n)
        }
        ready.removeAll(keepingCapacity: true)
        readyHead = 0
    }

    private mutating func advance(_ n: Int) {
        switch nodes[n].phase {
        case .waitingStatic:
            guard let op = nodes[n].op else {
                return fail(n, message: GraphError.unknownOperator(id: nodes[n].opName).description)
            }
            if let old = nodes[n].baseKey, keyOwner[old] == n { keyOwner[old] = nil }
            let operation = graph.operators[op]
            let key: Digest
            let dependencyDigests = nodes[n].dependencies.map(digest(of:))
            if let encoded = nodes[n].encodedParams {
                key = NodeKey.node(operator: operation.id, version: operation.version, encodedParams: encoded,
                                   dependencyDigests: dependencyDigests)
            } else {
                do {
                    key = try NodeKey.node(operator: operation.id, version: operation.version, params: nodes[n].params,
                                           dependencyDigests: dependencyDigests)
                } catch {
                    return fail(n, message: error.description)
                }
            }
            nodes[n].baseKey = key
            nodes[n].key = key
            if let owner = keyOwner[key], owner != n {
                return alias(n, to: owner)
            }
            keyOwner[key] = n
            resolve(n, key)
        case .waitingDynamic:
            guard let base = nodes[n].stepBase else { return fail(n, message: "internal: dynamic step without a base key") }
            let key = NodeKey.step(after: base, dependencyDigests: nodes[n].dynamic.map(digest(of:)))
            nodes[n].key = key
            if nodes[n].continuation != nil {
                enqueue(n)
            } else {
                resolve(n, key)
            }
        default:
            break
        }
    }

    private func digest(of n: Int) -> Digest { nodes[n].record?.blob ?? Digest(0, 0, 0, 0) }

    /// Looks `key` up: an output settles the node, a trace replays its dynamic requests,
    /// a miss runs the task.
    private mutating func resolve(_ n: Int, _ key: Digest) {
        nodes[n].key = key
        switch store.lookup(key) {
        case .output(let digest, let size):
            let record = ActionRecord.output(digest, size: size)
            if options.verifies(key) {
                nodes[n].expected = record
                startFresh(n)
            } else {
                settle(n, record: record, kind: nodes[n].dependencyExecuted ? .cutoff : .hit)
            }
        case .trace(let digest, let size):
            if let bytes = memo[digest] ?? store.load(digest, size: size),
               let ids = internTrace(bytes) {
                attachDynamic(n, ids: ids)
            } else {
                store.forget(key)
                startFresh(n)
            }
        case nil:
            startFresh(n)
        }
    }

    /// The nodes a trace asks for, interned; nil when the trace is malformed or a request's bytes
    /// are gone from the store (nothing interned then: the task reruns, asks again and stores them).
    private mutating func internTrace(_ bytes: [UInt8]) -> [Int]? {
        guard let entries = (try? CanonicalDecoder.decode(bytes))?.arrayValue else { return nil }
        var found: [Int?] = []
        var fresh: [(position: Int, request: EncodedRequest, parts: ParsedRequest)] = []
        for entry in entries {
            guard let pair = entry.arrayValue, pair.count == 2, let raw = pair[0].bytesValue, raw.count == 32,
                  let size = pair[1].intValue else { return nil }
            let digest = raw.withUnsafeBytes { Digest(bytes: $0) }
            if let known = requestDigestIndex[digest] {
                found.append(current(known))
                continue
            }
            guard let requestBytes = store.load(digest, size: size), let parts = ParsedRequest(requestBytes) else {
                // Forgotten, so that the task's rerun stores the request's bytes again.
                store.forget(NodeKey.request(digest))
                return nil
            }
            fresh.append((found.count, EncodedRequest(bytes: requestBytes, digest: digest), parts))
            found.append(nil)
        }
        for f in fresh { found[f.position] = intern(f.parts, digest: f.request.digest) }
        return found.compactMap { $0 }
    }

    /// A task-made request's node: its parameters' bytes are cut from the request's encoding
    /// (`[op, params, deps]`, just made by the executor, so always well formed).
    private mutating func intern(_ request: NodeRequest, encoded: EncodedRequest) -> Int {
        guard let parts = try? CanonicalDecoder.arrayElements(encoded.bytes), parts.count == 3 else { return intern(request) }
        return intern(ParsedRequest(op: request.op, params: parts[1], dependencies: request.dependencies), digest: encoded.digest)
    }

    /// A request's node: found by its digest, else made with its parameters kept in canonical
    /// form and indexed by that digest.

    private mutating func intern(_ parts: ParsedRequest, digest: Digest) -> Int {
        if let known = requestDigestIndex[digest] { return current(known) }
        let dependencies = parts.dependencies.map { intern($0) }
        let index = nodes.count
        nodes.append(RunNode(op: graph.operatorIndex(of: parts.op), opName: parts.op, value: nil, encodedParams: parts.params,
                             dependencies: dependencies, reportAs: index))
        requestDigestIndex[digest] = index
        return index
    }

    private mutating func alias(_ n: Int, to owner: Int) {
        switch nodes[owner].phase {
        case .done:
            settle(n, record: nodes[owner].record, kind: .hit)
        case .failed:
            fail(n, message: nodes[owner].failureMessage ?? "failed")
        case .skipped, .cancelled:
            settleBlocked(n, kind: nodes[owner].phase == .cancelled ? .cancelled : .skipped)
        default:
            nodes[n].phase = .waitingAlias
            nodes[owner].aliasWaiters.append(n)
        }
    }

    /// Runs the task from its first step (a dry run stops here: the node would run).
    private mutating func startFresh(_ n: Int) {
        if options.dryRun { return settleBlocked(n, kind: .wouldRun) }
        nodes[n].continuation = nil
        nodes[n].dynamic = []
        nodes[n].key = nodes[n].baseKey
        enqueue(n)
    }

    private mutating func enqueue(_ n: Int) {
        if stopped || options.cancellation?.isCancelled == true {
            stopped = true
            return settleBlocked(n, kind: .cancelled)
        }
        nodes[n].phase = .queued
        push(.execute(n))
    }

    private mutating func push(_ job: Job) {
        switch job {
        case .execute(let n) where nodes[n].value != nil && nodes[n].continuation == nil: freshJobs.push(job)
        default: inFlightJobs.push(job)
        }
        spawnable += 1
    }

    mutating func takeSpawns() -> Int {
        let count = min(spawnable, options.jobs - activeWorkers)
        spawnable = 0
        activeWorkers += max(0, count)
        return max(0, count)
    }

    mutating func popJob() -> Job? {
        while let job = inFlightJobs.pop() ?? freshJobs.pop() {
            if case .execute(let n) = job, stopped || options.cancellation?.isCancelled == true {
                stopped = true
                settleBlocked(n, kind: .cancelled)
                drain()
                continue
            }
            return job
        }
        return nil
    }

    // MARK: Dynamic dependencies

    /// The node now waits for the nodes `ids` (its requests, interned as nodes of this run).
    private mutating func attachDynamic(_ n: Int, ids: [Int]) {
        nodes[n].stepBase = nodes[n].key
        nodes[n].dynamic = ids
        nodes[n].phase = .waitingDynamic
        nodes[n].pending = 0
        var blocked = false
        for id in ids {
            nodes[id].dependents.append(n)
            switch nodes[id].phase {
            case .done: break
            case .failed, .skipped, .cancelled: blocked = true
            case .unvisited: nodes[n].pending += 1; visit(id)
            default: nodes[n].pending += 1
            }
        }
        // A failure inside the requested closure may already have settled `n`.
        guard nodes[n].phase == .waitingDynamic else { return }
        if blocked { settleBlocked(n, kind: .skipped) } else if nodes[n].pending == 0 { ready.append(n) }
    }

    /// A nested request (a dependency of a request): a node with its parameters as a value. Equal
    /// ones share a key, so the run computes them once.
    private mutating func intern(_ request: NodeRequest) -> Int {
        let dependencies = request.dependencies.map { intern($0) }
        let index = nodes.count
        nodes.append(RunNode(op: graph.operatorIndex(of: request.op), opName: request.op, value: request.params,
                             dependencies: dependencies, reportAs: index))
        return index
    }

    private func current(_ n: Int) -> Int {
        var n = n
        while let next = nodes[n].replacedBy { n = next }
        return n
    }

    // MARK: Results from workers

    /// Copies what a worker needs to run the next step of `n`.
    mutating func plan(_ n: Int) -> ExecutionPlan? {
        guard nodes[n].phase == .queued, let op = nodes[n].op, let key = nodes[n].key else { return nil }
        nodes[n].phase = .running
        let continuation = nodes[n].continuation
        let inputs = (continuation == nil ? nodes[n].dependencies : nodes[n].dynamic).map { d in
            let record = nodes[d].record ?? .output(Digest(0, 0, 0, 0), size: 0)
            return (d, record, memo[record.blob])
        }
        return ExecutionPlan(op: graph.operators[op], params: nodes[n].params, key: key, inputs: inputs,
                             continuation: continuation, expected: nodes[n].expected)
    }

    mutating func requested(_ n: Int, _ requests: [NodeRequest], encoded: [EncodedRequest],
                            continuation: @escaping @Sendable ([Artifact]) throws -> Step, nanos: UInt64) {
        nodes[n].executed = true
        nodes[n].nanos += nanos
        nodes[n].steps += 1
        guard nodes[n].steps <= Self.maxSteps else {
            return fail(n, message: "asked for dependencies \(Self.maxSteps) times without finishing; its requests never settle")
        }
        nodes[n].continuation = continuation
        attachDynamic(n, ids: zip(requests, encoded).map { intern($0, encoded: $1) })
    }

    /// `unstored`: the store refused the output (its error); the bytes then stay in memory
    /// whatever the memo's limit, since dependents can read them nowhere else.
    mutating func executed(_ n: Int, record: ActionRecord, bytes: [UInt8], nanos: UInt64, unstored: String? = nil) {
        nodes[n].executed = true
        nodes[n].nanos += nanos
        if let unstored { noteUnstored(unstored) }
        remember(record.blob, bytes, beyondLimit: unstored != nil)
        settle(n, record: record, kind: .executed)
    }

    mutating func noteUnstored(_ error: String) {
        unstored += 1
        if firstUnstoredError == nil { firstUnstoredError = error }
    }

    /// Verify mode: compare a recomputation with the cached record. Dependents keep the cached
    /// digest so that the rest of the run checks the same keys as a normal run.
    mutating func verified(_ n: Int, record: ActionRecord, expected: ActionRecord, nanos: UInt64) {
        nodes[n].executed = true
        nodes[n].nanos += nanos
        verifiedCount += 1
        if record != expected {
            let failure = Failure(node: NodeID(index: nodes[n].reportAs), op: nodes[n].opName, params: nodes[n].params,
                                  message: "recomputed output \(record.blob.hex) differs from cached \(expected.blob.hex)")
            mismatches.append(failure)
            log.append(Event(node: failure.node, op: failure.op, key: nodes[n].key, kind: .mismatch,
                             durationNanos: 0, message: failure.message))
        }
        settle(n, record: expected, kind: .executed)
    }

    /// Keeps an output's bytes for the rest of the run, within `memoLimit` unless `beyondLimit`
    /// (bytes the store refused: dependents can read them nowhere else).
    private mutating func remember(_ digest: Digest, _ bytes: [UInt8], beyondLimit: Bool = false) {
        guard memo[digest] == nil, beyondLimit || memoBytes + bytes.count <= Self.memoLimit else { return }
        memo[digest] = bytes
        memoBytes += bytes.count
    }

    /// Some inputs of `n` (or target `n` itself when `dependent` is nil) have unreadable blobs:
    /// forget their records and rebuild each as a fresh copy of the node; `dependent` waits for
    /// the copies and recomputes its key from their digests.
    mutating func rebuild(_ broken: [Int], for dependent: Int?) {
        var copies: [Int: Int] = [:]
        for d in broken where copies[d] == nil {
            let old = nodes[d]
            if let key = old.key { store.forget(key) }
            if old.rebuilds >= Self.maxRebuilds {
                let message = "the cache keeps losing the output of this node"
                if let dependent { fail(dependent, message: message) } else {
                    failures.append(Failure(node: NodeID(index: old.reportAs), op: old.opName, params: old.params,
                                            message: message))
                }
                return
            }
            if let base = old.baseKey, keyOwner[base] == d { keyOwner[base] = nil }
            var copy = RunNode(op: old.op, opName: old.opName, value: old.value, encodedParams: old.encodedParams,
                               dependencies: old.dependencies, reportAs: old.reportAs)
            copy.isTarget = old.isTarget
            copy.rebuilds = old.rebuilds + 1
            let index = nodes.count
            nodes.append(copy)
            nodes[d].replacedBy = index
            copies[d] = index
        }
        if let n = dependent {
            let dynamicPhase = nodes[n].continuation != nil
            if dynamicPhase {
                nodes[n].dynamic = nodes[n].dynamic.map { copies[$0] ?? $0 }
                nodes[n].key = nodes[n].stepBase
                nodes[n].phase = .waitingDynamic
            } else {
                nodes[n].dependencies = nodes[n].dependencies.map { copies[$0] ?? $0 }
                nodes[n].phase = .waitingStatic
            }
            let waitOn = (dynamicPhase ? nodes[n].dynamic : nodes[n].dependencies).filter { copies.values.contains($0) }
            nodes[n].pending = waitOn.count
            for c in waitOn { nodes[c].dependents.append(n) }
        }
        for copy in copies.values { visit(copy) }
    }

    // MARK: Settling

    private mutating func settle(_ n: Int, record: ActionRecord?, kind: EventKind) {
        guard let record else { return settleBlocked(n, kind: .skipped) }
        nodes[n].phase = .done
        nodes[n].record = record
        nodes[n].continuation = nil  // what the task captured is not needed any more
        settled += 1
        log.append(Event(node: NodeID(index: nodes[n].reportAs), op: nodes[n].opName, key: nodes[n].key, kind: kind,
                         durationNanos: nodes[n].nanos, message: nil))
        for w in nodes[n].aliasWaiters { settle(w, record: record, kind: .hit) }
        let ran = nodes[n].executed
        for p in nodes[n].dependents where nodes[p].phase == .waitingStatic || nodes[p].phase == .waitingDynamic {
            if ran { nodes[p].dependencyExecuted = true }
            nodes[p].pending -= 1
            if nodes[p].pending == 0 { ready.append(p) }
        }
        if nodes[n].isTarget {
            if let bytes = memo[record.blob] {
                outputs[nodes[n].reportAs] = Artifact(bytes: bytes, digest: record.blob)
            } else {
                push(.materialize(n))
            }
        }
    }

    mutating func fail(_ n: Int, message: String) {
        let failure = Failure(node: NodeID(index: nodes[n].reportAs), op: nodes[n].opName, params: nodes[n].params,
                              message: message)
        failures.append(failure)
        log.append(Event(node: failure.node, op: failure.op, key: nodes[n].key, kind: .failed,
                         durationNanos: nodes[n].nanos, message: message))
        nodes[n].phase = .failed
        nodes[n].failureMessage = message
        settled += 1
        if options.failFast { stopped = true }
        // Nodes with the same key fail the same way; dependents are skipped.
        for w in nodes[n].aliasWaiters where nodes[w].phase == .waitingAlias { fail(w, message: message) }
        propagateBlocked(from: n, kind: .skipped)
    }

    /// Settles `n` without a result, and everything waiting on it.
    private mutating func settleBlocked(_ n: Int, kind: EventKind) {
        guard !nodes[n].phase.isSettled else { return }
        nodes[n].phase = kind == .cancelled ? .cancelled : .skipped
        settled += 1
        log.append(Event(node: NodeID(index: nodes[n].reportAs), op: nodes[n].opName, key: kind == .wouldRun ? nodes[n].key : nil,
                         kind: kind, durationNanos: 0, message: nil))
        propagateBlocked(from: n, kind: kind == .wouldRun ? .skipped : kind)
    }

    private mutating func propagateBlocked(from n: Int, kind: EventKind) {
        var stack = [n]
        while let m = stack.popLast() {
            for p in nodes[m].dependents + nodes[m].aliasWaiters where nodes[p].phase.isWaiting {
                nodes[p].phase = kind == .cancelled ? .cancelled : .skipped
                settled += 1
                log.append(Event(node: NodeID(index: nodes[p].reportAs), op: nodes[p].opName, key: nil, kind: kind,
                                 durationNanos: 0, message: nil))
                stack.append(p)
            }
        }
    }

    func result(targets: [NodeID]) -> BuildResult {
        var failures = failures
        for t in targets where nodes[current(t.index)].phase != .done && nodes[current(t.index)].phase.isSettled == false {
            failures.append(Failure(node: t, op: nodes[t.index].opName, params: nodes[t.index].params,
                                    message: "internal: the run ended before this target settled"))
        }
        var outputs: [NodeID: Artifact] = [:]
        for (index, artifact) in self.outputs { outputs[NodeID(index: index)] = artifact }
        var result = BuildResult(log: log, outputs: outputs, failures: failures, mismatches: mismatches, cancelled: stopped)
        result.verified = verifiedCount
        result.unstored = unstored
        result.unstoredError = firstUnstoredError
        return result
    }
}

/// A dynamic request in canonical form and the SHA-256 of those bytes.
struct EncodedRequest: Sendable {
    let bytes: [UInt8]
    let digest: Digest
}

/// A request's canonical bytes `[op, params, [dependencies…]]` split without decoding the
/// parameters, which stay bytes until the node runs.
struct ParsedRequest {
    let op: String
    let params: ArraySlice<UInt8>
    let dependencies: [NodeRequest]

    init(op: String, params: ArraySlice<UInt8>, dependencies: [NodeRequest]) {
        self.op = op; self.params = params; self.dependencies = dependencies
    }

    init?(_ bytes: [UInt8]) {
        guard let parts = try? CanonicalDecoder.arrayElements(bytes), parts.count == 3,
              let op = (try? CanonicalDecoder.decode(Array(parts[0])))?.stringValue,
              let deps = (try? CanonicalDecoder.decode(Array(parts[2])))?.arrayValue else { return nil }
        var dependencies: [NodeRequest] = []
        for d in deps {
            guard let r = NodeRequest(d) else { return nil }
            dependencies.append(r)
        }
        self.op = op
        self.params = parts[1]
        self.dependencies = dependencies
    }
}

/// A FIFO of jobs that reuses its storage once drained.
struct JobQueue {
    private var items: [Job] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }

    mutating func push(_ job: Job) { items.append(job) }

    mutating func pop() -> Job? {
        guard head < items.count else { return nil }
        let job = items[head]
        head += 1
        if head == items.count { items.removeAll(keepingCapacity: true); head = 0 }
        return job
    }
}
