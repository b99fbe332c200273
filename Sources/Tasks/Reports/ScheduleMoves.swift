import Foundation

/// How each best schedule of a study moved between two runs (`accomake run STUDY --watch`): per
/// accelerator × workload × mode × mapping objective and allocation objective, the energy and
/// latency before and after, with the relative change, and the cuts and tiles when they changed.
public struct ScheduleMoves {
    /// One best schedule, as compared across runs.
    struct Point: Equatable {
        var energy: Int
        var latency: Int
        var cuts: String
        var tiles: String
    }

    /// Per problem (its title), the best schedule per allocation objective, in the study's order.
    typealias Answers = [(problem: String, best: [(metric: String, point: Point)])]
    let before: Answers
    let after: Answers

    public init(from old: StudyView, to new: StudyView) {
        before = Self.points(old)
        after = Self.points(new)
    }

    static func points(_ view: StudyView) -> Answers {
        view.answers.map { p, report in
            (view.title(p), view.study.allocation.metrics.compactMap { metric in
                guard let e = report.best[metric], let s = ScheduleSummary(report, e) else { return nil }
                return (metric.rawValue, Point(energy: s.schedule.energy, latency: s.schedule.latency,
                                               cuts: StudyView.cuts(s), tiles: StudyView.tiles(s)))
            })
        }
    }

    /// The lines to print: under each problem whose answers moved, each best schedule that
    /// moved; problems that appeared or went; then how many best schedules did not move.
    public func text() -> [String] {
        let old = Dictionary(before.map { ($0.problem, $0.best) }, uniquingKeysWith: { a, _ in a })
        var lines: [String] = [], unchanged = 0
        for (problem, best) in after {
            guard let was = old[problem].map({ Dictionary($0, uniquingKeysWith: { a, _ in a }) }) else {
                lines.append("  \(problem): new")
                continue
            }
            var moved: [String] = []
            for (metric, now) in best {
                guard let then = was[metric] else {
                    moved.append("    best for \(metric): new — energy \(Self.grouped(now.energy)) pJ, latency "
                        + "\(Self.grouped(now.latency)) cycles")
                    continue
                }
                if then == now { unchanged += 1; continue }
                var line = "    best for \(metric): energy \(Self.move(then.energy, now.energy, "pJ")), "
                    + "latency \(Self.move(then.latency, now.latency, "cycles"))"
                if then.cuts != now.cuts { line += ", cuts \(then.cuts) → \(now.cuts)" }
                if then.tiles != now.tiles { line += ", tiles \(then.tiles) → \(now.tiles)" }
                moved.append(line)
            }
            if !moved.isEmpty { lines += ["  \(problem)"] + moved }
        }
        let current = Set(after.map(\.problem))
        for (problem, _) in before where !current.contains(problem) { lines.append("  \(problem): no longer answered") }
        if unchanged > 0 {
            lines.append("  \(unchanged) \(lines.isEmpty ? "" : "other ")best schedule\(unchanged == 1 ? "" : "s") "
                + "unchanged")
        }
        return lines
    }

    /// `388,622,292 → 371,004,112 pJ (−4.5 %)`; an unchanged value is written once.
    static func move(_ a: Int, _ b: Int, _ unit: String) -> String {
        if a == b { return "\(grouped(a)) \(unit) (unchanged)" }
        let change = String(format: "%.1f", abs(Double(b - a)) / Double(a.magnitude) * 100)
        let percent = a == 0 ? "" : " (\(b > a ? "+" : "−")\(change) %)"
        return "\(grouped(a)) → \(grouped(b)) \(unit)\(percent)"
    }

    /// An integer with thousands separators, the same on every machine (no locale).
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
}
