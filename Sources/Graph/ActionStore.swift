import Synchronization

/// What the action cache holds for one key.
public enum ActionRecord: Sendable, Equatable {
    /// The node's output blob.
    case output(Digest, size: Int64)
    /// The node asked for dynamic dependencies here; the blob lists the requests.
    case trace(Digest, size: Int64)

    public var blob: Digest {
        switch self {
        case .output(let d, _), .trace(let d, _): d
        }
    }

    public var size: Int64 {
        switch self {
        case .output(_, let s), .trace(_, let s): s
        }
    }
}

/// The executor's view of a cache: an action cache (key → record) and a content-addressed blob
/// store (digest → bytes). Implementations must never return wrong bytes: `load` verifies size
/// and digest and answers nil (evicting the entry) on any anomaly.
public protocol ActionStore: Sendable {
    func lookup(_ key: Digest) -> ActionRecord?
    /// Stores `blob` (whose digest and size `record` names) and then the record, so that a
    /// record is never visible before its blob.
    func store(_ key: Digest, _ record: ActionRecord, blob: [UInt8], durationNanos: UInt64) throws
    /// Drops a record whose blob turned out missing or corrupt.
    func forget(_ key: Digest)
    func load(_ digest: Digest, size: Int64) -> [UInt8]?
    /// Whether the store holds the blob's bytes, as far as it can tell without reading them (a
    /// damaged copy shows only when `load` reads it).
    func holds(_ digest: Digest, size: Int64) -> Bool
    /// Records `key` → `record` when the store already holds the record's blob (another key's
    /// output), without its bytes being handed over again; false when it does not hold it.
    func link(_ key: Digest, to record: ActionRecord) -> Bool
}

extension ActionStore {
    /// A store that cannot tell which blobs it holds links nothing: its callers then keep to
    /// the keys they already have.
    public func link(_ key: Digest, to record: ActionRecord) -> Bool { false }

    public func holds(_ digest: Digest, size: Int64) -> Bool { load(digest, size: size) != nil }
}

/// An in-process store, for tests and for runs that should leave nothing on disk.
public final class MemoryStore: ActionStore {
    private struct State {
        var actions: [Digest: ActionRecord] = [:]
        var blobs: [Digest: [UInt8]] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    public func lookup(_ key: Digest) -> ActionRecord? { state.withLock { $0.actions[key] } }
    public func store(_ key: Digest, _ record: ActionRecord, blob: [UInt8], durationNanos: UInt64) {
        state.withLock {
            $0.blobs[record.blob] = blob
            $0.actions[key] = record
        }
    }
    public func forget(_ key: Digest) { _ = state.withLock { $0.actions.removeValue(forKey: key) } }
    public func link(_ key: Digest, to record: ActionRecord) -> Bool {
        state.withLock { s in
            guard s.blobs[record.blob]?.count == Int(record.size) else { return false }
            s.actions[key] = record
            return true
        }
    }
    public func load(_ digest: Digest, size: Int64) -> [UInt8]? {
        state.withLock { $0.blobs[digest] }.flatMap { $0.count == size ? $0 : nil }
    }

    public func holds(_ digest: Digest, size: Int64) -> Bool {
        state.withLock { $0.blobs[digest]?.count == Int(size) }
    }

    /// Removes a blob, as an eviction or a lost file would (tests).
    public func dropBlob(_ digest: Digest) { _ = state.withLock { $0.blobs.removeValue(forKey: digest) } }
    public var recordCount: Int { state.withLock { $0.actions.count } }
    /// Every blob's digest (tests that lose them all).
    public var blobDigests: [Digest] { state.withLock { Array($0.blobs.keys) } }
}

/// A cache shared with other machines, consulted after the local store misses and given every
/// result this run computes. Implementations never return wrong bytes (each record and blob is
/// verified), never throw (a fault is a miss), and bound the time any call can take.
public protocol RemoteStore: Sendable {
    /// Copies `key`'s record and blob — for a trace, also the bytes of every request it names —
    /// from the remote into `local`; the record when all of it arrived intact and was stored,
    /// else nil.
    func fetch(_ key: Digest, into local: any ActionStore) -> ActionRecord?
    /// A blob by digest (verified), not stored anywhere.
    func fetchBlob(_ digest: Digest, size: Int64) -> [UInt8]?
    /// Hands a record the run just stored, with its blob, to the uploader; returns at once.
    func offer(_ key: Digest, _ record: ActionRecord, blob: [UInt8])
    /// Hands a blob to the uploader so that `fetchBlob` finds it; returns at once.
    func offerBlob(_ digest: Digest, _ bytes: [UInt8])
}
