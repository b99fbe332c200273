import Foundation

/// report.html's section for a hardware sweep: per workload × mode × mapping objective, the
/// variants side by side (the terminal's table) and one chart of every variant's
/// (energy, latency) Pareto front, a colour per variant, with the front across the variants
/// drawn over them and its points numbered and listed. Every point names its schedule in a
/// tooltip (SVG `<title>`, no script).
extension StudyReport {
    /// Colours told apart in print and by most colour-blind readers (Okabe–Ito, then darker
    /// tones); a sweep with more variants reuses them in order.
    static let variantColours = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442",
                                 "#000000", "#7f3c8d", "#a6761d", "#666666", "#e73f74"]

    func variantSections(_ comparison: VariantComparison) -> (html: String, charts: [(file: String, svg: String)]) {
        var out = ""
        var charts: [(file: String, svg: String)] = []
        for (g, group) in comparison.groups.enumerated() {
            let axes = comparison.differingAxes(group)
            out += "<section id=\"variants-\(g)\">\n<h2>Hardware variants compared · "
                + "\(Self.escape(comparison.study.workloads[group.workload].name)) · \(group.mode) · mapping "
                + "objective \(group.objective.rawValue)</h2>\n"
            out += variantTable(comparison, group, axes: axes)
            out += "<h3>Energy and latency of every variant's Pareto front</h3>\n"
            let (svg, legend) = variantChart(comparison, group, axes: axes)
            charts.append(("variants-\(g).svg", svg))
            out += "<figure>\n\(svg)<figcaption>\(legend) <a class=\"file\">variants-\(g).svg</a></figcaption>"
                + "</figure>\n</section>\n"
        }
        return (out, charts)
    }

    /// The variant's differing axis values, short: `sram_1MB_A.size=2MiB, dram.r_cost=350`.
    static func label(_ variant: AcceleratorVariant, axes: [String]) -> String {
        let parts = axes.compactMap { axis in
            variant.axes.firstIndex(of: axis).map { AcceleratorVariant.display(axis: axis, value: variant.values[$0]) }
                .map { "\(AcceleratorVariant.shortAxis(axis))=\($0)" }
        }
        return parts.isEmpty ? variant.name : parts.joined(separator: ", ")
    }

    func variantTable(_ comparison: VariantComparison, _ group: VariantComparison.Group, axes: [String]) -> String {
        let area = comparison.hasArea(group)
        var html = "<table><tr><th></th>" + axes.map { "<th>\(Self.escape($0))</th>" }.joined()
        html += metrics.map { "<th>best for \($0.rawValue): energy / latency</th>" }.joined()
        html += "<th>on-chip bits</th>" + (area ? "<th>area</th>" : "") + "</tr>\n"
        for (i, m) in group.members.enumerated() {
            let colour = Self.variantColours[i % Self.variantColours.count]
            html += "<tr title=\"\(Self.escape(m.variant.name))\"><td><svg width=\"12\" height=\"12\"><rect "
                + "width=\"12\" height=\"12\" fill=\"\(colour)\"/></svg></td>"
            for axis in axes {
                let value = m.variant.axes.firstIndex(of: axis).map { m.variant.values[$0] } ?? ""
                html += "<td>\(Self.escape(AcceleratorVariant.display(axis: axis, value: value)))</td>"
            }
            for metric in metrics {
                html += "<td>" + (m.report.best[metric].map { "\($0.schedule.energy) / \($0.schedule.latency)" }
                                  ?? "—") + "</td>"
            }
            let cost = comparison.cost(m.problem)
            html += "<td>\(cost.onChipBits)</td>"
                + (area ? "<td>\(cost.area.map(VariantComparison.areaText) ?? "—")</td>" : "") + "</tr>\n"
        }
        return html + "</table>\n"
    }

    /// The chart and its legend text (the numbered front's list).
    func variantChart(_ comparison: VariantComparison, _ group: VariantComparison.Group,
                      axes: [String]) -> (svg: String, legend: String) {
        func tip(_ variant: String, cuts: [Int], tiles: [(x: Int, y: Int)], energy: Int, latency: Int,
                 bits: Int) -> String {
            let cutText = cuts.isEmpty ? "none" : cuts.map(String.init).joined(separator: ",")
            return "\(variant)\ncuts \(cutText); tiles \(tiles.map { "\($0.x)×\($0.y)" }.joined(separator: ", "))\n"
                + "energy \(ChartAxis.readable(Double(energy), .energy)) (\(energy) pJ), latency "
                + "\(ChartAxis.readable(Double(latency), .latency)) (\(latency) cycles), on-chip \(bits) bits"
        }
        // Variants often share points (a larger buffer that changes nothing): one dot per distinct
        // (latency, energy), in the series of the first variant there, its tooltip naming them all.
        var series = group.members.enumerated().map { i, m in
            XYChart.Series(id: "variant-\(i)", name: Self.label(m.variant, axes: axes),
                           colour: Self.variantColours[i % Self.variantColours.count], style: .dots, points: [])
        }
        var index: [[Int]: (series: Int, point: Int)] = [:]
        for (i, m) in group.members.enumerated() {
            for e in m.report.front {
                let text = tip(m.variant.name, cuts: m.report.cutLists[e.cutList],
                               tiles: e.schedule.choice.map { m.report.tiles[$0] }, energy: e.schedule.energy,
                               latency: e.schedule.latency, bits: comparison.cost(m.problem).onChipBits)
                if let known = index[[e.schedule.latency, e.schedule.energy]] {
                    series[known.series].points[known.point].tip += "\n\n" + text
                } else {
                    index[[e.schedule.latency, e.schedule.energy]] = (i, series[i].points.count)
                    series[i].points.append(.init(x: Double(e.schedule.latency), y: Double(e.schedule.energy),
                                                  tip: text))
                }
            }
        }
        // The front across the variants is on three or four axes, so it is no line in this plane:
        // its points are ringed and numbered.
        let front = comparison.front(group)
        series.append(XYChart.Series(id: "variant-front", name: "front across the variants", colour: "#222222",
                                     style: .rings, points: front.enumerated().map { n, p in
            .init(x: Double(p.latency), y: Double(p.energy),
                  tip: tip(p.variant, cuts: p.cuts, tiles: p.tiles, energy: p.energy, latency: p.latency,
                           bits: p.onChipBits), label: "\(n + 1)")
        }))
        let all = series.flatMap(\.points)
        let chart = XYChart(id: "variants", label: "energy against latency of every variant's front",
                            x: ChartAxis("latency", .latency, values: all.map(\.x)),
                            y: ChartAxis("energy", .energy, values: all.map(\.y)), series: series,
                            width: 1080, height: 420 + 16 * (series.count / 3))
        var legend = "Each dot is a schedule on a variant's own (energy, latency) Pareto front, coloured as in the "
            + "table (variants with the same point share its dot; its tooltip names them all). Ringed and numbered: "
            + "the points no variant beats on energy, latency, on-chip "
            + "capacity\(comparison.hasArea(group) ? " and area" : "") together:<ol>\n"
        for p in front {
            let cuts = p.cuts.isEmpty ? "none" : p.cuts.map(String.init).joined(separator: ",")
            let member = group.members.first { $0.variant.name == p.variant }
            let tiles = p.tiles.map { "\($0.x)×\($0.y)" }.joined(separator: ", ")
            legend += "<li>\(Self.escape(member.map { Self.label($0.variant, axes: axes) } ?? p.variant)): cuts "
                + "\(cuts), tiles \(tiles), energy \(p.energy) pJ, "
                + "latency \(p.latency) cycles, on-chip \(p.onChipBits) bits"
                + (p.area.map { ", area \(VariantComparison.areaText($0))" } ?? "") + "</li>\n"
        }
        return (chart.svg(), legend + "</ol>")
    }
}
