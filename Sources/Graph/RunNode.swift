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
    /// The parameters in canonical form (requested nodes), so their key needs no encoding; dropped
    /// once the node settles when `request` is set (a study's 57k layer searches would keep 300 MB
    /// of them to the end of the run), and read back from the store if it must be rebuilt.
    var encodedParams: ArraySlice<UInt8>?
    /// A requested node's request — the digest and size its bytes are stored under — when the
    /// store surely holds them (read from it or written by this run).
    var request: (digest: Digest, size: Int64)?
    /// A requested node's base key as a trace recorded it (`TraceEntry`): the node was made
    /// without reading its parameters, which are read back from `request` only if it runs.
    var presetKey: Digest?
    var dependencies: [Int]
    /// The node this one stands for in logs and outputs (itself, unless it is a rebuild copy).
    let reportAs: Int
    var dependents: [Int] = []
    var phase = Phase.unvisited
    var pending = 0
    /// Key over the parameters and the dependencies' closure keys (static nodes, with
    /// `BuildOptions.closureKeys`); `closureMissed` once the cache was asked for it in vain.
    var closureKey: Digest?
    var closureMissed = false
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
    /// The remote cache lacked this node (asked, or known not to have it: `remoteCannotHave`).
    var remoteMiss = false
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

    init(op: Int?, opName: String, value: Value?, encodedParams: ArraySlice<UInt8>? = nil, dependencies: [Int],
         reportAs: Int) {
        self.op = op; self.opName = opName; self.value = value; self.encodedParams = encodedParams
        self.dependencies = dependencies; self.reportAs = reportAs
    }

    var params: Value { value ?? encodedParams.flatMap { try? CanonicalDecoder.decode(Array($0)) } ?? .null }
}
