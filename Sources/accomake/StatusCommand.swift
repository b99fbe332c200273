import Foundation
import Graph
import Tasks

/// `accomake status STUDY [--cache DIR]`: exactly which of the study's nodes a run would compute
/// (a dry run of the graph against the cache) and, for those, which input changed since the
/// last recorded run — without running anything.
///
/// `accomake explain STUDY [NODE] [--cache DIR]`: for the last run, which nodes ran and the input
/// change that caused each; NODE (part of a node name) lists the matching nodes one by one.
enum StatusCommand {
    static func status(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, help: .named("status"))
        let path = try RunCommand.studyPath(a, command: "status")
        let inputs = InputSnapshot()
        let study = try inputs.reading { try StudyFormat.load(path) }
        let building = StudyGraph.building(study, inputs: inputs)
        let store = try CacheLocation.open(a)
        if let key = inputs.reading({ StudyShortcut.key(study, executable: ChildProcess.currentExecutable) }),
           StudyShortcut.outputs(key, store: store) != nil {
            if a.flag("json") {
                print(JSONText.object([("study", .string(path)), ("up_to_date", .bool(true)), ("shortcut", .bool(true)),
                                       ("nodes", .null), ("nodes_up_to_date", .null), ("to_compute", .array([])),
                                       ("requested", .array([]))]).rendered())
            } else {
                print("\(path): up to date — inputs unchanged since the last complete run; `accomake run` "
                    + "reads the answers directly")
            }
            return 0
        }
        let record = StudyAssessment(study: path, root: try CacheLocation.path(a), store: store)
        let built = try building.value.get()
        let assessing = try record.assess(built)
        // What a run would compute, exactly: the graph walked against the cache without running
        // anything (traces replayed, as in a run).
        let progress = ProgressLine()
        let jobs = try a.jobs(default: ProcessInfo.processInfo.activeProcessorCount)
        var options = BuildOptions(jobs: jobs, dryRun: true, progress: progress.update)
        options.closureKeys = true
        let dry = Executor(store: store, options: options)
            .build(built.graph, targets: built.allocationNodes)
        progress.finish()
        defer { KeptUntilExit.keep(built, dry, assessing) }
        let changes = assessing.value.changes
        var outcome: [Int: EventKind] = [:]
        var dynamic: [String: (cached: Int, wouldRun: Int)] = [:]
        for e in dry.log.events {
            if e.node.index < built.graph.count {
                outcome[e.node.index] = e.kind
            } else if e.kind == .hit || e.kind == .cutoff {
                dynamic[e.op, default: (0, 0)].cached += 1
            } else if e.kind == .wouldRun {
                dynamic[e.op, default: (0, 0)].wouldRun += 1
            }
        }
        // A node the walk did not reach sits below one answered by its closure key: up to date.
        let dirty = (0..<built.graph.count).filter { outcome[$0].map { $0 != .hit && $0 != .cutoff } ?? false }
        let reasons = dirty.map { i in (name: built.names[i], change: reason(i, changes[i], outcome, built)) }
        let requested = dynamic.sorted { $0.key < $1.key }
        if a.flag("json") {
            print(JSONText.object([
                ("study", .string(path)), ("up_to_date", .bool(dirty.isEmpty)), ("shortcut", .bool(false)),
                ("nodes", .int(built.graph.count)), ("nodes_up_to_date", .int(built.graph.count - dirty.count)),
                ("to_compute", .array(reasons.map {
                    .object([("node", .string($0.name)), ("reason", .string($0.change.description))])
                })),
                ("requested", .array(requested.map { op, n in
                    .object([("operator", .string(op)), ("cached", .int(n.cached)), ("to_compute", .int(n.wouldRun))])
                })),
            ]).rendered())
            return 0
        }
        print("\(path): \(built.graph.count - dirty.count) of \(TextColumns.count(built.graph.count, "node")) "
            + "up to date, \(dirty.count) would be computed")
        if !dirty.isEmpty {
            print("to compute, by reason:")
            print(grouped(reasons))
        }
        for (op, n) in requested {
            print("  requested by stack nodes (known from their traces): \(op) \(n.cached) "
                + "cached, \(n.wouldRun) to compute")
        }
        if dirty.contains(where: { outcome[$0] == .wouldRun && built.names[$0].hasPrefix("stack") }) {
            print("(a stack node that runs asks for its layer evaluations then; those already "
                + "computed come from the cache)")
        }
        return 0
    }

    /// Why a node would be computed: the change since the last recorded run when there is one,
    /// else what the dry run found (not cached itself, or waiting on a node that is not).
    static func reason(_ i: Int, _ change: RunRecord.Change?, _ outcome: [Int: EventKind],
                       _ built: StudyGraph) -> RunRecord.Change {
        if let change { return change }
        if outcome[i] == .wouldRun { return .notCached }
        let inputs = built.graph.dependencies(of: built.graph.id(i))
        if let dirty = inputs.first(where: { outcome[$0.index] != .hit && outcome[$0.index] != .cutoff }) {
            return .dependency(built.names[dirty.index])
        }
        return .notCached  // waiting on a layer evaluation it requested, which is not cached
    }

    static func explain(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, help: .named("explain"))
        guard let path = a.positionals.first, a.positionals.count <= 2 else {
            throw UsageError("explain: give the study file and optionally part of a node name, e.g. accomake explain "
                + "projects/studies/quickstart.json allocation")
        }
        guard let record = try StudyRecord.load(study: path, a) else {
            throw UsageError("explain: no run of \(path) is recorded in \(try CacheLocation.path(a)); run it "
                + "first (accomake run \(path))")
        }
        let ran = record.nodes.filter { $0.outcome == .executed }
        let reused = record.nodes.filter { $0.outcome == .hit || $0.outcome == .cutoff || $0.outcome == .covered }
        let pattern = a.positionals.count == 2 ? a.positionals[1] : nil
        let matches = pattern.map { p in record.nodes.filter { $0.name.contains(p) } } ?? []
        if let pattern, matches.isEmpty {
            throw UsageError("explain: no node name contains \"\(pattern)\"; node names start with "
                + "stack, trunk or allocation")
        }
        if a.flag("json") {
            let listed = pattern == nil ? ran : matches
            print(JSONText.object([
                ("study", .string(path)), ("nodes", .int(record.nodes.count)), ("ran", .int(ran.count)),
                ("from_cache", .int(reused.count)),
                ("requested", .array(Set(record.dynamicExecuted.keys).union(record.dynamicReused.keys).sorted().map {
                    .object([("operator", .string($0)), ("ran", .int(record.dynamicExecuted[$0] ?? 0)),
                             ("reused", .int(record.dynamicReused[$0] ?? 0))])
                })),
                ("listed", .array(listed.map { n in
                    .object([("node", .string(n.name)), ("outcome", n.outcome.map { .string($0.rawValue) } ?? .null),
                             ("reason", n.reason.map { .string($0.description) } ?? .null),
                             ("key", n.key.map { .string($0.hex) } ?? .null),
                             ("inputs", .array(record.inputNames(of: n).map { .string($0) }))])
                })),
            ]).rendered())
            return 0
        }
        print("last graph run of \(path): \(ran.count) of \(TextColumns.count(record.nodes.count, "node")) ran, "
            + "\(reused.count) came from the cache")
        print("(reruns with every input unchanged are answered without a graph run and leave this record as it is)")
        for op in Set(record.dynamicExecuted.keys).union(record.dynamicReused.keys).sorted() {
            print("  requested by them: \(op) \(record.dynamicExecuted[op] ?? 0) ran, "
                + "\(record.dynamicReused[op] ?? 0) reused")
        }
        if pattern != nil {
            for n in matches {
                let outcome = n.outcome.map(\.rawValue) ?? "not reached"
                print("\(n.name)\n  \(outcome) — \(n.reason.map(\.description) ?? "up to date")")
                if let key = n.key { print("  key \(key.hex.prefix(16))…") }
                let inputs = record.inputNames(of: n)
                if !inputs.isEmpty {
                    let more = inputs.count > 6 ? "; … (\(inputs.count))" : ""
                    print("  inputs: \(inputs.prefix(6).joined(separator: "; "))\(more)")
                }
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
            let kinds = Dictionary(grouping: names,
                                   by: { String($0.prefix { $0 != " " }) }).map { "\($0.value.count) "
                                       + "\($0.key)" }.sorted()
            return "  \(names.count) (\(kinds.joined(separator: ", "))): \(reason)\n      e.g. \(names[0])"
        }.joined(separator: "\n")
    }
}
