/// Small helpers to write SVG by hand, the one place numbers and text are formatted for it.
enum SVGText {
    /// A coordinate with one decimal, locale-free.
    static func n(_ x: Double) -> String {
        let r = (x * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A tooltip: browsers show an element's `<title>` on hover, no script needed.
    static func tip(_ text: String) -> String { "<title>\(escape(text))</title>" }

    /// The opening of a standalone chart: its own font rules, so that the `.svg` file beside the
    /// report looks as the chart in the page does.
    /// `axes` false marks a diagram without value axes (the trunk diagram), for the browser check.
    static func open(id: String, width: Int, height: Int, label: String, axes: Bool = true) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"\(escape(label))\" "
            + "data-chart=\"\(id)\"\(axes ? "" : " data-axes=\"none\"") width=\"\(width)\" height=\"\(height)\" "
            + "viewBox=\"0 0 \(width) \(height)\">\n"
            + "<style>text { font: 11px system-ui, -apple-system, 'Segoe UI', sans-serif; fill: #333; } "
            + ".tick { fill: #555; } .title { font-weight: 600; } .grid { stroke: #e4e4e4; } "
            + ".axis { stroke: #888; }</style>\n"
    }

    /// Series colours, the same series the same colour across the page (colour-blind-safe,
    /// Okabe–Ito).
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
    static let energy = "#0072B2", latency = "#E69F00", memory = "#009E73", front = "#D55E00", budget = "#C00000"
    static let schedules = "#7fa7cf"
    /// Palette colours light enough for dark text on them.
    static let light: Set<String> = ["#E69F00", "#56B4E9", "#F0E442", "#CC79A7"]
}
