/// What the workers report back: plans, requests, outputs, verifications, rebuilds.
extension RunState {
    // MARK: Results from workers

    /// Copies what a worker needs to run the next step of `n`.
    mutating func plan(_ n: Int) -> ExecutionPlan? {
        guard nodes[n].phase == .queued, let op = nodes[n].op, let key = nodes[n].key else { return nil }
        if nodes[n].continuation == nil, nodes[n].value == nil, nodes[n].encodedParams == nil {
            // Made from a trace without its parameters (`presetKey`): read back now it must run.
            guard let params = reloadedParams(n) else {
                lostRequest(n)
                return nil
            }
            nodes[n].encodedParams = params
        }
        nodes[n].phase = .running
        let continuation = nodes[n].continuation
        let inputs = (continuation == nil ? nodes[n].dependencies : nodes[n].dynamic).map { d in
            let record = nodes[d].record ?? .output(Digest(0, 0, 0, 0), size: 0)
            return (d, record, memo[record.blob])
        }
        return ExecutionPlan(op: graph.operators[op], params: nodes[n].params, key: key, inputs: inputs,
                             continuation: continuation, expected: nodes[n].expected)
    }

    /// `storedHere`: the requests whose bytes this step wrote to the store (only those can be read
    /// back for sure; a record found there may name lost bytes).
    mutating func requested(_ n: Int, _ requests: [NodeRequest], encoded: [EncodedRequest],
                            keys: [TraceEntry.DerivedKey?], storedHere: Set<Digest>,
                            continuation: @escaping @Sendable ([Artifact]) throws -> Step, nanos: UInt64) {
        nodes[n].executed = true
        nodes[n].nanos += nanos
        nodes[n].steps += 1
        guard nodes[n].steps <= Self.maxSteps else {
            return fail(n,
                        message: "asked for dependencies \(Self.maxSteps) times without finishing; "
                            + "its requests never settle")
        }
        nodes[n].continuation = continuation
        attachDynamic(n, ids: requests.indices.map { i in
            internMade(requests[i], encoded: encoded[i], reloadable: storedHere.contains(encoded[i].digest),
                       key: keys[i]?.key)
        })
    }

    static let lostRequestMessage = "the cache lost a requested result and the request's bytes; "
        + "run again to recompute them"

    /// Requested node `n` must run but its request's bytes are gone from the store: it fails, and
    /// the request's record is forgotten, so that the next run's replay of the asking task's trace
    /// finds the request lost and runs that task again (which asks, and stores the bytes, anew).
    mutating func lostRequest(_ n: Int) {
        if let (digest, _) = nodes[n].request { store.forget(NodeKey.request(digest)) }
        fail(n, message: Self.lostRequestMessage)
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
                                  message: "recomputed output \(record.blob.hex) differs from "
                                      + "cached \(expected.blob.hex)")
            mismatches.append(failure)
            log.append(Event(node: failure.node, op: failure.op, key: nodes[n].key, kind: .mismatch,
                             durationNanos: 0, message: failure.message))
        }
        settle(n, record: expected, kind: .executed)
    }

    /// Keeps an output's bytes for the rest of the run, within `memoLimit` unless `beyondLimit`
    /// (bytes the store refused: dependents can read them nowhere else).
    mutating func remember(_ digest: Digest, _ bytes: [UInt8], beyondLimit: Bool = false) {
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
            // Its output keeps getting lost, or it and its request's bytes are both gone (the next
            // run's trace replay then finds the request lost and runs the asking task again).
            var stuck: String?
            let params = old.rebuilds < Self.maxRebuilds ? reloadedParams(d) : nil
            if old.rebuilds >= Self.maxRebuilds {
                stuck = "the cache keeps losing the output of this node"
            } else if old.value == nil && params == nil {
                if let (digest, _) = old.request { store.forget(NodeKey.request(digest)) }
                stuck = Self.lostRequestMessage
            }
            if let message = stuck {
                if let dependent { fail(dependent, message: message) } else {
                    failures.append(Failure(node: NodeID(index: old.reportAs), op: old.opName, params: old.params,
                                            message: message))
                }
                return
            }
            if let base = old.baseKey, keyOwner[base] == d { keyOwner[base] = nil }
            var copy = RunNode(op: old.op, opName: old.opName, value: old.value, encodedParams: params,
                               dependencies: old.dependencies, reportAs: old.reportAs)
            copy.request = old.request
            copy.isTarget = old.isTarget
            copy.rebuilds = old.rebuilds + 1
            // The copy is not answered by its closure key (that named the lost blob) but records
            // it again once it settles.
            copy.closureKey = old.closureKey
            copy.closureMissed = true
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
}
