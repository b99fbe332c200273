import Foundation

/// A study's answers as text and JSON.
public struct StudyView {
    public let study: Study
    public let answers: [(StudyGraph.Problem, AllocationReport)]
    /// Problems of hardware variants that cannot run, and why (the other variants still answer).
    public let infeasible: [(StudyGraph.Problem, String)]

    public init(study: Study, answers: [(StudyGraph.Problem, AllocationReport)],
                infeasible: [(StudyGraph.Problem, String)] = []) {
        self.study = study
        self.answers = answers
        self.infeasible = infeasible
    }

    public var report: StudyReport {
        // The layers' names and types label the charts (a workload that no longer reads: ids only).
        let layers: [[Int: String]] = study.workloads.map { w in
            let nodes = (try? WorkloadFormat.load(w.path, options: w.options)) ?? []
            return Dictionary(nodes.filter { !$0.isInput }.map { n in
                (n.id, n.name.isEmpty ? n.operatorType : "\(n.name) (\(n.operatorType))")
            }) { a, _ in a }
        }
        let named = answers.map { p, r in
            var answer = StudyReport.Answer(hardware: p.core.name, workload: study.workloads[p.workload].name,
                                            mode: p.mode, objective: p.objective, report: r,
                                            variant: study.accelerators[p.accelerator].variant,
                                            causal: study.workloads[p.workload].causal)
            answer.layers = layers[p.workload]
            return answer
        }
        var report = StudyReport(studyFile: study.file, metrics: study.allocation.metrics, answers: named)
        report.comparison = VariantComparison(study: study, answers: answers)
        return report
    }

    func title(_ p: StudyGraph.Problem) -> String {
        "\(p.core.name) · \(study.workloads[p.workload].name) · \(p.mode) · "
            + "mapping objective \(p.objective.rawValue)"
    }

    static func tiles(_ s: ScheduleSummary) -> String {
        s.trunks.map { "\($0.tile.x)x\($0.tile.y)" }.joined(separator: ",")
    }
    static func cuts(_ s: ScheduleSummary) -> String {
        s.cuts.isEmpty ? "none" : s.cuts.map(String.init).joined(separator: ",")
    }

    /// The real-time verdict of a schedule when the study gives a frame period.
    func meetsFramePeriod(_ s: ScheduleSummary) -> Bool? {
        study.allocation.framePeriodCycles.map { s.meets(framePeriodCycles: $0) }
    }

    public func text() -> String {
        var out: [String] = []
        for (p, report) in answers {
            out.append("")
            out.append(title(p))
            let budgetMiB = String(format: "%.2f", Double(report.budgetBits) / 8 / 1_048_576)
            let causal = study.workloads[p.workload].causal
            if !causal { out.append("  image CNN (non-causal): evaluated once over its whole input") }
            out.append("  \(TextColumns.count(report.ranges.count, "range")) × "
                       + "\(TextColumns.count(report.tiles.count, "tile")), "
                       + "\(TextColumns.count(report.cutLists.count, "cut list")), "
                       + "\(report.table.rawValue) table, on-chip budget \(report.budgetBits) bits (\(budgetMiB) MiB)")
            // At most 120 columns: long cut and tile lists are shortened (in full in --json and the
            // report's schedules.csv), a stream's warm-up and stable rows go on a line of their own.
            out.append("  " + TextColumns.pad("best for", 9) + " " + TextColumns.pad("cuts", 13) + " "
                + TextColumns.pad("tiles per trunk", 24) + TextColumns.lpad("energy pJ", 14)
                + TextColumns.lpad("latency cycles", 17) + TextColumns.lpad("EDP", 13)
                + TextColumns.lpad("peak bits", 14) + TextColumns.lpad("on chip", 9))
            var shortened = false
            for metric in study.allocation.metrics {
                guard let e = report.best[metric], let s = ScheduleSummary(report, e) else { continue }
                let (cuts, tiles) = (TextColumns.shorten(Self.cuts(s), 13), TextColumns.shorten(Self.tiles(s), 24))
                shortened = shortened || cuts != Self.cuts(s) || tiles != Self.tiles(s)
                var line = "  " + TextColumns.pad(metric.rawValue, 9) + " " + TextColumns.pad(cuts, 13) + " "
                    + TextColumns.pad(tiles, 24)
                line += TextColumns.lpad(String(s.schedule.energy), 14)
                line += TextColumns.lpad(String(s.schedule.latency), 17)
                line += TextColumns.lpad(String(format: "%.3e", s.schedule.edp), 13)
                line += TextColumns.lpad(String(s.schedule.peakBits), 14)
                line += TextColumns.lpad(s.schedule.onChip ? "yes" : "no", 9)
                out.append(line)
                var rows: [String] = []
                if causal {
                    rows.append("warm-up \(s.warmupEnergy) pJ / \(s.warmupLatency) cycles")
                    rows.append(String(format: "stable per frame %.0f pJ / %.0f cycles", s.stableFrameEnergy,
                                       s.stableFrameLatency))
                }
                if let met = meetsFramePeriod(s) { rows.append("frame period \(met ? "met" : "missed")") }
                if !rows.isEmpty { out.append("            " + rows.joined(separator: " · ")) }
            }
            if shortened {
                out.append("  (long cut and tile lists shortened: run --json and accomake report give them in full)")
            }
            let plural = report.front.count == 1 ? "" : "s"
            out.append("  Pareto front (energy, latency): \(report.front.count) schedule\(plural)")
        }
        out += VariantComparison(study: study, answers: answers).text()
        if !infeasible.isEmpty {
            out.append("")
            out.append("\(infeasible.count) of \(TextColumns.count(answers.count + infeasible.count, "problem")) "
                       + "infeasible:")
            for (p, reason) in infeasible { out.append("  \(title(p)): \(reason)") }
        }
        return out.joined(separator: "\n")
    }

