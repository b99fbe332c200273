/// Dynamic requests: interning the nodes tasks ask for, by their digest, and replaying traces.
extension RunState {
    /// The nodes a trace asks for, interned; nil when the trace is malformed or a request's bytes
    /// are gone from the store (nothing interned then: the task reruns, asks again and stores them).
    /// A request whose entry carries its key for this operator version, and whose bytes the store
    /// still holds, becomes a node without reading them (`TraceEntry`, `RunNode.presetKey`).
    mutating func internTrace(_ bytes: [UInt8]) -> [Int]? {
        guard let entries = TraceEntry.decode(bytes) else { return nil }
        enum Fresh {
            case read(EncodedRequest, ParsedRequest)
            case preset(TraceEntry, op: Int, key: Digest)
        }
        var found: [Int?] = []
        var fresh: [(position: Int, node: Fresh)] = []
        var lost = false
        for entry in entries {
            if let known = requestDigestIndex[entry.digest] {
                found.append(current(known))
                continue
            }
            if let derived = entry.key, let op = graph.operatorIndex(of: derived.op),
               graph.operators[op].version == derived.version,
               store.lookup(NodeKey.request(entry.digest)) == .output(entry.digest, size: entry.size),
               store.holds(entry.digest, size: entry.size) {
                fresh.append((found.count, .preset(entry, op: op, key: derived.key)))
                found.append(nil)
                continue
            }
            guard let requestBytes = store.load(entry.digest, size: entry.size),
                  let parts = ParsedRequest(requestBytes) else {
                // Forgotten, so that the task's rerun stores the request's bytes again (it skips
                // requests whose records it finds) — every lost one, not only the first, or
                // each later run would find the next one lost and run the task again.
                store.forget(NodeKey.request(entry.digest))
                lost = true
                continue
            }
            if lost { continue }
            fresh.append((found.count, .read(EncodedRequest(bytes: requestBytes, digest: entry.digest), parts)))
            found.append(nil)
        }
        if lost { return nil }
        for f in fresh {
            switch f.node {
            case .read(let request, let parts):
                found[f.position] = internByDigest(parts, digest: request.digest,
                                                   reloadableSize: Int64(request.bytes.count))
            case .preset(let entry, let op, let key):
                found[f.position] = internPreset(entry, op: op, key: key)
            }
        }
        return found.compactMap { $0 }
    }

    /// A request's node made from its trace entry alone: no parameters until it must run.
    mutating func internPreset(_ entry: TraceEntry, op: Int, key: Digest) -> Int {
        if let known = requestDigestIndex[entry.digest] { return current(known) }
        let index = nodes.count
        var node = RunNode(op: op, opName: graph.operators[op].id, value: nil, dependencies: [], reportAs: index)
        node.request = (entry.digest, entry.size)
        node.presetKey = key
        nodes.append(node)
        requestDigestIndex[entry.digest] = index
        return index
    }

    /// A task-made request's node: its parameters' bytes are cut from the request's encoding
    /// (`[op, params, deps]`, just made by the executor, which noted where they lie).
    /// `key`: its base key, when the executor derived it for the trace (no need to hash again).
    mutating func internMade(_ request: NodeRequest, encoded: EncodedRequest, reloadable: Bool,
                             key: Digest? = nil) -> Int {
        guard let range = encoded.params else { return internNested(request) }
        let known = requestDigestIndex[encoded.digest] != nil
        let index = internByDigest(ParsedRequest(op: request.op, params: encoded.bytes[range],
                                                 dependencies: request.dependencies),
                                   digest: encoded.digest,
                                   reloadableSize: reloadable ? Int64(encoded.bytes.count) : nil)
        if !known, let key { nodes[index].presetKey = key }
        return index
    }

    /// A request's node: found by its digest, else made with its parameters kept in canonical
    /// form and indexed by that digest. `reloadableSize`: the size of its request's bytes when the
    /// store surely holds them (just read from it, or just written), so the node may drop its
    /// parameters once settled.
    mutating func internByDigest(_ parts: ParsedRequest, digest: Digest, reloadableSize: Int64?) -> Int {
        if let known = requestDigestIndex[digest] { return current(known) }
        let dependencies = parts.dependencies.map { internNested($0) }
        let index = nodes.count
        var node = RunNode(op: graph.operatorIndex(of: parts.op), opName: parts.op, value: nil,
                           encodedParams: parts.params, dependencies: dependencies, reportAs: index)
        node.request = reloadableSize.map { (digest, $0) }
        nodes.append(node)
        requestDigestIndex[digest] = index
        return index
    }

    /// The parameters of a requested node that dropped them when it settled (`settle`), read
    /// back from its request's bytes in the store; nil when those are gone too.
    func reloadedParams(_ n: Int) -> ArraySlice<UInt8>? {
        if let kept = nodes[n].encodedParams { return kept }
        guard let (digest, size) = nodes[n].request, let bytes = store.load(digest, size: size) else { return nil }
        return ParsedRequest(bytes)?.params
    }

    // MARK: Dynamic dependencies

    /// The node now waits for the nodes `ids` (its requests, interned as nodes of this run).
    mutating func attachDynamic(_ n: Int, ids: [Int]) {
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
    mutating func internNested(_ request: NodeRequest) -> Int {
        let dependencies = request.dependencies.map { internNested($0) }
        let index = nodes.count
        nodes.append(RunNode(op: graph.operatorIndex(of: request.op), opName: request.op, value: request.params,
                             dependencies: dependencies, reportAs: index))
        return index
    }

    func current(_ n: Int) -> Int {
        var n = n
        while let next = nodes[n].replacedBy { n = next }
        return n
    }
}
