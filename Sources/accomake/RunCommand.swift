import Dispatch
import Foundation
import Graph
import Tasks

/// `accomake run STUDY [-j N] [--json] [--cache DIR]`: builds the study's task graph, runs what is
/// not cached, and prints per accelerator × workload (× caching mode × mapping objective) the best
/// schedule for each allocation objective.
enum RunCommand {
    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, command: "run", options: ["cache", "j", "jobs"], flags: ["json", "no-shortcut", "verify"])
        let path = try studyPath(a, command: "run")
        let began = DispatchTime.now().uptimeNanoseconds
        guard let (view, outcome) = try execute(path, a, command: "run") else { return 130 }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        if a.flag("json") {
            print(view.json(outcome).rendered())
        } else {
            print(outcome.shortcut ? "\(path): inputs unchanged since the last complete run; answers read from the cache, \(String(format: "%.2f", seconds)) s"
                  : "\(path): \(outcome.executed) nodes computed, \(outcome.hits) from cache, \(String(format: "%.1f", seconds)) s")
            print(view.text())
        }
        return 0
    }

    static func studyPath(_ a: Arguments, command: String) throws -> String {
        guard let path = a.positionals.first, a.positionals.count == 1 else {
            throw UsageError("\(command): give one study file, e.g. accomake \(command) projects/studies/quickstart.json")
        }
        return path
    }

    /// What a study run did: nodes computed and reused; `shortcut` when the study's inputs were
    /// unchanged since a complete run and its answers were read directly (`StudyShortcut`).
    struct Outcome {
        var executed: Int
        var hits: Int
        var shortcut: Bool
        /// Verify mode: recomputed outputs compared with (and equal to) the cached ones.
        var verified = 0
    }

    /// Loads the study and answers it: from the shortcut when its inputs are unchanged since a
    /// complete run (unless `--no-shortcut` or `--verify`), else by building its graph and running what is not
    /// cached. `nil` when interrupted.
    static func execute(_ path: String, _ a: Arguments, command: String) throws -> (StudyView, Outcome)? {
        // The study, its shortcut key and its graph from one read of each input file: the key
        // recorded after the run names exactly the content the answers were computed from.
        let inputs = InputSnapshot()
        let study = try inputs.reading { try StudyFormat.load(path) }
        let store = try CacheLocation.open(a)
        let shortcut = inputs.reading { StudyShortcut.key(study, executable: ChildProcess.currentExecutable) }
        if !a.flag("no-shortcut"), !a.flag("verify"), !a.flag("deep"), let key = shortcut, let outputs = StudyShortcut.outputs(key, store: store) {
            let problems = try inputs.reading { try StudyGraph.problems(study) }
            if outputs.count == problems.count {
                let answers = try zip(problems, outputs).map { ($0, try AllocationTask.report($1)) }
                return (StudyView(study: study, answers: answers), Outcome(executed: 0, hits: outputs.count, shortcut: true))
            }
        }
        let built = try inputs.reading { try StudyGraph(study) }
        // What is dirty and why, against the last run, before running (for `explain`).
        let assessment = RunRecord.assess(built.graph, names: built.names, detail: StudyGraph.detailedFields,
                                        previous: try StudyRecord.load(study: path, a), cached: { store.lookup($0) != nil })
        guard let outcome = try EngineSession.build(built.graph, targets: built.allocationNodes, a, command: command, cache: store,
                                                    context: { built.names.indices.contains($0.index) ? built.names[$0.index] : nil }) else {
            return nil
        }
        StudyRecord.save(RunRecord(built.graph, names: built.names, detail: StudyGraph.detailedFields, assessment: assessment, log: outcome.log),
                         study: path, cache: store)
        var outputs: [Artifact] = []
        for (p, node) in zip(built.problems, built.allocationNodes) {
            guard let artifact = outcome.outputs[node] else { throw UsageError("\(command): no result for \(p.core.name)") }
            outputs.append(artifact)
        }
        if let key = shortcut { try? StudyShortcut.record(key, outputs: outputs, store: store) }
        store.flush()  // the session collected, if due, when its build finished
        let answers = try zip(built.problems, outputs).map { ($0, try AllocationTask.report($1)) }
        return (StudyView(study: study, answers: answers),
                Outcome(executed: outcome.log.count(.executed), hits: outcome.log.count(.hit) + outcome.log.count(.cutoff), shortcut: false,
                        verified: outcome.verified))
    }
}

/// A study's answers as text and JSON.
struct StudyView {
    let study: Study
    let answers: [(StudyGraph.Problem, AllocationReport)]

    var report: StudyReport {
        StudyReport(studyFile: study.file, metrics: study.allocation.metrics, answers: answers.map { p, r in
            StudyReport.Answer(hardware: p.core.name, workload: study.workloads[p.workload].name, mode: p.mode, objective: p.objective, report: r)
        })
    }

    func title(_ p: StudyGraph.Problem) -> String {
        "\(p.core.name) · \(study.workloads[p.workload].name) · \(p.mode) · mapping objective \(p.objective.rawValue)"
    }

    static func tiles(_ s: ScheduleSummary) -> String { s.trunks.map { "\($0.tile.x)x\($0.tile.y)" }.joined(separator: ",") }
    static func cuts(_ s: ScheduleSummary) -> String { s.cuts.isEmpty ? "none" : s.cuts.map(String.init).joined(separator: ",") }

