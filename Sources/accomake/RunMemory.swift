import Cache
import Foundation
import Graph
import Tasks

/// What `run --watch` keeps in memory from one run of its study to the next, so that an edit
/// pays for what it touches rather than for starting over: the open cache (its index is not read
/// again; entries other processes add are read from the log's tail as before), the last run
/// record (not read back from disk; its field digests stand for the nodes a kept graph did not
/// remake), and the study's graph with its closure keys derived when an edit changes only the
/// allocation's budget or objectives (`StudyGraph.reallocated`). The trunk options the
/// allocations read are kept beside (`TrunkOptionMemo`). A one-shot command keeps nothing
/// (`RunMemory.none`).
struct RunMemory {
    /// Whether to keep anything; false for one-shot commands.
    let keeps: Bool
    private var store: (cache: LocalCache, root: String, log: LogIdentity)?
    private var record: (made: Background<RunRecord>, graph: Int)?
    private var graph: (structure: Digest, built: StudyGraph)?
    /// Counts the graphs `graph` has given, so that a record is known to be of the graph before.
    private var graphs = 0
    /// The last run kept the graph of the run before (its edit changed only the allocation).
    private(set) var keptGraph = false
    /// Whether the last `graph` kept the graph whose run made the kept record.
    private var keptRecordsGraph = false

    static var none: RunMemory { RunMemory(keeps: false) }
    static var kept: RunMemory { RunMemory(keeps: true) }

    /// The cache the last run used, when it is the same folder and its action log is still the same
    /// file (a `cache clean` or a compaction by another process gives a new one); else opened anew.
    mutating func cache(_ a: Arguments) throws -> LocalCache {
        let root = try CacheLocation.path(a)
        if let store, store.root == root, LogIdentity(root: root) == store.log { return store.cache }
        let cache = try CacheLocation.open(a)
        if keeps, let log = LogIdentity(root: root) { store = (cache, root, log) }
        return cache
    }

    /// The last run's record, as this process wrote it; nil when it keeps none yet.
    var lastRecord: RunRecord? { record?.made.value }

    /// Keeps the record being made for the next run (waited for only when it is needed); it is
    /// the record of the graph `graph` gave last.
    mutating func remember(_ made: Background<RunRecord>) {
        if keeps { record = (made, graphs) }
    }

    /// For the assessment (`RunRecord.assess`): when the graph was kept from the run that made
    /// the kept record, every node but the remade allocations has the parameters it had there.
    var sameParameters: (@Sendable (Int) -> Bool)? {
        guard keptRecordsGraph, let built = graph?.built else { return nil }
        let remade = Set(built.allocationNodes.map(\.index))
        return { !remade.contains($0) }
    }

    /// The study's graph: the last one, with its allocation nodes remade, when nothing but the
    /// allocation's budget or objectives changed; else built anew. Kept with its closure keys
    /// derived when the run uses them (`closureKeys`), so that the next edit derives only the
    /// remade nodes' keys.
    mutating func graph(_ study: Study, inputs: InputSnapshot, closureKeys: Bool) throws -> StudyGraph {
        keptGraph = false
        keptRecordsGraph = false
        guard keeps, let structure = inputs.reading({ StudyGraph.structureKey(study) }) else {
            return try inputs.reading { try StudyGraph(study) }
        }
        var built: StudyGraph
        keptGraph = graph?.structure == structure
        keptRecordsGraph = keptGraph && record?.graph == graphs
        graphs += 1
        if let graph, keptGraph {
            built = try inputs.reading { try graph.built.reallocated(for: study) }
        } else {
            built = try inputs.reading { try StudyGraph(study) }
        }
        if closureKeys { built.graph.deriveClosureKeys() }
        graph = (structure, built)
        return built
    }
}

/// Which file a cache's action log is (device and inode), to notice it was replaced.
struct LogIdentity: Equatable {
    var device: UInt64
    var inode: UInt64

    init?(root: String) {
        var info = stat()
        guard stat(root + "/actions.log", &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}
