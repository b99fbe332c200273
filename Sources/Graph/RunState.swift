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
    /// Remote lookups wait on the network, not the CPU: they have their own lane of
    /// `options.fetchers` threads beside the `jobs` compute workers.
    var fetchJobs = JobQueue()
    var activeFetchers = 0
    var fetchSpawnable = 0
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
    /// Closure keys to record once the run ends, each with the output its node settled with.
    var closureLinks: [(Digest, ActionRecord)] = []
    /// Remote answers to closure keys so far, per operator: the remote holds only closure keys
    /// that were some run's targets (`Run.offerTargetLinks`), so an operator whose first asks all
    /// missed is not asked again (`closureAskIsPointless`).
    var closureAnswers: [String: (hits: Int, misses: Int)] = [:]
    static let closureMissesBeforeGivingUp = 32

    static let memoLimit = 64 << 20
    static let maxRebuilds = 3
    /// A task that keeps asking for more is a bug in the task; stop it rather than loop.
    static let maxSteps = 10_000

    init(graph: Graph, store: any ActionStore, options: BuildOptions) {
        self.graph = graph
        self.store = store
        self.options = options
        nodes = graph.nodes.enumerated().map { i, n in
            RunNode(op: n.op, opName: graph.operators[n.op].id, value: n.params, dependencies: n.dependencies,
                    reportAs: i)
        }
        if options.closureKeys && !options.verify {
            // Nodes come in dependency order, so each dependency's closure key is already known; a
            // node whose parameters cannot be encoded has none, nor has anything above it. Keys
            // the graph derived ahead (`Graph.deriveClosureKeys`) are taken as they are.
            for i in nodes.indices {
                if let derived = graph.derivedClosureKey(i) {
                    nodes[i].closureKey = derived
                } else {
                    nodes[i].closureKey = graph.closureKey(of: i) { nodes[$0].closureKey }
                }
            }
        }
    }

    var isFinished: Bool {
        inFlightJobs.isEmpty && freshJobs.isEmpty && fetchJobs.isEmpty && activeWorkers == 0 && activeFetchers == 0
    }

    // MARK: Walking the graph

    /// Marks the closure of `root` as wanted, counting what each node waits for.
    mutating func visit(_ root: Int) {
        var stack = [root]
        while let n = stack.popLast() {
            guard nodes[n].phase == .unvisited else { continue }
            if let closure = nodes[n].closureKey, !nodes[n].closureMissed {
                if case .output(let digest, let size)? = store.lookup(closure) {
                    nodes[n].key = closure
                    settle(n, record: .output(digest, size: size), kind: .hit)
                    continue
                }
                nodes[n].closureMissed = true
                if options.remote != nil, !options.dryRun {
                    // Asked of the remote by a fetcher, off this lock (`closureFetched`); the node is
                    // expanded only if the remote lacks it too.
                    nodes[n].phase = .queued
                    push(.fetchClosure(n))
                    continue
                }
            }
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

    mutating func advance(_ n: Int) {
        switch nodes[n].phase {
        case .waitingStatic:
            guard let op = nodes[n].op else {
                return fail(n, message: GraphError.unknownOperator(id: nodes[n].opName).description)
            }
            if let old = nodes[n].baseKey, keyOwner[old] == n { keyOwner[old] = nil }
            let operation = graph.operators[op]
            let key: Digest
            let dependencyDigests = nodes[n].dependencies.map(digest(of:))
            if let preset = nodes[n].presetKey {
                key = preset
            } else if let encoded = nodes[n].encodedParams {
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
            guard let base = nodes[n].stepBase else {
                return fail(n, message: "internal: dynamic step without a base key")
            }
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

    func digest(of n: Int) -> Digest { nodes[n].record?.blob ?? Digest(0, 0, 0, 0) }

    /// Looks `key` up: an output settles the node, a trace replays its dynamic requests,
    /// a miss runs the task.
    mutating func resolve(_ n: Int, _ key: Digest) {
        nodes[n].key = key
        let record = store.lookup(key)
        if record == nil, options.remote != nil, !options.dryRun, !options.verifies(key) {
            if remoteCannotHave(n) {
                nodes[n].remoteMiss = true
            } else {
                // Asked of the remote by a fetcher, off this lock (`fetched`).
                nodes[n].phase = .queued
                return push(.fetch(n))
            }
        }
        settle(n, from: record)
    }

    /// Whether asking the remote for node `n`'s current key is pointless: the remote lacked the
    /// node's earlier key (its dynamic steps are stored with it), or something it depends on was
    /// computed here after the remote lacked it — whoever uploads a node uploads what it depends
    /// on first, so its key is new to the remote too. Only a guess that saves a request per
    /// node downstream of new work: a skipped lookup computes the node, never answers wrongly.
    func remoteCannotHave(_ n: Int) -> Bool {
        nodes[n].remoteMiss || nodes[n].dependencies.contains { nodes[$0].remoteMiss }
            || nodes[n].dynamic.contains { nodes[$0].remoteMiss }
    }

    /// The remote's answer for node `n`'s closure key (copied into the local store), or nil: the
    /// node is walked as any other. `asked`: false when the remote was not asked at all.
    mutating func closureFetched(_ n: Int, _ record: ActionRecord?, asked: Bool = true) {
        if asked {
            var answers = closureAnswers[nodes[n].opName] ?? (0, 0)
            if record == nil { answers.misses += 1 } else { answers.hits += 1 }
            closureAnswers[nodes[n].opName] = answers
        }
        if case .output(let digest, let size)? = record, let closure = nodes[n].closureKey {
            nodes[n].key = closure
            nodes[n].closureMissed = false  // the fetch stored it here: nothing to link or offer
            return settle(n, record: .output(digest, size: size), kind: .hit)
        }
        nodes[n].phase = .unvisited
        visit(n)
    }

    /// Whether asking the remote for node `n`'s closure key is pointless: its operator's first
    /// asks in this run all missed (a cold run's stacks and trunks, say). Only saves requests: a
    /// closure key not asked for walks the node, never answers wrongly.
    func closureAskIsPointless(_ n: Int) -> Bool {
        guard let answers = closureAnswers[nodes[n].opName] else { return false }
        return answers.hits == 0 && answers.misses >= Self.closureMissesBeforeGivingUp
    }

    /// The remote's answer for node `n` (already copied into the local store), or nil: a miss.
    mutating func fetched(_ n: Int, _ record: ActionRecord?) {
        if record == nil { nodes[n].remoteMiss = true }
        settle(n, from: record)
    }

    /// What the cache holds for the node's key decides: an output settles it, a trace replays
    /// its requests, nothing runs the task.
    mutating func settle(_ n: Int, from record: ActionRecord?) {
        guard let key = nodes[n].key else { return startFresh(n) }
        switch record {
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

    mutating func alias(_ n: Int, to owner: Int) {
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
    mutating func startFresh(_ n: Int) {
        if options.dryRun { return settleBlocked(n, kind: .wouldRun) }
        nodes[n].continuation = nil
        nodes[n].dynamic = []
        nodes[n].key = nodes[n].baseKey
        enqueue(n)
    }

    mutating func enqueue(_ n: Int) {
        if stopped || options.cancellation?.isCancelled == true {
            stopped = true
            return settleBlocked(n, kind: .cancelled)
        }
        nodes[n].phase = .queued
        push(.execute(n))
    }

    mutating func push(_ job: Job) {
        switch job {
        case .fetch, .fetchClosure:
            fetchJobs.push(job)
            fetchSpawnable += 1
            return
        case .execute(let n) where nodes[n].value != nil && nodes[n].continuation == nil: freshJobs.push(job)
        default: inFlightJobs.push(job)
        }
        spawnable += 1
    }

    /// How many compute workers and fetchers to start for the jobs pushed since the last call.
    mutating func takeSpawns() -> (workers: Int, fetchers: Int) {
        let workers = max(0, min(spawnable, options.jobs - activeWorkers))
        let fetchers = max(0, min(fetchSpawnable, options.fetchers - activeFetchers))
        spawnable = 0
        fetchSpawnable = 0
        activeWorkers += workers
        activeFetchers += fetchers
        return (workers, fetchers)
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
}
