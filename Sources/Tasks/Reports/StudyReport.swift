import Foundation

/// `accomake report`: a study's answers as `results.json`-ready records, `schedules.csv` and a
/// self-contained `report.html` (inline SVG and CSS, no scripts, nothing fetched).
public struct StudyReport: Sendable {
    /// One allocation node's answer, with the names a reader needs.
    public struct Answer: Sendable {
        public var hardware: String
        public var workload: String
        public var mode: CachingMode
        public var objective: Objective
        public var report: AllocationReport
        /// The hardware variant the answer is for (`hardware` is then its name).
        public var variant: AcceleratorVariant?
        /// A streaming network (warm-up and stable rows), or an image CNN evaluated once.
        public var causal = true

        public init(hardware: String, workload: String, mode: CachingMode, objective: Objective,
                    report: AllocationReport, variant: AcceleratorVariant? = nil, causal: Bool = true) {
            self.hardware = hardware; self.workload = workload; self.mode = mode
            self.objective = objective; self.report = report; self.variant = variant; self.causal = causal
        }

        public var title: String { "\(hardware) · \(workload) · \(mode) · mapping objective \(objective.rawValue)" }
    }

    public var studyFile: String
    public var metrics: [GlobalAllocation.Metric]
    public var answers: [Answer]
    /// The hardware variants side by side, for a study with hardware axes (its own section).
    var comparison: VariantComparison?

    public init(studyFile: String, metrics: [GlobalAllocation.Metric], answers: [Answer]) {
        self.studyFile = studyFile; self.metrics = metrics; self.answers = answers
    }

    /// The hardware axes of the study's variants, in the order they first appear.
    public var axes: [String] {
        var out: [String] = []
        for axis in answers.flatMap({ $0.variant?.axes ?? [] }) where !out.contains(axis) { out.append(axis) }
        return out
    }

