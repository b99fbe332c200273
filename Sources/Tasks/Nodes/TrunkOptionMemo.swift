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
    private static let memo = SharedMemo<Key, GlobalAllocation.Option>(capacity: 400_000)
    private static let on = Atomic<Bool>(false)

    /// From now on, options read are remembered (the oldest forgotten first).
    public static func start() { on.store(true, ordering: .relaxed) }

    /// The option of the trunk result of digest `trunk` in `table`: remembered, or read by `read`.
    static func option(_ trunk: Digest, table: Study.Table,
                       read: () throws -> GlobalAllocation.Option) rethrows -> GlobalAllocation.Option {
        guard on.load(ordering: .relaxed) else { return try read() }
        return try memo.value(for: Key(trunk: trunk, table: table), orMake: read)
    }
}
