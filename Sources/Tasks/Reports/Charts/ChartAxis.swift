import Foundation

/// A chart axis: "nice" ticks (1, 2 or 5 × 10ⁿ apart, as a person would draw them) covering the
/// data, in a unit scaled to the data's size (pJ → nJ/µJ/mJ, cycles → k/M cycles, bits →
/// kbit/Mbit), with the axis title naming the unit. Deterministic: the same data, the same ticks.
struct ChartAxis: Sendable {
    /// What the axis measures, for the unit and the title.
    enum Quantity: Sendable {
        case energy, latency, bits, edp, count, plain(String)

        /// (factor, unit) pairs from the smallest; the largest whose factor the data reaches is used.
        var units: [(Double, String)] {
            switch self {
            case .energy: [(1, "pJ"), (1e3, "nJ"), (1e6, "µJ"), (1e9, "mJ"), (1e12, "J")]
            case .latency: [(1, "cycles"), (1e3, "k cycles"), (1e6, "M cycles"), (1e9, "G cycles")]
            case .bits: [(1, "bits"), (1e3, "kbit"), (1e6, "Mbit"), (1e9, "Gbit")]
            case .edp: [(1, "pJ·cycles"), (1e12, "µJ·M cycles"), (1e18, "mJ·G cycles")]
            case .count: [(1, ""), (1e3, "thousand"), (1e6, "million")]
            case .plain(let unit): [(1, unit)]
            }
        }
    }

    let title: String
    let low: Double
    let high: Double
    let ticks: [Double]
    /// The unit the tick labels are in, and the factor a value is divided by for them.
    let factor: Double
    let unit: String

    /// An axis from `values`; `fromZero` starts it at 0 (bars), otherwise it hugs the data
    /// (a scatter whose points sit far from 0).
    init(_ title: String, _ quantity: Quantity, values: [Double], fromZero: Bool = false, targetTicks: Int = 6) {
        var lo = values.min() ?? 0, hi = values.max() ?? 1
        if fromZero { lo = min(0, lo) }
        if hi <= lo { (lo, hi) = (lo - max(1, abs(lo) * 0.1), hi + max(1, abs(hi) * 0.1)) }
        if fromZero { lo = min(0, lo) }
        let step = Self.niceStep((hi - lo) / Double(max(2, targetTicks - 1)))
        let first = (lo / step).rounded(.down) * step, last = (hi / step).rounded(.up) * step
        var ticks: [Double] = []
        var t = first
        while t <= last + step * 1e-9, ticks.count < 50 {
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            t = first + Double(ticks.count) * step
        }
        self.ticks = ticks
        low = ticks.first ?? lo
        high = ticks.last ?? hi
        let magnitude = max(abs(low), abs(high))
        let chosen = quantity.units.last { magnitude >= $0.0 * 10 } ?? quantity.units[0]
        (factor, unit) = chosen
        self.title = unit.isEmpty ? title : "\(title) (\(unit))"
    }

    /// 1, 2 or 5 × 10ⁿ: the smallest such step at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let power = pow(10, (log10(raw)).rounded(.down))
        for m in [1.0, 2, 5, 10] where m * power >= raw * (1 - 1e-12) { return m * power }
        return 10 * power
    }

    /// Where `v` falls between the axis ends, 0…1.
    func fraction(_ v: Double) -> Double { high > low ? (v - low) / (high - low) : 0.5 }

    /// A tick's label in the axis unit: as few decimals as the step needs.
    func label(_ v: Double) -> String {
        let step = ticks.count > 1 ? (ticks[1] - ticks[0]) / factor : 1
        let decimals = max(0, min(6, -Int((log10(step)).rounded(.down))))
        return Self.grouped(v / factor, decimals: decimals)
    }

    /// A value with its unit, for tooltips: `3.07 mJ`, `13.9 M cycles`.
    static func readable(_ v: Double, _ quantity: Quantity) -> String {
        let chosen = quantity.units.last { abs(v) >= $0.0 } ?? quantity.units[0]
        let scaled = v / chosen.0
        let text = chosen.0 == 1 && scaled == scaled.rounded() ? grouped(scaled, decimals: 0)
            : String(format: "%.3g", scaled)
        return chosen.1.isEmpty ? text : "\(text) \(chosen.1)"
    }

    /// `1,234.5`: the whole part grouped as `ScheduleMoves.grouped` groups integers, locale-free.
    static func grouped(_ v: Double, decimals: Int) -> String {
        let text = String(format: "%.\(decimals)f", abs(v))
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let whole = Int(parts[0]).map(ScheduleMoves.grouped) ?? String(parts[0])
        let out = whole + (parts.count > 1 ? "." + parts[1] : "")
        return (v < 0 && out.contains(where: { $0 != "0" && $0 != "." && $0 != "," }) ? "-" : "") + out
    }
}
