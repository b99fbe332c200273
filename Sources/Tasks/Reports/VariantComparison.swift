import Foundation

/// The variants of a hardware sweep side by side (docs/formats.md, "Hardware axes"): per
/// workload × caching mode × mapping objective, one row per variant with the axis values that
/// differ between the variants and its best schedule per allocation objective; then the Pareto
/// front over every variant's schedules on energy, latency and the hardware's cost (its on-chip
/// memory capacity, and its area when the hardware file declares areas), each point naming its
/// variant.
struct VariantComparison: Sendable {
    struct Group: Sendable {
        var workload: Int
        var mode: CachingMode
        var objective: Objective
        var members: [(variant: AcceleratorVariant, problem: StudyGraph.Problem, report: AllocationReport)]
    }

    let study: Study
    let groups: [Group]

    init(study: Study, answers: [(StudyGraph.Problem, AllocationReport)]) {
        self.study = study
        var groups: [Group] = []
        for (p, report) in answers {
            guard let variant = study.accelerators[p.accelerator].variant else { continue }
            if let i = groups.firstIndex(where: { $0.workload == p.workload && $0.mode == p.mode
                                                  && $0.objective == p.objective }) {
                groups[i].members.append((variant, p, report))
            } else {
                groups.append(Group(workload: p.workload, mode: p.mode, objective: p.objective,
                                    members: [(variant, p, report)]))
            }
        }
        self.groups = groups.filter { $0.members.count > 1 }
    }

    /// What the variant of a problem costs to build (read with the study).
    func cost(_ p: StudyGraph.Problem) -> HardwareCost {
        study.accelerators[p.accelerator].cost ?? HardwareCost(p.core, areas: DeclaredAreas())
    }

    /// Whether any variant of the group declares an area (then area is a column and an axis).
    func hasArea(_ group: Group) -> Bool { group.members.contains { cost($0.problem).area != nil } }

    /// One point of the cross-variant front.
    struct Point: Sendable {
        var variant: String
        var cuts: [Int]
        var tiles: [(x: Int, y: Int)]
        var latency: Int
        var energy: Int
        var onChipBits: Int
        var area: Double?
    }

    /// The points no other point beats on energy, latency, on-chip capacity and area together (one
    /// no worse on all and better on one; a variant without a declared area counts 0), from every
    /// variant's (energy, latency) front; by latency, then energy, capacity and area; equal points
    /// keep the earlier variant.
    func front(_ group: Group) -> [Point] {
        var points: [Point] = []
        for m in group.members {
            for e in m.report.front {
                points.append(Point(variant: m.variant.name, cuts: m.report.cutLists[e.cutList],
                                    tiles: e.schedule.choice.map { m.report.tiles[$0] },
                                    latency: e.schedule.latency, energy: e.schedule.energy,
                                    onChipBits: cost(m.problem).onChipBits, area: cost(m.problem).area))
            }
        }
        func key(_ p: Point) -> [Double] { [Double(p.latency), Double(p.energy), Double(p.onChipBits), p.area ?? 0] }
        let keys = points.map(key)
        let kept = points.indices.filter { i in
            !points.indices.contains { j in
                zip(keys[j], keys[i]).allSatisfy { $0 <= $1 } && (keys[j] != keys[i] || j < i)
            }
        }
        return kept.sorted { (keys[$0] + [Double($0)]).lexicographicallyPrecedes(keys[$1] + [Double($1)]) }
            .map { points[$0] }
    }

    /// The axes whose values differ inside the group, in the study's order.
    func differingAxes(_ group: Group) -> [String] {
        var axes: [String] = []
        for axis in group.members.flatMap(\.variant.axes) where !axes.contains(axis) { axes.append(axis) }
        return axes.filter { axis in
            Set(group.members.map { m in m.variant.axes.firstIndex(of: axis).map { m.variant.values[$0] } ?? "" })
                .count > 1
        }
    }

