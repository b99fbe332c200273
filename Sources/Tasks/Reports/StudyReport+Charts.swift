import Foundation

/// The charts of one answer in report.html (each also written as a standalone `.svg`): the
/// energy–latency plane of the schedules with the Pareto front, energy and latency per layer of
/// the chosen schedule, the footprint of each trunk against the budget, warm-up against stable.
extension StudyReport {
    /// A schedule as its tooltip describes it.
    static func describe(cuts: [Int], tiles: [(x: Int, y: Int)], energy: Int, latency: Int, edp: Double,
                         peakBits: Int) -> String {
        let cutText = cuts.isEmpty ? "none" : cuts.map(String.init).joined(separator: ", ")
        return "cuts after: \(cutText)\ntiles per trunk: \(tiles.map { "\($0.x)×\($0.y)" }.joined(separator: ", "))\n"
            + "energy \(ChartAxis.readable(Double(energy), .energy)) (\(energy) pJ)\n"
            + "latency \(ChartAxis.readable(Double(latency), .latency)) (\(latency) cycles)\n"
            + "EDP \(sci(edp)) pJ·cycles\npeak on-chip memory \(ChartAxis.readable(Double(peakBits), .bits))"
    }

    /// Every cut list's optimal schedules as dots, the Pareto front over all schedules as a line
    /// with numbered points; each point's tooltip gives its cuts, tiles, energy, latency, EDP and
    /// peak memory.
    func scatter(_ a: Answer, id: String) -> String {
        let r = a.report
        var seen = Set<[Int]>()
        var dots: [XYChart.Point] = []
        func point(_ e: AllocationReport.Entry, label: String? = nil) -> XYChart.Point {
            let s = e.schedule
            return XYChart.Point(x: Double(s.latency), y: Double(s.energy),
                                 tip: Self.describe(cuts: r.cutLists[e.cutList], tiles: s.choice.map { r.tiles[$0] },
                                                    energy: s.energy, latency: s.latency, edp: s.edp,
                                                    peakBits: s.peakBits),
                                 label: label)
        }
        for per in r.perCutList {
            for e in per.values.sorted(by: { ($0.schedule.latency, $0.schedule.energy)
                < ($1.schedule.latency, $1.schedule.energy) })
            where seen.insert([e.schedule.latency, e.schedule.energy]).inserted {
                dots.append(point(e))
            }
        }
        // Numbers on at most a dozen front points (every k-th of a long front): the tooltips
        // have them all.
        let every = max(1, (r.front.count + 11) / 12)
        let front = r.front.enumerated().map { i, e in
            var p = point(e, label: i % every == 0 ? "\(i + 1)" : nil)
            p.tip = "Pareto point \(i + 1) of \(r.front.count)\n" + p.tip
            return p
        }
        let all = dots + front
        let chart = XYChart(id: id, label: "energy against latency of the schedules",
                            x: ChartAxis("latency", .latency, values: all.map(\.x)),
                            y: ChartAxis("energy", .energy, values: all.map(\.y)),
                            series: [XYChart.Series(id: "schedule", name: "each cut list's optimal schedules",
                                                    colour: SVGText.schedules, style: .dots, points: dots),
                                     XYChart.Series(id: "front", name: "Pareto front (numbered)",
                                                    colour: SVGText.front, style: .frontLine, points: front)])
        return chart.svg()
    }

    /// What a result key of a trunk is, in the workload's words: a layer (its id, name and type),
    /// the copies before a layer ("copies into layer 3 conv2"), or the trunk input's.
    static func keyName(_ key: String, layers: [Int: String]) -> String {
        func layer(_ id: Int) -> String {
            // A long ONNX path name keeps its tail, the part that names the layer.
            let name = layers[id].map { $0.count > 44 ? "…" + $0.suffix(43) : $0 }
            return name.map { "layer \(id) \($0)" } ?? "layer \(id)"
        }
        switch ResultKey.meaning(key) {
        case .layer(let id): return layer(id)
        case .copiesBefore(let id): return "copies into \(layer(id))"
        case .inputCopies: return "trunk input from memory"
        case .other: return key
        }
    }

    /// Energy and latency per result key of the chosen schedule (window totals), one row each,
    /// labelled with the workload's layer names; the rows of each trunk together.
    func perLayer(_ s: ScheduleSummary, layers: [Int: String], id: String) -> String {
        var rows: [String] = [], energy: [[BarChart.Segment]] = [], latency: [[BarChart.Segment]] = []
        for (n, t) in s.trunks.enumerated() {
            for k in t.perKey {
                let name = Self.keyName(k.key, layers: layers)
                rows.append("trunk \(n + 1) · " + name)
                let tip = "trunk \(n + 1) \(t.range.description), tile \(t.tile.x)×\(t.tile.y)\n\(name)\n"
                    + "energy \(ChartAxis.readable(Double(k.window.energy), .energy)) (\(k.window.energy) pJ)\n"
                    + "latency \(ChartAxis.readable(Double(k.window.latency), .latency)) (\(k.window.latency) cycles)"
                energy.append([.init(series: "energy", value: Double(k.window.energy), colour: SVGText.energy,
                                     tip: tip)])
                latency.append([.init(series: "latency", value: Double(k.window.latency), colour: SVGText.latency,
                                      tip: tip)])
            }
        }
        let chart = BarChart(id: id, label: "energy and latency per layer", rows: rows, panels: [
            .init(axis: ChartAxis("energy", .energy, values: energy.map { $0[0].value }, fromZero: true),
                  bars: energy),
            .init(axis: ChartAxis("latency", .latency, values: latency.map { $0[0].value }, fromZero: true),
                  bars: latency),
        ])
        return chart.svg()
    }

