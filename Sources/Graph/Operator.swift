/// A named, versioned pure function: the "task" of Build Systems à la Carte.
///
/// The id and the version are part of every key the operator produces, so bumping `version`
/// after changing what `run` computes invalidates exactly this operator's cached results
/// (self-tracking). `run` must be pure: its result may depend only on its parameters and on the
/// artifacts of its dependencies.
public struct Operator: Sendable {
    public let id: String
    public let version: Int64
    public let run: @Sendable (TaskInput) throws -> Step

    public init(_ id: String, version: Int64, run: @escaping @Sendable (TaskInput) throws -> Step) {
        self.id = id
        self.version = version
        self.run = run
    }
}

/// What a running task sees: its parameters and its static dependencies' outputs, in order.
///
/// An output is read from the store (and verified) when the task asks for it, not before it
/// runs: a task that answers from a memo of its own by an input's digest (`digest(of:)`) never
/// pays for reading it. An output that cannot be read (lost, damaged) throws; the executor then
/// rebuilds every lost input and runs the task again, as if the task had not started.
public struct TaskInput: Sendable {
    public let params: Value
    let digests: [Digest]
    let read: @Sendable (Int) throws -> Artifact

    init(params: Value, digests: [Digest], read: @escaping @Sendable (Int) throws -> Artifact) {
        self.params = params
        self.digests = digests
        self.read = read
    }

    /// How many static dependencies the node has.
    public var dependencyCount: Int { digests.count }

    /// The digest of dependency `i`'s output, known without reading it.
    public func digest(of i: Int) -> Digest { digests[i] }

    /// Dependency `i`'s output, read now.
    public func dependency(_ i: Int) throws -> Artifact { try read(i) }

    /// Every dependency's output, in order, read now.
    public var dependencies: [Artifact] {
        get throws { try digests.indices.map(read) }
    }
}

/// A dependency's output the store could not give back (lost or damaged): thrown through the
/// task so that the executor rebuilds the lost inputs and runs the task again.
struct UnreadableInput: Error, CustomStringConvertible {
    let index: Int

    var description: String { "the output of input \(index) could not be read from the cache" }
}

/// An output: bytes plus their SHA-256.
public struct Artifact: Sendable, Hashable {
    public let bytes: [UInt8]
    public let digest: Digest

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.digest = SHA256.hash(bytes)
    }

    init(bytes: [UInt8], digest: Digest) {
        self.bytes = bytes
        self.digest = digest
    }
}

/// One step of a task. A task either finishes, or asks for further nodes it discovered from its
/// inputs (dynamic dependencies) together with a continuation that receives their outputs.
///
/// This is the engine's suspension mechanism: returning `.need` frees the worker thread; the
/// executor builds the requested nodes and later calls the continuation on some worker. No thread
/// ever blocks waiting for a dependency.
public enum Step: Sendable {
    case done([UInt8])
    case need([NodeRequest], then: @Sendable ([Artifact]) throws -> Step)
}

/// A node asked for at run time: an operator id (looked up in the graph's registry), parameters
/// and its own dependencies, described the same way. Requests are stored in dynamic-dependency
/// traces, so a later run can rebuild them without running the task that asked.
public struct NodeRequest: Sendable, Hashable {
    public let op: String
    public let dependencies: [NodeRequest]
    /// The parameters as given, or nil when made by `encoded(_:_:)`: they are then read back
    /// from `encoding` on demand (the executor never needs them as a value), so that a memo of
    /// many such requests holds their few kilobytes of bytes, not their value trees.
    private let given: Value?
    /// Its canonical bytes and digest when made by `encoded(_:_:)`, so that a task asking for
    /// the same request again and again (from a memo of its own) does not have it encoded and
    /// hashed each time.
    let encoding: EncodedRequest?

    public init(_ op: String, _ params: Value, dependencies: [NodeRequest] = []) {
        self.op = op
        self.dependencies = dependencies
        given = params
        encoding = nil
    }

    /// A request without dependencies, encoded and hashed now, once: a task that keeps it and
    /// asks for it again costs the executor nothing more. Its `params` read back as decoded from
    /// the canonical bytes.
    public static func encoded(_ op: String, _ params: Value) throws(CanonicalEncodingError) -> NodeRequest {
        NodeRequest(op: op, encoding: try EncodedRequest(NodeRequest(op, params)))
    }

    private init(op: String, encoding: EncodedRequest) {
        self.op = op
        dependencies = []
        given = nil
        self.encoding = encoding
    }

    public var params: Value {
        if let given { return given }
        guard let encoding, let range = encoding.params,
              let value = try? CanonicalDecoder.decode(Array(encoding.bytes[range])) else { return .null }
        return value
    }

    /// The request in canonical form: as made by `encoded(_:_:)`, else encoded now.
    func canonical() throws(CanonicalEncodingError) -> EncodedRequest {
        if let encoding { return encoding }
        return try EncodedRequest(self)
    }

    // Equal requests are equal whether or not they were encoded up front.
    public static func == (a: NodeRequest, b: NodeRequest) -> Bool {
        a.op == b.op && a.params == b.params && a.dependencies == b.dependencies
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(op)
        hasher.combine(params)
        hasher.combine(dependencies)
    }

    /// The request as a canonical value: `[op, params, [dependencies…]]`.
    var value: Value { .array([.string(op), params, .array(dependencies.map(\.value))]) }

    init?(_ value: Value) {
        guard case .array(let parts) = value, parts.count == 3,
              case .string(let op) = parts[0], case .array(let deps) = parts[2] else { return nil }
        var requests: [NodeRequest] = []
        for dep in deps {
            guard let request = NodeRequest(dep) else { return nil }
            requests.append(request)
        }
        self.init(op, parts[1], dependencies: requests)
    }
}
