/// A grid of cells (rows × columns) coloured by how far each value is from its row's best: the
/// best cell light, twice the best or more the darkest. Cells show their value when they are wide
/// enough, and always carry a tooltip; a missing value is grey. Panels (energy, latency) stack.
struct HeatMap {
    struct Panel {
        var title: String
        var quantity: ChartAxis.Quantity
        /// `values[row][column]`.
        var values: [[Double?]]
    }

    var id: String
    var label: String
    var rows: [String]
    var columns: [String]
    var panels: [Panel]
    var width = 1080

    var labelWidth: Double { min(300, Double(rows.map(\.count).max() ?? 0) * 6.3 + 12) }
    var cellWidth: Double { (Double(width) - labelWidth - 10) / Double(max(1, columns.count)) }
    var panelHeight: Double { 40 + Double(rows.count) * 20 }

    /// From light (the row's best) to dark orange (twice the best or worse).
    static func colour(_ ratio: Double) -> String {
        let t = max(0, min(1, ratio - 1))
        let from = (0xEE, 0xF6, 0xEE), to = (0xD5, 0x5E, 0x00)
        let mix = { (a: Int, b: Int) in Int((Double(a) + (Double(b) - Double(a)) * t).rounded()) }
        let (r, g, b) = (mix(from.0, to.0), mix(from.1, to.1), mix(from.2, to.2))
        return "#" + [r, g, b].map { String($0, radix: 16, uppercase: true) }.map { $0.count == 1 ? "0" + $0 : $0 }
            .joined()
    }

    func svg() -> String {
        typealias S = SVGText
        let height = Int(Double(panels.count) * panelHeight + 8)
        var svg = S.open(id: id, width: width, height: height, label: label, axes: false)
        let showText = cellWidth >= 50
        for (k, panel) in panels.enumerated() {
            let top = Double(k) * panelHeight
            svg += "<text class=\"title\" x=\"\(S.n(labelWidth))\" y=\"\(S.n(top + 14))\">"
                + "\(S.escape(panel.title))</text>\n"
            // Column labels every k-th column when the cells are narrower than a label.
            let step = showText ? 1 : max(1, Int((52 / cellWidth).rounded(.up)))
            for (c, column) in columns.enumerated() where c % step == 0 {
                svg += "<text class=\"tick\" x=\"\(S.n(labelWidth + (Double(c) + 0.5) * cellWidth))\" "
                    + "y=\"\(S.n(top + 32))\" text-anchor=\"middle\">\(S.escape(column))</text>"
            }
            svg += "\n"
            for (r, row) in rows.enumerated() {
                let y = top + 38 + Double(r) * 20
                svg += "<text x=\"\(S.n(labelWidth - 8))\" y=\"\(S.n(y + 14))\" text-anchor=\"end\">"
                    + "\(S.escape(row))</text>"
                let values = panel.values[r]
                let best = values.compactMap { $0 }.min() ?? 1
                for (c, value) in values.enumerated() {
                    let x = labelWidth + Double(c) * cellWidth
                    let fill = value.map { Self.colour($0 / max(best, 1e-9)) } ?? "#dddddd"
                    let tip = "\(row), tile \(columns[c])\n" + (value.map {
                        let ratio = ChartAxis.grouped($0 / max(best, 1e-9), decimals: 2)
                        return "\(ChartAxis.readable($0, panel.quantity)) (\(ratio)× the row's best)"
                    } ?? "not evaluated")
                    svg += "<rect data-series=\"cell\" x=\"\(S.n(x + 0.5))\" y=\"\(S.n(y))\" "
                        + "width=\"\(S.n(cellWidth - 1))\" height=\"19\" fill=\"\(fill)\">\(S.tip(tip))</rect>"
                    if showText, let value {
                        let ink = value / max(best, 1e-9) > 1.6 ? "#fff" : "#222"
                        svg += "<text x=\"\(S.n(x + cellWidth / 2))\" y=\"\(S.n(y + 13.5))\" text-anchor=\"middle\" "
                            + "style=\"font-size: 10px; fill: \(ink)\">"
                            + "\(ChartAxis.readable(value, panel.quantity))</text>"
                    }
                }
                svg += "\n"
            }
        }
        return svg + "</svg>\n"
    }
}
