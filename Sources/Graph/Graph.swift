/// Index of a node in a `Graph`.
public struct NodeID: Hashable, Comparable, Sendable {
    public let index: Int
    public static func < (a: NodeID, b: NodeID) -> Bool { a.index < b.index }
}

/// Why a graph cannot be built as asked.
public enum GraphError: Error, Equatable, CustomStringConvertible {
    case operatorRedefined(id: String)
    case unknownOperator(id: String)

    public var description: String {
        switch self {
        case .operatorRedefined(let id): "operator \(id) registered twice with different versions"
        case .unknownOperator(let id): "no operator \(id) is registered; register it with Graph.register"
        }
    }
}

/// The static task graph of one run: nodes added in dependency order (a node may only depend on
/// nodes added before it, so the static graph is acyclic by construction), and the operators
/// that nodes — including dynamically requested ones — may name.
public struct Graph: Sendable {
    struct Node: Sendable {
        let op: Int
        let params: Value
        let dependencies: [Int]
    }

    private(set) var operators: [Operator] = []
    private var operatorIndex: [String: Int] = [:]
    private(set) var nodes: [Node] = []
    /// Closure keys derived ahead of a run (`deriveClosureKeys`), by node index; `derived` false
    /// for a node added or given new parameters since, and for everything above such a node.
    private var closureKeys: [(derived: Bool, key: Digest?)] = []

    public init() {}

    public var count: Int { nodes.count }

    /// Makes `op` available to dynamic requests; adding a node registers its operator too.
    @discardableResult
    public mutating func register(_ op: Operator) throws(GraphError) -> Int {
        if let index = operatorIndex[op.id] {
            guard operators[index].version == op.version else { throw .operatorRedefined(id: op.id) }
            return index
        }
        operators.append(op)
        operatorIndex[op.id] = operators.count - 1
        return operators.count - 1
    }

    /// Adds a node; its dependencies must already be in the graph.
    public mutating func add(_ op: Operator, _ params: Value,
                             dependencies: [NodeID] = []) throws(GraphError) -> NodeID {
        let index = try register(op)
        for dep in dependencies { precondition(dep.index < nodes.count, "dependency added after its dependent") }
        nodes.append(Node(op: index, params: params, dependencies: dependencies.map(\.index)))
        return NodeID(index: nodes.count - 1)
    }

    /// Gives `node` other parameters: a graph kept between runs whose edit changed only these
    /// (`run --watch`). Keys are derived when a run starts, so its dependents' keys follow.
    public mutating func replaceParams(of node: NodeID, with params: Value) {
        let old = nodes[node.index]
        nodes[node.index] = Node(op: old.op, params: params, dependencies: old.dependencies)
        guard node.index < closureKeys.count else { return }
        closureKeys[node.index].derived = false
        // Dependencies come first, so one pass upwards reaches every node above it.
        for i in (node.index + 1)..<closureKeys.count
        where nodes[i].dependencies.contains(where: { !closureKeys[$0].derived }) {
            closureKeys[i].derived = false
        }
    }

    /// Derives the closure key of every node that has none derived yet (`NodeKey.closure`), so
    /// that a graph kept between runs (`run --watch`) derives again only what changed. A run
    /// derives the keys it lacks itself.
    public mutating func deriveClosureKeys() {
        closureKeys += Array(repeating: (false, nil), count: nodes.count - closureKeys.count)
        for i in nodes.indices where !closureKeys[i].derived {
            closureKeys[i] = (true, closureKey(of: i) { closureKeys[$0].key })
        }
    }

    /// The closure key derived for node `i`: `.some(nil)` when it has none (its parameters
    /// cannot be encoded, or a dependency's cannot), nil when not derived.
    func derivedClosureKey(_ i: Int) -> Digest?? {
        i < closureKeys.count && closureKeys[i].derived ? .some(closureKeys[i].key) : nil
    }

    /// Node `i`'s closure key from its dependencies' (`keyOf`); nil when one has none or its
    /// parameters cannot be encoded.
    func closureKey(of i: Int, dependencyKey keyOf: (Int) -> Digest?) -> Digest? {
        let operation = operators[nodes[i].op]
        var keys: [Digest] = []
        for d in nodes[i].dependencies {
            guard let key = keyOf(d) else { return nil }
            keys.append(key)
        }
        return try? NodeKey.closure(operator: operation.id, version: operation.version, params: nodes[i].params,
                                    dependencyKeys: keys)
    }

    func operatorIndex(of id: String) -> Int? { operatorIndex[id] }

    /// The same graph under a new model version: every operator's version moved by `offset`, so
    /// every node's key changes (dynamic requests included) and nothing cached is reused.
    public func bumpingVersions(by offset: Int64) -> Graph {
        var copy = self
        copy.operators = operators.map { Operator($0.id, version: $0.version + offset, run: $0.run) }
        copy.closureKeys = []
        return copy
    }

    /// The id of the node added `index`-th (0 ..< count).
    public func id(_ index: Int) -> NodeID {
        precondition(nodes.indices.contains(index), "node index \(index) out of range")
        return NodeID(index: index)
    }
    public func params(of node: NodeID) -> Value { nodes[node.index].params }
    public func operatorID(of node: NodeID) -> String { operators[nodes[node.index].op].id }
    public func dependencies(of node: NodeID) -> [NodeID] { nodes[node.index].dependencies.map { NodeID(index: $0) } }
}
