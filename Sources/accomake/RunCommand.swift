import Dispatch
import Foundation
import Graph
import Tasks

/// `accomake run STUDY [-j N] [--json] [--cache DIR]`: builds the study's task graph, runs what is
/// not cached, and prints per accelerator × workload (× caching mode × mapping objective) the best
/// schedule for each allocation objective.
enum RunCommand {
    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, help: .named("run"))
        let path = try studyPath(a, command: "run")
        if a.flag("watch") { return try StudyWatch.run(path, a) }
        if let text = a.value("shard") {
            guard let shard = StudyShards.parse(text) else {
                throw UsageError("--shard \(text): expected I/N with 0 ≤ I < N ≤ 10000, e.g. --shard 0/4")
            }
            return try ShardRun.run(path, a, shard: shard)
        }
        let began = DispatchTime.now().uptimeNanoseconds
        guard let (view, outcome) = try execute(path, a, command: "run") else { return 130 }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        if a.flag("json") {
            print(view.json(outcome).rendered())
        } else {
            print(summary(path, outcome, seconds: seconds))
            print(view.text())
        }
        return 0
    }

    /// The line that opens a run's answer: how it was answered, and in how long.
    static func summary(_ path: String, _ outcome: StudyRunCounts, seconds: Double) -> String {
        outcome.shortcut
            ? "\(path): inputs unchanged since the last complete run; answers read from the cache, "
                + "\(String(format: "%.2f", seconds)) s"
            : "\(path): \(TextColumns.count(outcome.executed, "node")) computed, \(outcome.hits) from cache, "
                + "\(String(format: seconds < 10 ? "%.2f" : "%.1f", seconds)) s"
    }

    static func studyPath(_ a: Arguments, command: String) throws -> String {
        guard let path = a.positionals.first, a.positionals.count == 1 else {
            throw UsageError("\(command): give one study file, e.g. accomake \(command) "
                + "projects/studies/quickstart.json")
        }
        return path
    }

    /// Loads the study and answers it: from the shortcut when its inputs are unchanged since a
    /// complete run (unless `--no-shortcut` or `--verify`), else by building its graph and running what is not
    /// cached. `nil` when interrupted.
    /// - Parameter inputs: the snapshot every input file is read through (one read each): the key
    ///   recorded after the run names exactly the content the answers were computed from, and
    ///   `--watch` learns from it which files to watch.
    /// - Parameter cancellation: as for `EngineSession.build`.
    static func execute(_ path: String, _ a: Arguments, command: String, inputs: InputSnapshot = InputSnapshot(),
                        cancellation: CancellationFlag? = nil) throws -> (StudyView, StudyRunCounts)? {
        var memory = RunMemory.none
        return try execute(path, a, command: command, inputs: inputs, cancellation: cancellation, memory: &memory)
    }

    /// `execute`, keeping in `memory` what the next run of the same study can use (`run --watch`).
    /// When it keeps something, the run record is still being written when this returns.
    static func execute(_ path: String, _ a: Arguments, command: String, inputs: InputSnapshot,
                        cancellation: CancellationFlag?,
                        memory: inout RunMemory) throws -> (StudyView, StudyRunCounts)? {
        let study = try inputs.reading { try StudyFormat.load(path) }
        let store = try memory.cache(a)
        let remote = try RemoteLocation.open(a)
        defer { remote.map(RemoteLocation.finish) }
        let shortcut = inputs.reading { StudyShortcut.key(study, executable: ChildProcess.currentExecutable) }
        if !a.flag("no-shortcut"), !a.flag("verify"), !a.flag("deep"), let key = shortcut,
            let outputs = StudyShortcut.outputs(key, store: store, remote: remote) {
            let problems = try inputs.reading { try StudyGraph.problems(study) }
            if outputs.count == problems.count {
                let answers = Array(zip(problems, try outputs.concurrentMap(AllocationTask.report)))
                return (StudyView(study: study, answers: answers), StudyRunCounts(executed: 0, hits: outputs.count,
                    shortcut: true))
            }
        }
        let record = try memory.lastRecord.map { StudyAssessment(previous: $0, store: store) }
            ?? StudyAssessment(study: path, root: CacheLocation.path(a), store: store)
        let built = try memory.graph(study, inputs: inputs, closureKeys: !a.flag("no-shortcut"))
        // What is dirty and why, against the last run, as it was before running (for `explain`).
        let assessing = try record.assess(built, sameParameters: memory.sameParameters)
        let name = { (node: NodeID) in built.names.indices.contains(node.index) ? built.names[node.index] : nil }
        // A hardware variant that cannot run is an answer (infeasible, and why); the others finish.
        let variantProblem = { (node: NodeID) -> Int? in built.variantProblem(of: node, in: study) }
        guard let outcome = try EngineSession.build(built.graph, targets: built.allocationNodes, a, command: command,
                                                    cache: store, remote: .given(remote), context: name,
                                                    keepGoing: { variantProblem($0.node) != nil },
                                                    closureKeys: !a.flag("no-shortcut"),
                                                    cancellation: cancellation) else {
            return nil
        }
        let assessment = assessing.value
        let log = outcome.log
        let saving = Background {
            let made = RunRecord(built.graph, names: built.names, detail: StudyGraph.detailedFields,
                                 assessment: assessment, log: log)
            StudyRecord.save(made, study: path, cache: store)
            return made
        }
        memory.remember(saving)
        if !memory.keeps { KeptUntilExit.keep(built, outcome, saving) }
        // Written before a one-shot command returns, beside the answers' decoding; `--watch` waits
        // for it only when the next run needs the record.
        defer { if !memory.keeps { _ = saving.value } }
        var why: [Int: String] = [:]
        for failure in outcome.failures {
            guard let p = variantProblem(failure.node), why[p] == nil else { continue }
            let step = (name(failure.node) ?? "").replacingOccurrences(of: built.problemNames[p] + " ", with: "")
            why[p] = "\(failure.message) (\(step))"
        }
        var outputs: [Artifact] = []
        var answers: [(StudyGraph.Problem, AllocationReport)] = []
        var infeasible: [(StudyGraph.Problem, String)] = []
        let reports = try built.allocationNodes.compactMap { outcome.outputs[$0] }.concurrentMap(AllocationTask.report)
        for (index, (p, node)) in zip(built.problems, built.allocationNodes).enumerated() {
            if let artifact = outcome.outputs[node] {
                answers.append((p, reports[outputs.count]))
                outputs.append(artifact)
            } else if let reason = why[index] {
                infeasible.append((p, reason))
            } else {
                throw UsageError("\(command): no result for \(p.core.name)")
            }
        }
        if let key = shortcut, infeasible.isEmpty { try? StudyShortcut.record(key, outputs: outputs, store: store,
                                                                                  remote: remote) }
        store.flush()  // the session collected, if due, when its build finished
        return (StudyView(study: study, answers: answers, infeasible: infeasible),
                StudyRunCounts(executed: outcome.log.count(.executed),
                               hits: outcome.log.count(.hit) + outcome.log.count(.cutoff), shortcut: false,
                               verified: outcome.verified, changes: assessment.changedParameters))
    }
}
