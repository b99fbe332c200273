/// Points on two linear axes with nice ticks, grid lines, axis titles and a legend; every point
/// carries a tooltip, and a series may be drawn as a line (a Pareto front) with numbered points.
struct XYChart {
    struct Point {
        var x: Double
        var y: Double
        var tip: String
        /// A short label drawn beside the point (a Pareto point's number).
        var label: String?
    }

    enum Style { case dots, frontLine, rings }

    struct Series {
        /// Written on each of its points as `data-series`, for tests and style sheets.
        var id: String
        var name: String
        var colour: String
        var style: Style
        var points: [Point]
    }

    var id: String
    var label: String
    var x: ChartAxis
    var y: ChartAxis
    var series: [Series]
    var width = 720
    var height = 420

    static let left = 78.0, right = 20.0, bottom = 52.0

    /// The legend's entries placed left to right, wrapping onto new rows: (series, x, row).
    var legend: [(series: Series, x: Double, row: Int)] {
        var out: [(Series, Double, Int)] = []
        var (lx, row) = (Self.left, 0)
        for s in series {
            let w = 24 + Double(s.name.count) * 6.2
            if lx + w > Double(width) - Self.right, lx > Self.left { (lx, row) = (Self.left, row + 1) }
            out.append((s, lx, row))
            lx += w
        }
        return out
    }

    /// Room for the legend above the plot.
    var top: Double { 20 + Double((legend.map(\.row).max() ?? 0) + 1) * 16 }

    func px(_ v: Double) -> Double { Self.left + x.fraction(v) * (Double(width) - Self.left - Self.right) }
    func py(_ v: Double) -> Double {
        Double(height) - Self.bottom - y.fraction(v) * (Double(height) - top - Self.bottom)
    }

    func svg() -> String {
        typealias S = SVGText
        var svg = S.open(id: id, width: width, height: height, label: label)
        let (x0, x1) = (Self.left, Double(width) - Self.right)
        let (y0, y1) = (Double(height) - Self.bottom, top)
        for t in x.ticks {
            let p = S.n(px(t))
            svg += "<line class=\"grid\" x1=\"\(p)\" y1=\"\(S.n(y1))\" x2=\"\(p)\" y2=\"\(S.n(y0))\"/>"
                + "<text class=\"tick\" data-axis=\"x\" x=\"\(p)\" y=\"\(S.n(y0 + 15))\" "
                + "text-anchor=\"middle\">\(x.label(t))</text>\n"
        }
        for t in y.ticks {
            let p = S.n(py(t))
            svg += "<line class=\"grid\" x1=\"\(S.n(x0))\" y1=\"\(p)\" x2=\"\(S.n(x1))\" y2=\"\(p)\"/>"
                + "<text class=\"tick\" data-axis=\"y\" x=\"\(S.n(x0 - 6))\" y=\"\(p)\" dy=\"4\" "
                + "text-anchor=\"end\">\(y.label(t))</text>\n"
        }
        svg += "<line class=\"axis\" x1=\"\(S.n(x0))\" y1=\"\(S.n(y0))\" x2=\"\(S.n(x1))\" y2=\"\(S.n(y0))\"/>"
            + "<line class=\"axis\" x1=\"\(S.n(x0))\" y1=\"\(S.n(y0))\" x2=\"\(S.n(x0))\" y2=\"\(S.n(y1))\"/>\n"
        svg += "<text class=\"title\" x=\"\(S.n((x0 + x1) / 2))\" y=\"\(height - 12)\" text-anchor=\"middle\">"
            + "\(S.escape(x.title))</text>"
        svg += "<text class=\"title\" transform=\"translate(16,\(S.n((y0 + y1) / 2))) rotate(-90)\" "
            + "text-anchor=\"middle\">\(S.escape(y.title))</text>\n"
        for s in series {
            if s.style == .frontLine, s.points.count > 1 {
                let path = s.points.sorted { $0.x < $1.x }.map { "\(S.n(px($0.x))),\(S.n(py($0.y)))" }
                svg += "<polyline fill=\"none\" stroke=\"\(s.colour)\" stroke-width=\"1.5\" "
                    + "points=\"\(path.joined(separator: " "))\"/>\n"
            }
            for p in s.points {
                let (cx, cy) = (S.n(px(p.x)), S.n(py(p.y)))
                svg += "<circle data-series=\"\(s.id)\" "
                switch s.style {
                case .dots:
                    svg += "cx=\"\(cx)\" cy=\"\(cy)\" r=\"3.5\" fill=\"\(s.colour)\" fill-opacity=\"0.7\">"
                case .frontLine:
                    svg += "cx=\"\(cx)\" cy=\"\(cy)\" r=\"4\" fill=\"\(s.colour)\">"
                case .rings:
                    svg += "cx=\"\(cx)\" cy=\"\(cy)\" r=\"7\" fill=\"none\" stroke=\"\(s.colour)\" "
                        + "stroke-width=\"1.4\">"
                }
                svg += S.tip(p.tip) + "</circle>"
                if let label = p.label {
                    svg += "<text x=\"\(cx)\" dx=\"7\" y=\"\(cy)\" dy=\"-6\" class=\"title\">\(S.escape(label))</text>"
                }
                svg += "\n"
            }
        }
        // The legend, one entry per series, along the top (wrapping).
        for (s, lx, row) in legend {
            let cy = 14 + Double(row) * 16
            let marker = s.style == .rings
                ? "<circle cx=\"\(S.n(lx + 5))\" cy=\"\(S.n(cy))\" r=\"5\" fill=\"none\" stroke=\"\(s.colour)\"/>"
                : "<circle cx=\"\(S.n(lx + 5))\" cy=\"\(S.n(cy))\" r=\"4\" fill=\"\(s.colour)\"/>"
            svg += marker + "<text x=\"\(S.n(lx + 14))\" y=\"\(S.n(cy + 4))\">\(S.escape(s.name))</text>\n"
        }
        return svg + "</svg>\n"
    }
}
