/// report.html's baselines of one answer: per baseline its cuts and tiles and its energy, latency
/// and EDP over ACCO's best (each costed and compared for that allocation objective), as a table
/// and a chart with the ratio 1 (ACCO) marked.
extension StudyReport {
    func baselines(_ a: Answer, id: String) -> (html: String, svg: String)? {
        let layers = a.layers.keys.sorted()
        guard !layers.isEmpty, let first = metrics.first else { return nil }
        let metricsShown = metrics.filter { a.report.best[$0] != nil }
        let perMetric = Dictionary(uniqueKeysWithValues: metricsShown.map { m in
            (m, Baseline.all(a.report, layers: layers, causal: a.causal, metric: m))
        })
        guard let shown = perMetric[first] else { return nil }
        var html = "<table><tr><th>baseline</th><th>definition</th><th>cuts</th><th>tiles</th>"
            + metricsShown.map { "<th>\(Self.metricName($0)) ÷ ACCO's</th>" }.joined() + "</tr>\n"
        var bars: [GlobalAllocation.Metric: [[BarChart.Segment]]] = [:]
        var rows: [String] = []
        for (i, b) in shown.enumerated() {
            let cuts = b.cuts.isEmpty ? "none" : b.cuts.map(String.init).joined(separator: ", ")
            let tiles = b.tiles.isEmpty ? "—" : b.tiles.map { "\(a.report.tiles[$0].x)×\(a.report.tiles[$0].y)" }
                .joined(separator: ", ")
            html += "<tr><td class=\"l\">\(b.kind.rawValue)</td><td class=\"l\">\(Self.escape(b.kind.definition))"
                + (b.missing.map { " <em>Not costed: \(Self.escape($0)).</em>" } ?? "")
                + (b.schedule != nil && !b.inSweep ? " <em>Outside the study's sweep.</em>" : "")
                + "</td><td class=\"l\">\(cuts)</td><td class=\"l\">\(tiles)</td>"
            rows.append(b.kind.rawValue)
            for m in metricsShown {
                let baseline = perMetric[m]?[i]
                let ratio = (a.report.best[m]?.schedule).flatMap { baseline?.ratio(to: $0, m) }
                html += "<td>\(ratio.map { ChartAxis.grouped($0, decimals: 2) + "×" } ?? "—")</td>"
                let tip = "\(b.kind.rawValue), chosen for \(m.rawValue)\n"
                    + (ratio.map { "\(ChartAxis.grouped($0, decimals: 3))× ACCO's best \(m.rawValue)" }
                        ?? (baseline?.missing ?? "not costed"))
                bars[m, default: []].append([.init(series: "baseline-\(m.rawValue)", value: ratio ?? 0,
                                                   colour: Self.metricColour(m), tip: tip)])
            }
            html += "</tr>\n"
        }
        html += "</table>\n"
        let panels = metricsShown.map { m in
            let values = (bars[m] ?? []).map { $0[0].value } + [1]
            return BarChart.Panel(axis: ChartAxis("\(Self.metricName(m)) ÷ ACCO's best", .plain(""), values: values,
                                                  fromZero: true),
                                  bars: bars[m] ?? [], marker: (1, "ACCO"))
        }
        let svg = BarChart(id: id, label: "baselines against ACCO's choice", rows: rows, panels: panels).svg()
        return (html, svg)
    }

    static func metricName(_ m: GlobalAllocation.Metric) -> String { m == .edp ? "EDP" : m.rawValue }

    static func metricColour(_ m: GlobalAllocation.Metric) -> String {
        switch m {
        case .energy: SVGText.energy
        case .latency: SVGText.latency
        case .edp: SVGText.palette[4]
        }
    }
}
