/// Settling nodes: success, failure, skipped and cancelled dependents, and the final result.
extension RunState {
    // MARK: Settling

    mutating func settle(_ n: Int, record: ActionRecord?, kind: EventKind) {
        guard let record else { return settleBlocked(n, kind: .skipped) }
        nodes[n].phase = .done
        nodes[n].record = record
        nodes[n].continuation = nil  // what the task captured is not needed any more
        if nodes[n].request != nil { nodes[n].encodedParams = nil }  // its key is known; reloadable
        settled += 1
        if nodes[n].closureMissed, !options.dryRun, case .output = record, let closure = nodes[n].closureKey {
            closureLinks.append((closure, record))
        }
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
    mutating func settleBlocked(_ n: Int, kind: EventKind) {
        guard !nodes[n].phase.isSettled else { return }
        nodes[n].phase = kind == .cancelled ? .cancelled : .skipped
        settled += 1
        log.append(Event(node: NodeID(index: nodes[n].reportAs), op: nodes[n].opName,
                         key: kind == .wouldRun ? nodes[n].key : nil, kind: kind, durationNanos: 0, message: nil))
        propagateBlocked(from: n, kind: kind == .wouldRun ? .skipped : kind)
    }

    mutating func propagateBlocked(from n: Int, kind: EventKind) {
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
        for t in targets {
            let phase = nodes[current(t.index)].phase
            guard phase != .done && phase.isSettled == false else { continue }
            failures.append(Failure(node: t, op: nodes[t.index].opName, params: nodes[t.index].params,
                                    message: "internal: the run ended before this target settled"))
        }
        var outputs: [NodeID: Artifact] = [:]
        for (index, artifact) in self.outputs { outputs[NodeID(index: index)] = artifact }
        var result = BuildResult(log: log, outputs: outputs, failures: failures, mismatches: mismatches,
                                 cancelled: stopped)
        result.verified = verifiedCount
        result.unstored = unstored
        result.unstoredError = firstUnstoredError
        return result
    }
}
