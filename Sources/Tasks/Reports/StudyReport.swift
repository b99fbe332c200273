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
        /// The workload's layers by id, as "name (type)", for chart labels.
        public var layers: [Int: String] = [:]
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

    /// report.html: self-contained (inline SVG and CSS, nothing fetched, no script), 1280 pixels
    /// wide at most, printable.
    public func html() -> String { rendered().html }

    /// Every chart of the page as a standalone SVG file (for papers), named by its section.
    public func charts() -> [(file: String, svg: String)] { rendered().charts }

    public func rendered() -> (html: String, charts: [(file: String, svg: String)]) {
        var body = ""
        var charts: [(file: String, svg: String)] = []
        /// A chart in the page, with its file beside the page and a caption.
        func figure(_ name: String, _ svg: String, caption: String) -> String {
            charts.append(("\(name).svg", svg))
            return "<figure>\n\(svg)<figcaption>\(caption) <a class=\"file\">\(name).svg</a></figcaption></figure>\n"
        }
        body += "<h1>accomake report</h1>\n<p class=\"meta\">Study <code>\(Self.escape(studyFile))</code>. Hover a "
            + "point or a bar for its numbers; every chart is also a file beside this page.</p>\n"
        if let chart = comparisonChart(id: "comparison"), let metric = metrics.first {
            body += "<section id=\"comparison\">\n<h2>The answers compared</h2>\n"
                + figure("comparison", chart, caption: "Per accelerator × workload × caching mode × mapping "
                             + "objective, the \(metric.rawValue)-optimal schedule's energy and latency.")
                + "</section>\n"
        }
        for (i, a) in answers.enumerated() {
            body += "<section id=\"answer-\(i)\">\n<h2>\(Self.escape(a.title))</h2>\n"
            let r = a.report
            body += "<p>\(a.causal ? "Streaming (causal) network" : "Image CNN (non-causal, whole input)"): "
                + "\(TextColumns.count(r.ranges.count, "range")) × \(TextColumns.count(r.tiles.count, "tile")), "
                + "\(TextColumns.count(r.cutLists.count, "cut list")), "
                + "\(r.table.rawValue) table, on-chip budget \(r.budgetBits) bits.</p>\n"
            body += bestTable(a)
            body += "<h3>Energy and latency of the schedules</h3>\n"
                + figure("answer-\(i)-schedules", scatter(a, id: "scatter"),
                         caption: "Dots: each cut list's latency-, energy- and EDP-optimal schedules. Line: the "
                             + "Pareto front over every schedule, its points numbered from the fastest.")
            if let (table, chart) = baselines(a, id: "baselines") {
                body += "<h3>Against the schedules one would otherwise use</h3>\n" + table
                    + figure("answer-\(i)-baselines", chart,
                             caption: "Each baseline's energy, latency and EDP over ACCO's best (1, dashed), each "
                                 + "chosen and compared for that objective (docs/model.md §6.7).")
            }
            if let metric = metrics.first, let e = r.best[metric], let s = ScheduleSummary(r, e) {
                if let diagram = trunkDiagram(s, layers: a.layers, id: "trunks") {
                    body += "<h3>Trunks of the \(metric.rawValue)-optimal schedule</h3>\n"
                        + figure("answer-\(i)-trunks", diagram,
                                 caption: "Each layer in network order, coloured by the trunk it is fused into.")
                }
                if let map = tileMap(r, s, id: "tiles") {
                    body += "<h3>Tile sizes, the \(metric.rawValue)-optimal cut list</h3>\n"
                        + figure("answer-\(i)-tiles", map,
                                 caption: "Each trunk's own cost at every tile of the sweep, and the whole "
                                     + "network's with one tile in every trunk; hover a cell for its numbers.")
                }
                body += "<h3>Per layer, the \(metric.rawValue)-optimal schedule</h3>\n"
                    + figure("answer-\(i)-per-layer", perLayer(s, layers: a.layers, id: "per-layer"),
                             caption: "Window totals per layer and per data copy, trunk by trunk.")
                if let chart = energyBreakdown(s, causal: a.causal, id: "energy-breakdown") {
                    body += "<h3>Where the energy goes, the \(metric.rawValue)-optimal schedule</h3>\n"
                        + figure("answer-\(i)-energy-breakdown", chart,
                                 caption: "Energy per memory level by the data it reads and writes (weights, "
                                     + "input and output activations; copies between layers and caches count "
                                     + "on the side they move), and the MAC array; summed over the trunks"
                                     + (s.schedule.onChip ? ", without the DRAM round-trips between trunks, "
                                        + "which fit on chip together." : "."))
                }
                body += "<h3>Memory footprint per trunk against the budget</h3>\n"
                    + figure("answer-\(i)-footprint", footprints(s, budget: r.budgetBits, id: "footprint"),
                             caption: "Peak on-chip feature memory of each trunk; the dashed line is the budget.")
                if a.causal {
                    body += "<h3>Warm-up and stable per frame</h3>\n"
                        + figure("answer-\(i)-warmup-stable", warmupStable(s, id: "warmup-stable"),
                                 caption: "The first tile row (warm-up) against one steady-state frame.")
                }
            }
            body += "</section>\n"
        }
        if let comparison {
            let (sections, variantCharts) = variantSections(comparison)
            body += sections
            charts += variantCharts
        }
        let page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>accomake report</title>
            <style>
            body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em auto; padding: 0 1em; color: #222;
                   max-width: 1120px; }
            table { border-collapse: collapse; margin: 0.5em 0 1em; }
            td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: right; }
            th { background: #f3f3f3; } td.l { text-align: left; } .meta { color: #666; }
            figure { margin: 0.5em 0 1.5em; } figcaption { color: #555; font-size: 13px; }
            figcaption .file { color: #999; margin-left: 0.5em; } svg { max-width: 100%; height: auto; }
            @media print { body { margin: 0; max-width: none; } section, figure { break-inside: avoid; }
                           figcaption .file { display: none; } }
            </style></head><body>
            \(body)</body></html>

            """
        return (page, charts)
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

    static func escape(_ s: String) -> String { SVGText.escape(s) }
}