    func text() -> [String] {
        var out: [String] = []
        for group in groups {
            let axes = differingAxes(group)
            let metrics = study.allocation.metrics
            out.append("")
            out.append("Variants compared · \(study.workloads[group.workload].name) · \(group.mode) · "
                       + "mapping objective \(group.objective.rawValue): best schedule per allocation objective")
            let widths = axes.map { max($0.count, 8) + 2 }
            func unit(_ m: GlobalAllocation.Metric) -> String {
                switch m {
                case .latency: "latency: cycles"
                case .energy: "energy: pJ"
                case .edp: "edp: EDP"
                }
            }
            var header = "  "
            for (axis, w) in zip(axes, widths) { header += TextColumns.pad(axis, w) }
            for m in metrics { header += TextColumns.lpad(unit(m), 18) }
            let area = hasArea(group)
            out.append(header + TextColumns.lpad("on-chip bits", 14) + (area ? TextColumns.lpad("area", 14) : ""))
            for m in group.members {
                var line = "  "
                for (axis, w) in zip(axes, widths) {
                    let value = m.variant.axes.firstIndex(of: axis).map { m.variant.values[$0] } ?? ""
                    line += TextColumns.pad(AcceleratorVariant.display(axis: axis, value: value), w)
                }
                for metric in metrics {
                    let best = m.report.best[metric].map(\.schedule)
                    let value: String = switch metric {
                    case .latency: best.map { String($0.latency) } ?? "—"
                    case .energy: best.map { String($0.energy) } ?? "—"
                    case .edp: best.map { String(format: "%.3e", $0.edp) } ?? "—"
                    }
                    line += TextColumns.lpad(value, 18)
                }
                let cost = cost(m.problem)
                out.append(line + TextColumns.lpad(String(cost.onChipBits), 14)
                           + (area ? TextColumns.lpad(cost.area.map(Self.areaText) ?? "—", 14) : ""))
            }
            let points = front(group)
            out.append("  Pareto front across the variants (energy, latency, on-chip bits\(area ? ", area" : "")): "
                       + "\(points.count) point" + (points.count == 1 ? "" : "s"))
            for p in points {
                let cuts = p.cuts.isEmpty ? "none" : p.cuts.map(String.init).joined(separator: ",")
                let tiles = p.tiles.map { "\($0.x)x\($0.y)" }.joined(separator: ",")
                // Two lines per point, so that a long variant name keeps the table within 120 columns.
                out.append("    \(p.variant)")
                out.append("        cuts \(TextColumns.shorten(cuts, 16))  tiles \(TextColumns.shorten(tiles, 24))  "
                           + "energy \(p.energy) pJ  latency \(p.latency) cycles  on-chip \(p.onChipBits) bits"
                           + (p.area.map { "  area \(Self.areaText($0))" } ?? ""))
            }
        }
        return out
    }

    /// `run --json`'s `variants`: per group, each variant's best schedules and the front.
    func json() -> JSONText {
        .array(groups.map { group in
            let rows: [JSONText] = group.members.map { m in
                let best: [(String, JSONText)] = study.allocation.metrics.compactMap { metric in
                    m.report.best[metric].map {
                        (metric.rawValue, .object([("latency", .int($0.schedule.latency)),
                                                   ("energy", .int($0.schedule.energy)),
                                                   ("edp", .number($0.schedule.edp))]))
                    }
                }
                return .object([("hardware", .string(m.variant.name)),
                                 ("axes", .object(zip(m.variant.axes, m.variant.values).map { ($0, .verbatim($1)) })),
                                 ("on_chip_bits", .int(cost(m.problem).onChipBits)),
                                 ("area", cost(m.problem).area.map(JSONText.number) ?? .null), ("best", .object(best))])
            }
            let front: [JSONText] = front(group).map { p in
                .object([("hardware", .string(p.variant)), ("cuts", .array(p.cuts.map { .int($0) })),
                         ("tiles", .array(p.tiles.map { .array([.int($0.x), .int($0.y)]) })),
                         ("latency", .int(p.latency)), ("energy", .int(p.energy)),
                         ("on_chip_bits", .int(p.onChipBits)), ("area", p.area.map(JSONText.number) ?? .null)])
            }
            return .object([("workload", .string(study.workloads[group.workload].name)),
                            ("mode", .string(group.mode.description)),
                            ("mapping_objective", .string(group.objective.rawValue)),
                            ("differing_axes", .array(differingAxes(group).map { .string($0) })),
                            ("variants", .array(rows)), ("front", .array(front))])
        })
    }

    /// An area in the file's own unit, to six significant digits.
    static func areaText(_ a: Double) -> String { String(format: "%.6g", a) }
}