    /// `run --json` and `results.json`: the run's counts and, per problem, the best schedules and the front.
    public func json(_ outcome: StudyRunCounts) -> JSONText {
        func row(_ r: AccoReadings.Row) -> JSONText { .object([("latency", .int(r.latency)),
                                                               ("energy", .int(r.energy))]) }
        func range(_ r: LayerRange) -> JSONText { .array([r.after.map { .int($0) } ?? .null,
                                                          r.through.map { .int($0) } ?? .null]) }
        /// Per memory and kind of data, the energy of each row in pJ (net of the on-chip discount).
        func energyByMemory(_ t: ScheduleSummary.Trunk, onChip: Bool, causal: Bool) -> JSONText {
            let e = t.energy
            let rows = [("window", e.window.net(onChip: onChip))]
                + (causal ? [("warmup", e.warmup.net(onChip: onChip)), ("stable", e.stable.net(onChip: onChip))] : [])
            return .array(e.places.indices.map { i in
                .object([("memory", .string(e.places[i].memory)), ("data", .string(e.places[i].data.rawValue))]
                        + rows.map { ($0.0, .number($0.1[i])) })
            })
        }
        /// An image CNN's schedule has no warm-up or stable rows: those fields are left out.
        func schedule(_ s: ScheduleSummary, causal: Bool) -> JSONText {
            let rows: [(String, JSONText)] = causal ? [
                ("warmup", .object([("latency", .int(s.warmupLatency)), ("energy", .int(s.warmupEnergy))])),
                ("stable_per_frame", .object([("latency", .number(s.stableFrameLatency)),
                                              ("energy", .number(s.stableFrameEnergy))])),
            ] : []
            var fields: [(String, JSONText)] = [
                ("cuts", .array(s.cuts.map { .int($0) })), ("latency", .int(s.schedule.latency)),
                ("energy", .int(s.schedule.energy)),
                ("edp", .number(s.schedule.edp)), ("peak_bits", .int(s.schedule.peakBits)),
                ("on_chip", .bool(s.schedule.onChip)),
            ] + rows + [
                ("trunks", .array(s.trunks.map { t in
                    .object([("range", range(t.range)), ("tile", .array([.int(t.tile.x), .int(t.tile.y)])),
                             ("clipped_tile", .array([.int(t.clipped.x), .int(t.clipped.y)])),
                             ("window", row(t.window))]
                            + (causal ? [("warmup", row(t.warmup)), ("stable", row(t.stable))] : [])
                            + [("energy_by_memory", energyByMemory(t, onChip: s.schedule.onChip, causal: causal))]
                            + [("peak_bits", .int(t.footprint.total.featureBits))]
                            + (causal ? [("stable_peak_bits", .int(t.footprint.stable.featureBits))] : []))
                })),
            ]
            if let met = meetsFramePeriod(s) { fields.append(("meets_frame_period", .bool(met))) }
            return .object(fields)
        }
        func problem(_ p: StudyGraph.Problem) -> [(String, JSONText)] {
            [("hardware", .string(p.core.name)), ("workload", .string(study.workloads[p.workload].name)),
             ("causal", .bool(study.workloads[p.workload].causal)),
             ("mode", .string(p.mode.description)), ("mapping_objective", .string(p.objective.rawValue))]
        }
        func front(_ report: AllocationReport) -> JSONText {
            .array(report.front.map { e in
                let tiles = e.schedule.choice.map { i in
                    JSONText.array([.int(report.tiles[i].x), .int(report.tiles[i].y)])
                }
                return .object([("cuts", .array(report.cutLists[e.cutList].map { .int($0) })), ("tiles", .array(tiles)),
                                ("latency", .int(e.schedule.latency)), ("energy", .int(e.schedule.energy)),
                                ("peak_bits", .int(e.schedule.peakBits)), ("on_chip", .bool(e.schedule.onChip))])
            })
        }
        let results: [JSONText] = answers.map { p, report in
            .object(problem(p) + [
                ("table", .string(report.table.rawValue)), ("budget_bits", .int(report.budgetBits)),
                ("ranges", .int(report.ranges.count)), ("cut_lists", .int(report.cutLists.count)),
                ("best", .object(study.allocation.metrics.compactMap { m in
                    report.best[m].flatMap { ScheduleSummary(report, $0) }.map {
                        (m.rawValue, schedule($0, causal: study.workloads[p.workload].causal))
                    }
                })),
                ("front", front(report)),
            ])
        }
        var fields: [(String, JSONText)] = [
            ("study", .string(study.file)), ("nodes_executed", .int(outcome.executed)),
            ("cache_hits", .int(outcome.hits)), ("shortcut", .bool(outcome.shortcut)), ("results", .array(results)),
        ]
        if !infeasible.isEmpty {
            fields.append(("infeasible", .array(infeasible.map { p, reason in
                .object(problem(p) + [("reason", .string(reason))])
            })))
        }
        let comparison = VariantComparison(study: study, answers: answers)
        if !comparison.groups.isEmpty { fields.append(("variants", comparison.json())) }
        return .object(fields)
    }
}