    /// One line per answer × cut list × metric: the cut list's best schedule and its rank among
    /// the cut lists on that metric (1 = best; ties ranked by cut-list order). A study with
    /// hardware axes adds, after `hardware` (then the file's own name), the variant's name and one
    /// column per axis with the variant's value.
    public func csv() -> String {
        let axes = self.axes
        let variantHeader: [String] = axes.isEmpty ? [] : ["variant"] + axes
        let header: [String] = ["hardware"] + variantHeader + ["workload", "mode", "mapping_objective", "metric",
                                                               "rank", "cuts", "tiles", "latency_cycles", "energy_pj",
                                                               "edp", "peak_bits", "on_chip"]
        var lines = [header.map(Self.csvField).joined(separator: ",")]
        for a in answers {
            var hardware = [a.variant?.base ?? a.hardware]
            if !axes.isEmpty {
                hardware.append(a.variant?.name ?? "")
                for axis in axes {
                    let value = a.variant.flatMap { v in v.axes.firstIndex(of: axis).map { v.values[$0] } }
                    hardware.append(value.map { AcceleratorVariant.display(axis: axis, value: $0) } ?? "")
                }
            }
            for metric in metrics {
                let ranked = a.report.perCutList.compactMap { $0[metric] }.enumerated()
                    .sorted { $0.element.schedule.precedes($1.element.schedule, by: metric)
                        || (!$1.element.schedule.precedes($0.element.schedule, by: metric) && $0.offset < $1.offset) }
                for (rank, e) in ranked.map(\.element).enumerated() {
                    let s = e.schedule
                    let cuts = a.report.cutLists[e.cutList].map(String.init).joined(separator: " ")
                    let tiles = s.choice.map { "\(a.report.tiles[$0].x)x\(a.report.tiles[$0].y)" }
                        .joined(separator: " ")
                    let fields: [String] = [a.workload, a.mode.description, a.objective.rawValue, metric.rawValue,
                                            String(rank + 1), cuts, tiles, String(s.latency), String(s.energy),
                                            Self.number(s.edp), String(s.peakBits), s.onChip ? "true" : "false"]
                    lines.append((hardware + fields).map(Self.csvField).joined(separator: ","))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. Text that
    /// a spreadsheet would run as a formula (a leading `=`, `+`, `-`, `@`, tab or carriage return,
    /// e.g. from a hardware name) gets a leading `'`; numbers stay as they are.
    static func csvField(_ s: String) -> String {
        var s = s
        if let first = s.first, "=+-@\t\r".contains(first), Double(s) == nil { s = "'" + s }
        return s.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"",
            with: "\"\"") + "\"" : s
    }

    /// A fixed, locale-free rendering of a double (integers without a fraction).
    static func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e18 ? String(Int64(x)) : String(x)
    }

    public func html() -> String {
        var body = ""
        body += "<h1>accomake report</h1>\n<p class=\"meta\">Study <code>\(Self.escape(studyFile))</code>. Energy in "
            + "pJ, latency in cycles, memory in bits.</p>\n"
        for (i, a) in answers.enumerated() {
            body += "<section id=\"answer-\(i)\">\n<h2>\(Self.escape(a.title))</h2>\n"
            let r = a.report
            body += "<p>\(a.causal ? "Streaming (causal) network" : "Image CNN (non-causal, whole input)"): "
                + "\(TextColumns.count(r.ranges.count, "range")) × \(TextColumns.count(r.tiles.count, "tile")), "
                + "\(TextColumns.count(r.cutLists.count, "cut list")), "
                + "\(r.table.rawValue) table, on-chip budget \(r.budgetBits) bits.</p>\n"
            body += bestTable(a)
            body += "<h3>Energy and latency of the schedules</h3>\n" + scatter(a)
            if let metric = metrics.first, let e = r.best[metric], let s = ScheduleSummary(r, e) {
                body += "<h3>Per layer, the \(metric.rawValue)-optimal schedule</h3>\n" + perLayer(s)
                body += "<h3>Memory footprint per trunk against the budget</h3>\n" + footprints(s, budget: r.budgetBits)
                if a.causal { body += "<h3>Warm-up and stable per frame</h3>\n" + warmupStable(s) }
            }
            body += "</section>\n"
        }
        body += comparison.map(variantSections) ?? ""
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>accomake report</title>
            <style>
            body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; max-width: 1100px; }
            table { border-collapse: collapse; margin: 0.5em 0 1em; }
            td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: right; }
            th { background: #f3f3f3; } td.l { text-align: left; } .meta { color: #666; }
            svg text { font: 11px system-ui, sans-serif; fill: #333; } .schedule { fill: #7aa6d8; fill-opacity: 0.6; }
            .front { fill: none; stroke: #d2452f; stroke-width: 1.5; } .frontpoint { fill: #d2452f; }
            .energy { fill: #4f86c6; } .latency { fill: #e09a3a; } .peak { fill: #6aa84f; }
            .budget { stroke: #c00; stroke-dasharray: 4 3; }
            .axis { stroke: #888; } .variantfront { fill: none; stroke: #222; stroke-width: 1.2; }
            .frontlabel { font-weight: bold; }
            </style></head><body>
            \(body)</body></html>

            """
    }

    func bestTable(_ a: Answer) -> String {
        var rows = "<table><tr><th>best for</th><th>cuts</th><th>tiles per "
            + "trunk</th><th>energy</th><th>latency</th><th>EDP</th><th>peak bits</th><th>on chip</th>"
            + (a.causal ? "<th>warm-up energy / latency</th><th>stable per frame energy / latency</th>" : "")
            + "</tr>\n"
        for metric in metrics {
            guard let e = a.report.best[metric], let s = ScheduleSummary(a.report, e) else { continue }
            let cuts = s.cuts.isEmpty ? "none" : s.cuts.map(String.init).joined(separator: ", ")
            let tiles = s.trunks.map { "\($0.tile.x)×\($0.tile.y)" }.joined(separator: ", ")
            var cells = ["<td class=\"l\">\(metric.rawValue)</td>", "<td class=\"l\">\(cuts)</td>",
                         "<td class=\"l\">\(tiles)</td>", "<td>\(s.schedule.energy)</td>",
                         "<td>\(s.schedule.latency)</td>", "<td>\(Self.sci(s.schedule.edp))</td>",
                         "<td>\(s.schedule.peakBits)</td>", "<td>\(s.schedule.onChip ? "yes" : "no")</td>"]
            if a.causal {
                cells += ["<td>\(s.warmupEnergy) / \(s.warmupLatency)</td>",
                          "<td>\(Self.sci(s.stableFrameEnergy)) / \(Self.sci(s.stableFrameLatency))</td>"]
            }
            rows += "<tr>" + cells.joined() + "</tr>\n"
        }
        return rows + "</table>\n"
    }

    /// The (latency, energy) of every cut list's optimal schedules, and the Pareto front over all
    /// schedules as a line.
    func scatter(_ a: Answer) -> String {
        var points: [(Double, Double)] = []
        var seen = Set<[Int]>()
        for per in a.report.perCutList {
            for e in per.values.sorted(by: { ($0.schedule.latency, $0.schedule.energy) < ($1.schedule.latency,
                $1.schedule.energy) })
            where seen.insert([e.schedule.latency, e.schedule.energy]).inserted {
                points.append((Double(e.schedule.latency), Double(e.schedule.energy)))
            }
        }
        let front = a.report.front.map { (Double($0.schedule.latency), Double($0.schedule.energy)) }
        let plot = Plot(xs: (points + front).map(\.0), ys: (points + front).map(\.1), width: 640, height: 360)
        var svg = plot.open(xLabel: "latency (cycles)", yLabel: "energy (pJ)", role: "scatter")
        for (x, y) in points { svg += "<circle class=\"schedule\" cx=\"\(plot.x(x))\" cy=\"\(plot.y(y))\" r=\"3\"/>\n" }
        svg += "<polyline class=\"front\" "
            + "points=\"" + front.map { "\(plot.x($0.0)),\(plot.y($0.1))" }.joined(separator: " ") + "\"/>\n"
        for (x, y) in front {
            svg += "<circle class=\"frontpoint\" cx=\"\(plot.x(x))\" cy=\"\(plot.y(y))\" r=\"2.5\"/>\n"
        }
        return svg + "</svg>\n<p class=\"meta\">Blue: each cut list's latency-, energy- and EDP-optimal schedules "
            + "(\(points.count) points). Red: the Pareto front over every schedule (\(front.count) points).</p>\n"
    }

    /// Horizontal bars of energy and latency per layer key of the chosen schedule (window totals).
    func perLayer(_ s: ScheduleSummary) -> String {
        let rows = s.trunks.flatMap { t in t.perKey.map { (key: "\(t.range.description) \($0.key)",
                                                           energy: Double($0.window.energy),
                                                           latency: Double($0.window.latency)) } }
        let maxE = max(1, rows.map(\.energy).max() ?? 1), maxL = max(1, rows.map(\.latency).max() ?? 1)
        let rowHeight = 16, labelWidth = 340, barWidth = 280
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" data-chart=\"per-layer\" "
            + "width=\"\(labelWidth + 2 * barWidth + 40)\" height=\"\(rowHeight * (rows.count + 1) + 10)\">\n"
        svg += "<text x=\"\(labelWidth)\" y=\"12\">energy (max \(Self.sci(maxE)) pJ)</text><text "
            + "x=\"\(labelWidth + barWidth + 20)\" y=\"12\">latency (max \(Self.sci(maxL)) cycles)</text>\n"
        for (i, r) in rows.enumerated() {
            let y = rowHeight * (i + 1)
            svg += "<text x=\"0\" y=\"\(y + 11)\">\(Self.escape(r.key))</text>"
            svg += "<rect class=\"energy\" x=\"\(labelWidth)\" y=\"\(y + 2)\" "
                + "width=\"\(Self.fmt(r.energy / maxE * Double(barWidth)))\" height=\"\(rowHeight - 4)\"/>"
            svg += "<rect class=\"latency\" x=\"\(labelWidth + barWidth + 20)\" y=\"\(y + 2)\" "
                + "width=\"\(Self.fmt(r.latency / maxL * Double(barWidth)))\" height=\"\(rowHeight - 4)\"/>\n"
        }
        return svg + "</svg>\n"
    }

    /// Each trunk's total peak footprint as a bar, the budget as a dashed line.
    func footprints(_ s: ScheduleSummary, budget: Int) -> String {
        let peaks = s.trunks.map { Double($0.footprint.total.featureBits) }
        let top = max(Double(budget), peaks.max() ?? 1, peaks.reduce(0, +)) * 1.05
        let width = 640, height = 40 * (s.trunks.count + 1) + 20, labelWidth = 160
        let scale = Double(width - labelWidth - 20) / max(top, 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" data-chart=\"footprint\" "
            + "width=\"\(width)\" height=\"\(height)\">\n"
        for (i, t) in s.trunks.enumerated() {
            let y = 40 * i + 10
            svg += "<text x=\"0\" y=\"\(y + 16)\">trunk \(Self.escape(t.range.description))</text>"
            svg += "<rect class=\"peak\" x=\"\(labelWidth)\" y=\"\(y)\" "
                + "width=\"\(Self.fmt(peaks[i] * scale))\" height=\"24\"/>"
            svg += "<text x=\"\(labelWidth + Int(peaks[i] * scale) + 4)\" "
                + "y=\"\(y + 16)\">\(t.footprint.total.featureBits)</text>\n"
        }
        let y = 40 * s.trunks.count + 10
        let sum = peaks.reduce(0, +)
        svg += "<text x=\"0\" y=\"\(y + 16)\">all trunks</text><rect class=\"peak\" x=\"\(labelWidth)\" y=\"\(y)\" "
            + "width=\"\(Self.fmt(sum * scale))\" height=\"24\"/>"
        svg += "<text x=\"\(labelWidth + Int(sum * scale) + 4)\" y=\"\(y + 16)\">\(Int(sum))</text>\n"
        let bx = Self.fmt(Double(labelWidth) + Double(budget) * scale)
        svg += "<line class=\"budget\" x1=\"\(bx)\" y1=\"0\" x2=\"\(bx)\" y2=\"\(height)\"/><text x=\"\(bx)\" "
            + "y=\"\(height - 4)\" text-anchor=\"end\">budget \(budget) </text>\n"
        return svg + "</svg>\n"
    }

    /// Warm-up row against the stable cost of one frame, energy and latency.
    func warmupStable(_ s: ScheduleSummary) -> String {
        let bars: [(String, Double, Double, String)] = [
            ("warm-up", Double(s.warmupEnergy), Double(s.warmupLatency), "warm-up row"),
            ("stable / frame", s.stableFrameEnergy, s.stableFrameLatency, "one steady-state frame"),
        ]
        let maxE = max(1, bars.map(\.1).max() ?? 1), maxL = max(1, bars.map(\.2).max() ?? 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" data-chart=\"warmup-stable\" "
            + "width=\"700\" height=\"90\">\n"
        for (i, b) in bars.enumerated() {
            let y = 30 * i + 10
            svg += "<text x=\"0\" y=\"\(y + 14)\">\(b.0)</text>"
            svg += "<rect class=\"energy\" x=\"110\" y=\"\(y)\" width=\"\(Self.fmt(b.1 / maxE * 250))\" "
                + "height=\"20\"/><text x=\"\(Self.fmt(114 + b.1 / maxE * 250))\" "
                + "y=\"\(y + 14)\">\(Self.sci(b.1)) pJ</text>"
            svg += "<rect class=\"latency\" x=\"420\" y=\"\(y)\" width=\"\(Self.fmt(b.2 / maxL * 180))\" "
                + "height=\"20\"/><text x=\"\(Self.fmt(424 + b.2 / maxL * 180))\" "
                + "y=\"\(y + 14)\">\(Self.sci(b.2)) cycles</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// Linear axes over the data's range.
    struct Plot {
        let minX: Double, maxX: Double, minY: Double, maxY: Double
        let width: Int, height: Int
        let margin = 60

        init(xs: [Double], ys: [Double], width: Int, height: Int) {
            func bounds(_ v: [Double]) -> (Double, Double) {
                let lo = v.min() ?? 0, hi = v.max() ?? 1
                let pad = hi > lo ? (hi - lo) * 0.05 : max(1, abs(hi) * 0.05)
                return (lo - pad, hi + pad)
            }
            (minX, maxX) = bounds(xs)
            (minY, maxY) = bounds(ys)
            self.width = width; self.height = height
        }

        func x(_ v: Double) -> String {
            StudyReport.fmt(Double(margin) + (v - minX) / (maxX - minX) * Double(width - margin - 10))
        }
        func y(_ v: Double) -> String {
            StudyReport.fmt(Double(height - margin) - (v - minY) / (maxY - minY) * Double(height - margin - 10))
        }

        func open(xLabel: String, yLabel: String, role: String) -> String {
            let bottom = height - margin
            return """
                <svg xmlns="http://www.w3.org/2000/svg" role="img" data-chart="\(role)" \
                width="\(width)" height="\(height)">
                <line class="axis" x1="\(margin)" y1="\(bottom)" x2="\(width - 10)" y2="\(bottom)"/>\
                <line class="axis" x1="\(margin)" y1="10" x2="\(margin)" y2="\(bottom)"/>
                <text x="\(margin)" y="\(bottom + 16)">\(StudyReport.sci(minX))</text>\
                <text x="\(width - 80)" y="\(bottom + 16)">\(StudyReport.sci(maxX))</text>
                <text x="\(width / 2 - 40)" y="\(bottom + 36)">\(xLabel)</text>
                <text x="2" y="\(bottom)">\(StudyReport.sci(minY))</text>\
                <text x="2" y="20">\(StudyReport.sci(maxY))</text>
                <text x="2" y="\(height / 2)">\(yLabel)</text>

                """
        }
    }

    static func fmt(_ x: Double) -> String { String(Double(Int((x * 10).rounded())) / 10) }

    /// Three significant digits in scientific notation, locale-free.
    static func sci(_ x: Double) -> String {
        guard x != 0, x.isFinite else { return "0" }
        let exponent = Int(floor(log10(abs(x))))
        let mantissa = (x / pow(10, Double(exponent)) * 100).rounded() / 100
        return "\(mantissa)e\(exponent)"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