    /// Each trunk's peak on-chip footprint, and all of them together, against the budget.
    func footprints(_ s: ScheduleSummary, budget: Int, id: String) -> String {
        var rows: [String] = [], bars: [[BarChart.Segment]] = []
        for (n, t) in s.trunks.enumerated() {
            rows.append("trunk \(n + 1) \(t.range.description), tile \(t.tile.x)×\(t.tile.y)")
            let f = t.footprint
            bars.append([.init(series: "peak", value: Double(f.total.featureBits), colour: SVGText.memory,
                               tip: "trunk \(n + 1) \(t.range.description)\npeak \(f.total.featureBits) bits "
                                   + "(warm-up \(f.warmup.featureBits), stable \(f.stable.featureBits))\n"
                                   + "weights \(f.total.weightBits) bits")])
        }
        let sum = s.trunks.reduce(0) { $0 + $1.footprint.total.featureBits }
        rows.append("all trunks")
        bars.append([.init(series: "peak", value: Double(sum), colour: SVGText.memory,
                           tip: "Σ of the trunks' peaks: \(sum) bits (budget \(budget) bits)")])
        let axis = ChartAxis("peak on-chip feature memory", .bits, values: bars.map { $0[0].value } + [Double(budget)],
                             fromZero: true)
        let chart = BarChart(id: id, label: "memory footprint per trunk", rows: rows,
                             panels: [.init(axis: axis, bars: bars,
                                            marker: (Double(budget),
                                                     "budget \(ChartAxis.readable(Double(budget), .bits))"))],
                             width: 900)
        return chart.svg()
    }

    /// The warm-up row against one steady-state frame, energy and latency.
    func warmupStable(_ s: ScheduleSummary, id: String) -> String {
        let rows = ["warm-up row", "stable, per frame"]
        let energy = [Double(s.warmupEnergy), s.stableFrameEnergy], latency = [Double(s.warmupLatency),
                                                                              s.stableFrameLatency]
        func tip(_ i: Int) -> String {
            "\(rows[i])\nenergy \(ChartAxis.readable(energy[i], .energy))\nlatency "
                + ChartAxis.readable(latency[i], .latency)
        }
        let chart = BarChart(id: id, label: "warm-up against stable per frame", rows: rows, panels: [
            .init(axis: ChartAxis("energy", .energy, values: energy, fromZero: true),
                  bars: energy.indices.map { [.init(series: "energy", value: energy[$0], colour: SVGText.energy,
                                                    tip: tip($0))] }),
            .init(axis: ChartAxis("latency", .latency, values: latency, fromZero: true),
                  bars: latency.indices.map { [.init(series: "latency", value: latency[$0], colour: SVGText.latency,
                                                     tip: tip($0))] }),
        ], width: 900)
        return chart.svg()
    }

    /// Three significant digits in scientific notation, locale-free.
    static func sci(_ x: Double) -> String {
        guard x != 0, x.isFinite else { return "0" }
        let exponent = Int((log10(abs(x))).rounded(.down))
        let mantissa = (x / pow(10, Double(exponent)) * 100).rounded() / 100
        return "\(mantissa)e\(exponent)"
    }
}

