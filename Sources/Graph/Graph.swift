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
    }

    func operatorIndex(of id: String) -> Int? { operatorIndex[id] }

    /// The same graph under a new model version: every operator's version moved by `offset`, so
    /// every node's key changes (dynamic requests included) and nothing cached is reused.
    public func bumpingVersions(by offset: Int64) -> Graph {
        var copy = self
        copy.operators = operators.map { Operator($0.id, version: $0.version + offset, run: $0.run) }
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
