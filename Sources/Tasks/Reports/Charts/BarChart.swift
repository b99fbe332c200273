/// Horizontal bars, one row per item (a layer, a trunk), in one or more panels side by side, each
/// with its own value axis (nice ticks, grid lines, the axis title above it). A bar may be
/// stacked from segments; every segment carries a tooltip; a panel may mark a value with a
/// dashed line (a budget).
struct BarChart {
    struct Segment {
        /// Written on its rectangle as `data-series`.
        var series: String
        var value: Double
        var colour: String
        var tip: String
    }

    struct Panel {
        var axis: ChartAxis
        /// Per row, the segments of its bar, stacked left to right.
        var bars: [[Segment]]
        var marker: (value: Double, label: String)?
    }

    var id: String
    var label: String
    var rows: [String]
    var panels: [Panel]
    /// (name, colour) entries drawn above the chart; none for a single series.
    var legend: [(String, String)] = []
    var width = 1080

    static let rowHeight = 18.0, bottom = 26.0, gap = 36.0

    /// Room above the bars: the legend, the panel titles, and a marker's label under them.
    var top: Double { panels.contains { $0.marker != nil } ? 58 : 44 }

    /// Wide enough for the longest row label (labels are kept to 64 characters, `label(_:)`); short
    /// labels of wide glyphs (`sram_1MB_W`) get a floor.
    var labelWidth: Double { min(420, max(96, Double(rows.map { min($0.count, 64) }.max() ?? 0) * 6.3 + 12)) }

    /// A row label of at most 64 characters: a longer one keeps its start and end.
    static func label(_ row: String) -> String {
        row.count > 64 ? row.prefix(40) + "…" + row.suffix(23) : row
    }
    var height: Int { Int(top + Double(rows.count) * Self.rowHeight + Self.bottom) }

    func svg() -> String {
        typealias S = SVGText
        var svg = S.open(id: id, width: width, height: height, label: label)
        let panelWidth = (Double(width) - labelWidth - Self.gap * Double(panels.count - 1) - 16)
            / Double(max(1, panels.count))
        let y0 = top, y1 = top + Double(rows.count) * Self.rowHeight
        for (i, row) in rows.enumerated() {
            let y = y0 + Double(i) * Self.rowHeight
            svg += "<text x=\"\(S.n(labelWidth - 8))\" y=\"\(S.n(y + 12.5))\" text-anchor=\"end\">"
                + "\(S.escape(Self.label(row)))</text>\n"
        }
        for (k, panel) in panels.enumerated() {
            let x0 = labelWidth + Double(k) * (panelWidth + Self.gap)
            let px = { (v: Double) in x0 + panel.axis.fraction(v) * panelWidth }
            for t in panel.axis.ticks {
                svg += "<line class=\"grid\" x1=\"\(S.n(px(t)))\" y1=\"\(S.n(y0))\" x2=\"\(S.n(px(t)))\" "
                    + "y2=\"\(S.n(y1))\"/><text class=\"tick\" data-axis=\"value-\(k)\" x=\"\(S.n(px(t)))\" "
                    + "y=\"\(S.n(y1 + 14))\" "
                    + "text-anchor=\"middle\">\(panel.axis.label(t))</text>\n"
            }
            let titleY = y0 - (panels.contains { $0.marker != nil } ? 22 : 8)
            svg += "<text class=\"title\" x=\"\(S.n(x0 + panelWidth / 2))\" y=\"\(S.n(titleY))\" "
                + "text-anchor=\"middle\">\(S.escape(panel.axis.title))</text>\n"
            for (i, segments) in panel.bars.enumerated() {
                var start = 0.0
                let y = y0 + Double(i) * Self.rowHeight + 3
                // A zero bar is drawn too (no width): one element per item, always.
                for s in segments where s.value >= 0 {
                    let (a, b) = (px(start), px(start + s.value))
                    svg += "<rect data-series=\"\(s.series)\" x=\"\(S.n(a))\" y=\"\(S.n(y))\" "
                        + "width=\"\(S.n(max(0, b - a)))\" "
                        + "height=\"\(S.n(Self.rowHeight - 6))\" fill=\"\(s.colour)\">\(S.tip(s.tip))</rect>\n"
                    start += s.value
                }
            }
            if let marker = panel.marker {
                let x = S.n(px(marker.value))
                svg += "<line data-marker=\"\(S.escape(marker.label))\" x1=\"\(x)\" y1=\"\(S.n(y0 - 4))\" "
                    + "x2=\"\(x)\" y2=\"\(S.n(y1))\" stroke=\"\(S.budget)\" "
                    + "stroke-dasharray=\"4 3\"/><text x=\"\(x)\" dx=\"3\" y=\"\(S.n(y0 - 6))\" "
                    + "fill=\"\(S.budget)\">\(S.escape(marker.label))</text>\n"
            }
            svg += "<line class=\"axis\" x1=\"\(S.n(x0))\" y1=\"\(S.n(y0))\" x2=\"\(S.n(x0))\" y2=\"\(S.n(y1))\"/>\n"
        }
        var lx = labelWidth
        for (name, colour) in legend {
            svg += "<rect x=\"\(S.n(lx))\" y=\"6\" width=\"10\" height=\"10\" fill=\"\(colour)\"/>"
                + "<text x=\"\(S.n(lx + 14))\" y=\"15\">\(S.escape(name))</text>\n"
            lx += 26 + Double(name.count) * 6.2
        }
        return svg + "</svg>\n"
    }
}