extension StudyReport {
    /// Which layers are fused into which trunk, and each trunk's tile: one box per layer in
    /// network order, coloured by trunk, wrapping; each box's tooltip names the layer and trunk.
    func trunkDiagram(_ s: ScheduleSummary, layers: [Int: String], id: String) -> String? {
        let ids = layers.keys.sorted()
        guard !ids.isEmpty else { return nil }
        func trunk(of layer: Int) -> Int? {
            s.trunks.firstIndex { t in (t.range.after.map { layer > $0 } ?? true)
                && (t.range.through.map { layer <= $0 } ?? true) }
        }
        typealias S = SVGText
        // Boxes left to right, a gap where a new trunk starts (colours repeat after eight trunks).
        let width = 1080, box = 30.0, gap = 10.0
        var places: [(x: Double, y: Double)] = []
        var (x, y) = (10.0, 10.0)
        for (i, layer) in ids.enumerated() {
            if i > 0, trunk(of: layer) != trunk(of: ids[i - 1]) { x += gap }
            if x + box > Double(width) - 10 { (x, y) = (10, y + box + 8) }
            places.append((x, y))
            x += box
        }
        let legendTop = y + box + 18
        let height = Int(legendTop + Double(s.trunks.count) * 16 + 8)
        var svg = S.open(id: id, width: width, height: height, label: "layers fused into trunks", axes: false)
        for (i, layer) in ids.enumerated() {
            let (x, y) = places[i]
            let n = trunk(of: layer)
            let colour = n.map { S.palette[$0 % S.palette.count] } ?? "#bbbbbb"
            let tip = "layer \(layer) \(layers[layer] ?? "")\n" + (n.map { n in
                let t = s.trunks[n]
                return "trunk \(n + 1) \(t.range.description), tile \(t.tile.x)×\(t.tile.y)"
            } ?? "in no trunk")
            svg += "<rect data-series=\"trunk-\(n.map { $0 + 1 } ?? 0)\" x=\"\(S.n(x))\" y=\"\(S.n(y))\" "
                + "width=\"\(S.n(box - 3))\" height=\"\(S.n(box - 3))\" rx=\"3\" fill=\"\(colour)\" "
                + "fill-opacity=\"0.85\">"
                + S.tip(tip) + "</rect><text x=\"\(S.n(x + (box - 3) / 2))\" y=\"\(S.n(y + box / 2 + 1))\" "
                + "text-anchor=\"middle\" style=\"fill: \(S.light.contains(colour) ? "#222" : "#fff"); "
                + "font-size: 10px\">\(layer)</text>\n"
        }
        for (n, t) in s.trunks.enumerated() {
            let y = legendTop + Double(n) * 16
            svg += "<rect x=\"10\" y=\"\(S.n(y - 9))\" width=\"10\" height=\"10\" "
                + "fill=\"\(S.palette[n % S.palette.count])\"/><text x=\"26\" y=\"\(S.n(y))\">trunk \(n + 1): layers "
                + "after \(t.range.after.map(String.init) ?? "the input")"
                + " through \(t.range.through.map(String.init) ?? "the output"), tile \(t.tile.x)×\(t.tile.y)</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// The answers side by side (accelerators, workloads, caching modes, mapping objectives): the
    /// best schedule's energy and latency for the first allocation objective, one row each.
    func comparisonChart(id: String) -> String? {
        guard answers.count > 1, let metric = metrics.first else { return nil }
        var rows: [String] = [], energy: [[BarChart.Segment]] = [], latency: [[BarChart.Segment]] = []
        for a in answers {
            guard let e = a.report.best[metric] else { continue }
            let name = "\(a.hardware) · \(a.workload) · \(a.mode) · \(a.objective.rawValue)"
            rows.append(name)
            let tip = "\(a.title)\nbest for \(metric.rawValue): energy "
                + "\(ChartAxis.readable(Double(e.schedule.energy), .energy)), latency "
                + ChartAxis.readable(Double(e.schedule.latency), .latency)
            energy.append([.init(series: "energy", value: Double(e.schedule.energy), colour: SVGText.energy, tip: tip)])
            latency.append([.init(series: "latency", value: Double(e.schedule.latency), colour: SVGText.latency,
                                  tip: tip)])
        }
        return BarChart(id: id, label: "the answers compared", rows: rows, panels: [
            .init(axis: ChartAxis("energy", .energy, values: energy.map { $0[0].value }, fromZero: true), bars: energy),
            .init(axis: ChartAxis("latency", .latency, values: latency.map { $0[0].value }, fromZero: true),
                  bars: latency),
        ]).svg()
    }
}

extension StudyReport {
    /// Energy and latency per tile option: of each trunk of the chosen schedule (its own cost at
    /// that tile), and of the whole network with that one tile in every trunk (Step 3's cost).
    func tileMap(_ r: AllocationReport, _ s: ScheduleSummary, id: String) -> String? {
        guard !r.options.isEmpty, !r.tiles.isEmpty else { return nil }
        let columns = r.tiles.map { "\($0.x)×\($0.y)" }
        var rows = ["whole network, one tile"]
        var energy: [[Double?]] = [], latency: [[Double?]] = []
        func whole(_ metric: GlobalAllocation.Metric) -> [Double?] {
            r.tiles.indices.map { t in
                guard case .success(let (schedule, _)) = Baseline.schedule(r, cuts: s.cuts, tiles: [t],
                                                                             metric: metric) else { return nil }
                return Double(metric == .energy ? schedule.energy : schedule.latency)
            }
        }
        energy.append(whole(.energy))
        latency.append(whole(.latency))
        for (n, t) in s.trunks.enumerated() {
            guard let i = r.ranges.firstIndex(of: t.range), i < r.options.count else { continue }
            rows.append("trunk \(n + 1) \(t.range.description)")
            energy.append(r.options[i].map { $0.map { Double($0.energy) } })
            latency.append(r.options[i].map { $0.map { Double($0.latency) } })
        }
        return HeatMap(id: id, label: "energy and latency per tile", rows: rows, columns: columns,
                       panels: [.init(title: "energy per tile (lighter is better; each row against its best)",
                                      quantity: .energy, values: energy),
                                .init(title: "latency per tile", quantity: .latency, values: latency)]).svg()
    }
}