    /// The real-time verdict of a schedule when the study gives a frame period.
    func meetsFramePeriod(_ s: ScheduleSummary) -> Bool? {
        study.allocation.framePeriodCycles.map { s.meets(framePeriodCycles: $0) }
    }

    func text() -> String {
        var out: [String] = []
        for (p, report) in answers {
            out.append("")
            out.append(title(p))
            out.append("  \(report.ranges.count) ranges × \(report.tiles.count) tiles, \(report.cutLists.count) cut lists, \(report.table.rawValue) table, on-chip budget \(report.budgetBits) bits (\(String(format: "%.2f", Double(report.budgetBits) / 8 / 1_048_576)) MiB)")
            out.append("  best for  cuts        tiles per trunk       energy pJ  latency cycles          EDP   peak bits  on chip  warm-up pJ / cycles      stable per frame pJ / cycles" + (study.allocation.framePeriodCycles == nil ? "" : "  real time"))
            for metric in study.allocation.metrics {
                guard let e = report.best[metric], let s = ScheduleSummary(report, e) else { continue }
                var line = "  " + StackCommand.pad(metric.rawValue, 9) + " " + StackCommand.pad(Self.cuts(s), 11) + " " + StackCommand.pad(Self.tiles(s), 18)
                line += StackCommand.lpad(String(s.schedule.energy), 15) + StackCommand.lpad(String(s.schedule.latency), 16)
                line += StackCommand.lpad(String(format: "%.3e", s.schedule.edp), 13) + StackCommand.lpad(String(s.schedule.peakBits), 12)
                line += StackCommand.lpad(s.schedule.onChip ? "yes" : "no", 9)
                line += StackCommand.lpad("\(s.warmupEnergy) / \(s.warmupLatency)", 25)
                line += StackCommand.lpad(String(format: "%.0f / %.0f", s.stableFrameEnergy, s.stableFrameLatency), 30)
                if let met = meetsFramePeriod(s) { line += met ? "  met" : "  missed" }
                out.append(line)
            }
            out.append("  Pareto front (energy, latency): \(report.front.count) schedule\(report.front.count == 1 ? "" : "s")")
        }
        return out.joined(separator: "\n")
    }

    func json(_ outcome: RunCommand.Outcome) -> JSONText {
        func row(_ r: AccoReadings.Row) -> JSONText { .object([("latency", .int(r.latency)), ("energy", .int(r.energy))]) }
        func range(_ r: LayerRange) -> JSONText { .array([r.after.map { .int($0) } ?? .null, r.through.map { .int($0) } ?? .null]) }
        func schedule(_ s: ScheduleSummary) -> JSONText {
            var fields: [(String, JSONText)] = [
                ("cuts", .array(s.cuts.map { .int($0) })), ("latency", .int(s.schedule.latency)), ("energy", .int(s.schedule.energy)),
                ("edp", .number(s.schedule.edp)), ("peak_bits", .int(s.schedule.peakBits)), ("on_chip", .bool(s.schedule.onChip)),
                ("warmup", .object([("latency", .int(s.warmupLatency)), ("energy", .int(s.warmupEnergy))])),
                ("stable_per_frame", .object([("latency", .number(s.stableFrameLatency)), ("energy", .number(s.stableFrameEnergy))])),
                ("trunks", .array(s.trunks.map { t in
                    .object([("range", range(t.range)), ("tile", .array([.int(t.tile.x), .int(t.tile.y)])),
                             ("clipped_tile", .array([.int(t.clipped.x), .int(t.clipped.y)])), ("window", row(t.window)),
                             ("warmup", row(t.warmup)), ("stable", row(t.stable)), ("peak_bits", .int(t.footprint.total.featureBits)),
                             ("stable_peak_bits", .int(t.footprint.stable.featureBits))])
                })),
            ]
            if let met = meetsFramePeriod(s) { fields.append(("meets_frame_period", .bool(met))) }
            return .object(fields)
        }
        return .object([
            ("study", .string(study.file)), ("nodes_executed", .int(outcome.executed)), ("cache_hits", .int(outcome.hits)),
            ("shortcut", .bool(outcome.shortcut)),
            ("results", .array(answers.map { p, report in
                .object([
                    ("hardware", .string(p.core.name)), ("workload", .string(study.workloads[p.workload].name)),
                    ("mode", .string(p.mode.description)), ("mapping_objective", .string(p.objective.rawValue)),
                    ("table", .string(report.table.rawValue)), ("budget_bits", .int(report.budgetBits)),
                    ("ranges", .int(report.ranges.count)), ("cut_lists", .int(report.cutLists.count)),
                    ("best", .object(study.allocation.metrics.compactMap { m in
                        report.best[m].flatMap { ScheduleSummary(report, $0) }.map { (m.rawValue, schedule($0)) }
                    })),
                    ("front", .array(report.front.map { e in
                        .object([("cuts", .array(report.cutLists[e.cutList].map { .int($0) })),
                                 ("tiles", .array(e.schedule.choice.map { .array([.int(report.tiles[$0].x), .int(report.tiles[$0].y)]) })),
                                 ("latency", .int(e.schedule.latency)), ("energy", .int(e.schedule.energy)),
                                 ("peak_bits", .int(e.schedule.peakBits)), ("on_chip", .bool(e.schedule.onChip))])
                    })),
                ])
            })),
        ])
    }
}
