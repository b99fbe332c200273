import Foundation
import Graph
import Tasks

/// `accomake status STUDY [--cache DIR]`: how many of the study's nodes are up to date and, for
/// the dirty ones, which input changed since the last run — without running anything.
///
/// `accomake explain STUDY [NODE] [--cache DIR]`: for the last run, which nodes ran and the input
/// change that caused each; NODE (part of a node name) lists the matching nodes one by one.
enum StatusCommand {
    static func status(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, command: "status", options: ["cache"], flags: [])
        let path = try RunCommand.studyPath(a, command: "status")
        let built = try StudyGraph(try StudyFormat.load(path))
        let store = try CacheLocation.open(a)
        let previous = StudyRecord.load(study: path, a)
        let changes = RunRecord.assess(built.graph, names: built.names, detail: StudyGraph.detailedFields, previous: previous,
                                       cached: { store.lookup($0) != nil }).changes
        let dirty = changes.indices.filter { changes[$0] != nil }
        print("\(path): \(changes.count - dirty.count) of \(changes.count) nodes up to date, \(dirty.count) dirty"
              + (previous == nil ? " (no earlier run recorded on this cache)" : ""))
        if !dirty.isEmpty {
            print("dirty, by reason:")
            print(grouped(dirty.map { (built.names[$0], changes[$0]) }))
        }
        print("(layer evaluations are requested by the stack nodes as they run; those already computed come from the cache)")
        return 0
    }

    static func explain(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, command: "explain", options: ["cache"], flags: [])
        guard let path = a.positionals.first, a.positionals.count <= 2 else {
            throw UsageError("explain: give the study file and optionally part of a node name, e.g. accomake explain projects/studies/quickstart.json allocation")
        }
        guard let record = StudyRecord.load(study: path, a) else {
            throw UsageError("explain: no run of \(path) is recorded in \(CacheLocation.path(a)); run it first (accomake run \(path))")
        }
        let ran = record.nodes.filter { $0.outcome == .executed }
        let reused = record.nodes.filter { $0.outcome == .hit || $0.outcome == .cutoff }
        print("last graph run of \(path): \(ran.count) of \(record.nodes.count) nodes ran, \(reused.count) came from the cache")
        print("(reruns with every input unchanged are answered without a graph run and leave this record as it is)")
        for op in Set(record.dynamicExecuted.keys).union(record.dynamicReused.keys).sorted() {
            print("  requested by them: \(op) \(record.dynamicExecuted[op] ?? 0) ran, \(record.dynamicReused[op] ?? 0) reused")
        }
        if a.positionals.count == 2 {
            let pattern = a.positionals[1]
            let matches = record.nodes.filter { $0.name.contains(pattern) }
            if matches.isEmpty { throw UsageError("explain: no node name contains \"\(pattern)\"; node names start with stack, trunk or allocation") }
            for n in matches {
                print("\(n.name)\n  \(n.outcome.map(\.rawValue) ?? "not reached") — \(n.reason.map(\.description) ?? "up to date")")
                if let key = n.key { print("  key \(key.hex.prefix(16))…") }
                if !n.dependencies.isEmpty { print("  inputs: \(n.dependencies.prefix(6).joined(separator: "; "))\(n.dependencies.count > 6 ? "; … (\(n.dependencies.count))" : "")") }
            }
        } else if !ran.isEmpty {
            print("ran, by reason:")
            print(grouped(ran.map { ($0.name, $0.reason) }))
        }
        return 0
    }

    /// Nodes grouped by reason (all "an input is dirty" together), largest group first, each with
    /// its node kinds and an example.
    static func grouped(_ nodes: [(name: String, change: RunRecord.Change?)]) -> String {
        var groups: [String: [String]] = [:]
        for n in nodes {
            let reason: String
            switch n.change {
            case .dependency?: reason = "an input was recomputed or is dirty"
            case let c?: reason = c.description
            case nil: reason = "up to date at the time"
            }
            groups[reason, default: []].append(n.name)
        }
        return groups.sorted { ($1.value.count, $0.key) < ($0.value.count, $1.key) }.map { reason, names in
            let kinds = Dictionary(grouping: names, by: { String($0.prefix { $0 != " " }) }).map { "\($0.value.count) \($0.key)" }.sorted()
            return "  \(names.count) (\(kinds.joined(separator: ", "))): \(reason)\n      e.g. \(names[0])"
        }.joined(separator: "\n")
    }
}
