import Dispatch
import Foundation
import Graph
import Tasks

/// `accomake run STUDY --shard I/N`: computes share I of the study's stack and trunk nodes
/// (`StudyShards`) into the local and remote caches and says how much it did; the answers come
/// from a run without `--shard` afterwards, which finds every shard's work in the cache.
enum ShardRun {
    static func run(_ path: String, _ a: Arguments, shard: (index: Int, count: Int)) throws -> Int32 {
        let began = DispatchTime.now().uptimeNanoseconds
        let study = try StudyFormat.load(path)
        let built = try StudyGraph(study)
        let assignment = StudyShards.assign(costs: built.trunkCosts, count: shard.count)
        let mine = assignment.indices.filter { assignment[$0] == shard.index }
        let total = built.trunkCosts.reduce(0, +)
        let share = total > 0 ? mine.reduce(0) { $0 + built.trunkCosts[$1] } / total : 0
        let store = try CacheLocation.open(a)
        let remote = try RemoteLocation.open(a)
        defer { remote.map(RemoteLocation.finish) }
        let name = { (node: NodeID) in built.names.indices.contains(node.index) ? built.names[node.index] : nil }
        guard let outcome = try EngineSession.build(built.graph, targets: mine.map { built.trunkNodes[$0] }, a,
                                                    command: "run --shard", cache: store, remote: .given(remote),
                                                    context: name,
                                                    keepGoing: { built.variantProblem(of: $0.node, in: study) != nil },
                                                    closureKeys: !a.flag("no-shortcut"))
        else { return 130 }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        let executed = outcome.log.count(.executed), hits = outcome.log.count(.hit) + outcome.log.count(.cutoff)
        if a.flag("json") {
            print(JSONText.object([
                ("study", .string(path)), ("shard", .array([.int(shard.index), .int(shard.count)])),
                ("trunks", .int(mine.count)), ("trunks_total", .int(built.trunkNodes.count)),
                ("estimated_share", .number(share)), ("nodes_executed", .int(executed)), ("cache_hits", .int(hits)),
                ("seconds", .number((seconds * 10).rounded() / 10)),
            ]).rendered())
        } else {
            print("\(path) shard \(shard.index)/\(shard.count): \(mine.count) of "
                  + "\(TextColumns.count(built.trunkNodes.count, "trunk")) (\(Int((share * 100).rounded())) % of the "
                  + "estimated work), \(TextColumns.count(executed, "node")) computed, \(hits) from cache, "
                  + String(format: "%.1f s", seconds) + "; run the study without --shard on the same cache for the "
                  + "answers")
        }
        return 0
    }
}
