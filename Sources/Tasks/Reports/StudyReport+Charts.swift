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
        let front = r.front.enumerated().map { point($1, label: "\($0 + 1)") }
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
        if let id = Int(key) { return layer(id) }
        if let id = Int(key.dropFirst("datamovement_b4_LayerNode_".count)), key.hasPrefix("datamovement_b4_LayerNode_") {
            return "copies into \(layer(id))"
        }
        if key.hasPrefix("datamovement_b4_InputLayerNode_") { return "trunk input from memory" }
        return key
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
                energy.append([.init(series: "energy", value: Double(k.window.energy), colour: SVGText.energy, tip: tip)])
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
                                            marker: (Double(budget), "budget \(ChartAxis.readable(Double(budget), .bits))"))],
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
