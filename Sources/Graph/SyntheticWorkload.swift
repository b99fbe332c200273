/// A synthetic graph of cheap nodes, for the engine benchmark and the crash and multi-process
/// stress tests. It has `lanes` parallel lanes: node i depends on the previous node of its lane
/// and of the next lane, so every node is needed by the single final node and a cold run has
/// `lanes`-way parallelism.
public struct SyntheticWorkload: Sendable {
    public let nodes: Int
    public let lanes: Int
    /// Changes every node's parameters: a different salt is a different graph.
    public let salt: Int64
    /// Node whose parameters differ (one input edit): its downstream cone reruns.
    public let changed: Int?
    /// Every this many nodes (0: none) outputs about 1.6 KB instead of 32 bytes: blobs that go to
    /// the local store's pack files rather than inline, for the crash stress.
    public let largeEvery: Int

    public init(nodes: Int, lanes: Int = 64, salt: Int64 = 0, changed: Int? = nil, largeEvery: Int = 0) {
        self.nodes = max(1, nodes)
        self.lanes = max(1, lanes)
        self.salt = salt
        self.changed = changed
        self.largeEvery = max(0, largeEvery)
    }

    /// Outputs SHA-256 over its parameters and its inputs: 32 bytes that depend on everything upstream.
    public static let mix = Operator("synthetic.mix", version: 1) { input in .done(try digest(input).bytes) }

    /// As `mix`, but the digest written out as 24 numbered lines of text (about 1.6 KB that
    /// compress well, as study results do).
    public static let mixLarge = Operator("synthetic.mixLarge", version: 1) { input in
        let hex = try digest(input).hex
        return .done(Array((0..<24).map { "\($0): \(hex)\n" }.joined().utf8))
    }

    static func digest(_ input: TaskInput) throws -> Digest {
        var hasher = SHA256()
        hasher.update(try CanonicalEncoder.encode(input.params))
        for dependency in try input.dependencies { hasher.update(dependency.bytes) }
        return hasher.finalize()
    }

    /// Returns the graph, the final node (depends on the last node of every lane) and all nodes.
    public func build() -> (graph: Graph, final: NodeID, all: [NodeID]) {
        var graph = Graph()
        var ids: [NodeID] = []
        ids.reserveCapacity(nodes + 1)
        for i in 0..<nodes {
            var deps: [NodeID] = []
            if i >= lanes {
                deps.append(ids[i - lanes])
                let neighbour = i - lanes + 1
                if neighbour % lanes != 0 || lanes == 1 { deps.append(ids[neighbour]) }
            }
            let edit: Int64 = changed == i ? 1 : 0
            // An object, so that the canonical key order (not the dictionary's seeded order) is exercised.
            let params: Value = ["node": .int(Int64(i)), "lane": .int(Int64(i % lanes)), "salt": .int(salt),
                                 "edit": .int(edit)]
            let op = largeEvery > 0 && i % largeEvery == 0 ? Self.mixLarge : Self.mix
            // `add` only fails for operator redefinition, which cannot happen with these two.
            guard let id = try? graph.add(op, params, dependencies: deps) else { preconditionFailure() }
            ids.append(id)
        }
        let tails = Array(ids[max(0, nodes - lanes)...])
        guard let final = try? graph.add(Self.mix, .array([.string("final"), .int(salt)]), dependencies: tails) else {
            preconditionFailure()
        }
        ids.append(final)
        return (graph, final, ids)
    }
}
