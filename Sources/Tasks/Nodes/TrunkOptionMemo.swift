import Graph
import Synchronization

/// The allocation options read from trunk results, remembered by a long-lived process
/// (`run --watch`): an edit of the budget reruns every allocation node, and each reads the same
/// tens of thousands of trunk results again. Off unless `start` is called — a one-shot run reads
/// each trunk result once, and its memory is better spent elsewhere.
public enum TrunkOptionMemo {
    struct Key: Hashable, Sendable {
        var trunk: Digest
        var table: Study.Table
    }

    /// Room for the trunks of a few large studies (each entry about a hundred bytes).
    private static let memo = Mutex<BoundedMemo<Key, GlobalAllocation.Option>?>(nil)

    /// From now on, options read are remembered (at most `capacity`, the oldest forgotten first).
    public static func start(capacity: Int = 400_000) {
        memo.withLock { if $0 == nil { $0 = BoundedMemo(capacity: capacity) } }
    }

    /// The option of the trunk result `artifact` in `table`: remembered, or read by `read`.
    static func option(_ artifact: Artifact, table: Study.Table,
                       read: () throws -> GlobalAllocation.Option) rethrows -> GlobalAllocation.Option {
        let key = Key(trunk: artifact.digest, table: table)
        let (on, known) = memo.withLock { ($0 != nil, $0?[key]) }
        if let known { return known }
        let option = try read()
        if on { memo.withLock { $0?.remember(option, for: key) } }
        return option
    }
}
