/// What happened to one node in one run.
public enum EventKind: String, Sendable, CaseIterable {
    /// The task ran (at least its first step).
    case executed
    /// Found in the cache; none of its dependencies ran in this run.
    case hit
    /// Found in the cache although a dependency ran: that dependency recomputed to the same
    /// bytes, so this node was cut off early.
    case cutoff
    /// The task threw.
    case failed
    /// Not run because a dependency failed.
    case skipped
    /// Not run because the run was interrupted or stopped at the first failure.
    case cancelled
    /// Verify mode: the task recomputed to bytes that differ from the cached ones.
    case mismatch
    /// Dry run: not in the cache, so a run would compute it (its dependents are `skipped`).
    case wouldRun = "would-run"
    /// Never in a run's log: in a `RunRecord`, a node the run did not visit because a node above
    /// it was answered by its closure key (`BuildOptions.closureKeys`) — up to date, unread.
    case covered
}

public struct Event: Sendable, Equatable {
    public let node: NodeID
    public let op: String
    /// The node's final key; nil when it was never known (skipped, cancelled, unencodable).
    public let key: Digest?
    public let kind: EventKind
    /// Time spent in the task's steps (executed nodes), or in the lookup otherwise.
    public let durationNanos: UInt64
    /// Failure message, for `failed` and `mismatch`.
    public let message: String?
}

/// The per-run journal: one event per node that the run touched. Order follows completion,
/// which depends on scheduling; compare logs as sets or through `nodes(_:)`.
public struct EventLog: Sendable {
    public private(set) var events: [Event] = []

    mutating func append(_ event: Event) { events.append(event) }

    /// Nodes with the given outcome, sorted.
    public func nodes(_ kind: EventKind) -> [NodeID] {
        events.filter { $0.kind == kind }.map(\.node).sorted()
    }

    public func count(_ kind: EventKind) -> Int { events.reduce(0) { $0 + ($1.kind == kind ? 1 : 0) } }

    /// One line per event, tab-separated: kind, node, operator, key, microseconds, message.
    public func lines() -> [String] {
        events.map { e in
            [e.kind.rawValue, String(e.node.index), e.op, e.key?.hex ?? "-", String(e.durationNanos / 1000),
             e.message ?? ""]
                .joined(separator: "\t")
        }
    }
}
