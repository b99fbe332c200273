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

    func variantSections(_ comparison: VariantComparison) -> String {
        var out = ""
        for (g, group) in comparison.groups.enumerated() {
            let axes = comparison.differingAxes(group)
            out += "<section id=\"variants-\(g)\">\n<h2>Hardware variants compared · "
                + "\(Self.escape(comparison.study.workloads[group.workload].name)) · \(group.mode) · mapping "
                + "objective \(group.objective.rawValue)</h2>\n"
            out += variantTable(comparison, group, axes: axes)
            out += "<h3>Energy and latency of every variant's Pareto front</h3>\n"
            out += variantChart(comparison, group, axes: axes)
            out += "</section>\n"
        }
        return out
    }

    /// The variant's differing axis values, short: `sram_1MB_A.size=2MiB, dram.r_cost=350`.
    static func label(_ variant: AcceleratorVariant, axes: [String]) -> String {
        let parts = axes.compactMap { axis in
            variant.axes.firstIndex(of: axis).map { AcceleratorVariant.display(axis: axis, value: variant.values[$0]) }
                .map { "\(axis)=\($0)" }
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

    func variantChart(_ comparison: VariantComparison, _ group: VariantComparison.Group, axes: [String]) -> String {
        typealias Dot = (x: Double, y: Double, tip: String)
        func tip(_ variant: String, cuts: [Int], tiles: [(x: Int, y: Int)], energy: Int, latency: Int,
                 bits: Int) -> String {
            let cutText = cuts.isEmpty ? "none" : cuts.map(String.init).joined(separator: ",")
            return "\(variant)\ncuts \(cutText); tiles \(tiles.map { "\($0.x)×\($0.y)" }.joined(separator: ", "))\n"
                + "energy \(energy) pJ, latency \(latency) cycles, on-chip \(bits) bits"
        }
        // Variants often share points (a larger buffer that changes nothing): one dot per distinct
        // (latency, energy), in the colour of the first variant there, its tooltip naming them all.
        var dots: [Dot] = [], colours: [String] = [], index: [[Int]: Int] = [:]
        for (i, m) in group.members.enumerated() {
            for e in m.report.front {
                let text = tip(m.variant.name, cuts: m.report.cutLists[e.cutList],
                               tiles: e.schedule.choice.map { m.report.tiles[$0] }, energy: e.schedule.energy,
                               latency: e.schedule.latency, bits: comparison.cost(m.problem).onChipBits)
                if let known = index[[e.schedule.latency, e.schedule.energy]] {
                    dots[known].tip += "\n\n" + text
                } else {
                    index[[e.schedule.latency, e.schedule.energy]] = dots.count
                    dots.append((Double(e.schedule.latency), Double(e.schedule.energy), text))
                    colours.append(Self.variantColours[i % Self.variantColours.count])
                }
            }
        }
        let front = comparison.front(group)
        let plot = Plot(xs: dots.map(\.x), ys: dots.map(\.y), width: 720, height: 400)
        var svg = plot.open(xLabel: "latency (cycles)", yLabel: "energy (pJ)", role: "variants")
        for (d, colour) in zip(dots, colours) {
            svg += "<circle cx=\"\(plot.x(d.x))\" cy=\"\(plot.y(d.y))\" r=\"4\" fill=\"\(colour)\" "
                + "fill-opacity=\"0.85\"><title>\(Self.escape(d.tip))</title></circle>\n"
        }
        // The front across the variants is on three or four axes, so it is no line in this plane:
        // its points are ringed and numbered.
        for (n, p) in front.enumerated() {
            let (x, y) = (plot.x(Double(p.latency)), plot.y(Double(p.energy)))
            let text = Self.escape(tip(p.variant, cuts: p.cuts, tiles: p.tiles, energy: p.energy, latency: p.latency,
                                       bits: p.onChipBits))
            svg += "<circle class=\"variantfront\" cx=\"\(x)\" cy=\"\(y)\" r=\"7\"><title>\(text)</title></circle>"
                + "<text class=\"frontlabel\" x=\"\(x)\" dx=\"8\" y=\"\(y)\" dy=\"-6\">\(n + 1)</text>\n"
        }
        svg += "</svg>\n"
        var legend = "<p class=\"meta\">Each dot is a schedule on a variant's own (energy, latency) Pareto front, "
            + "coloured as in the table (variants with the same point share its dot; its tooltip names them all). "
            + "Ringed and numbered: the points no variant beats on energy, latency, on-chip "
            + "capacity\(comparison.hasArea(group) ? " and area" : "") together:</p>\n<ol>\n"
        for p in front {
            let cuts = p.cuts.isEmpty ? "none" : p.cuts.map(String.init).joined(separator: ",")
            let member = group.members.first { $0.variant.name == p.variant }
            let tiles = p.tiles.map { "\($0.x)×\($0.y)" }.joined(separator: ", ")
            legend += "<li>\(Self.escape(member.map { Self.label($0.variant, axes: axes) } ?? p.variant)): cuts "
                + "\(cuts), tiles \(tiles), energy \(p.energy) pJ, "
                + "latency \(p.latency) cycles, on-chip \(p.onChipBits) bits"
                + (p.area.map { ", area \(VariantComparison.areaText($0))" } ?? "") + "</li>\n"
        }
        return svg + legend + "</ol>\n"
    }
}
