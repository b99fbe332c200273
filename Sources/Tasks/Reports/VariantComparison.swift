import Foundation

/// The variants of a hardware sweep side by side (docs/formats.md, "Hardware axes"): per
/// workload × caching mode × mapping objective, one row per variant with the axis values that
/// differ between the variants and its best schedule per allocation objective; then the Pareto
/// front over every variant's schedules on energy, latency and the hardware's cost (its on-chip
/// memory capacity), each point naming its variant.
struct VariantComparison {
    struct Group {
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

    /// Σ of the sizes (bits) of the on-chip memories: every memory that is not the outermost
    /// level of an operand.
    static func onChipBits(_ core: Core) -> Int {
        let tops = Set(Set(core.memories.flatMap(\.operands)).compactMap { core.levels(of: $0).last })
        return core.memories.indices.filter { !tops.contains($0) }.reduce(0) { $0 + core.memories[$1].size }
    }

    /// One point of the cross-variant front.
    struct Point {
        var variant: String
        var cuts: [Int]
        var tiles: [(x: Int, y: Int)]
        var latency: Int
        var energy: Int
        var onChipBits: Int
    }

    /// The points no other point beats on energy, latency and on-chip capacity together (one no
    /// worse on all three and better on one), from every variant's (energy, latency) front; by
    /// latency, then energy, then capacity; equal points keep the earlier variant.
    func front(_ group: Group) -> [Point] {
        var points: [Point] = []
        for m in group.members {
            for e in m.report.front {
                points.append(Point(variant: m.variant.name, cuts: m.report.cutLists[e.cutList],
                                    tiles: e.schedule.choice.map { m.report.tiles[$0] },
                                    latency: e.schedule.latency, energy: e.schedule.energy,
                                    onChipBits: Self.onChipBits(m.problem.core)))
            }
        }
        func key(_ p: Point) -> [Int] { [p.latency, p.energy, p.onChipBits] }
        let kept = points.enumerated().filter { i, p in
            !points.enumerated().contains { j, q in
                q.latency <= p.latency && q.energy <= p.energy && q.onChipBits <= p.onChipBits
                    && (key(q) != key(p) || j < i)
            }
        }
        return kept.sorted { (key($0.element) + [$0.offset]).lexicographicallyPrecedes(key($1.element) + [$1.offset]) }
            .map(\.element)
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
            out.append(header + TextColumns.lpad("on-chip bits", 14))
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
                out.append(line + TextColumns.lpad(String(Self.onChipBits(m.problem.core)), 14))
            }
            let points = front(group)
            out.append("  Pareto front across the variants (energy, latency, on-chip bits): \(points.count) point"
                       + (points.count == 1 ? "" : "s"))
            for p in points {
                let cuts = p.cuts.isEmpty ? "none" : p.cuts.map(String.init).joined(separator: ",")
                let tiles = p.tiles.map { "\($0.x)x\($0.y)" }.joined(separator: ",")
                out.append("    \(p.variant)  cuts \(cuts)  tiles \(tiles)  energy \(p.energy) pJ  "
                           + "latency \(p.latency) cycles  on-chip \(p.onChipBits) bits")
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
                                 ("on_chip_bits", .int(Self.onChipBits(m.problem.core))), ("best", .object(best))])
            }
            let front: [JSONText] = front(group).map { p in
                .object([("hardware", .string(p.variant)), ("cuts", .array(p.cuts.map { .int($0) })),
                         ("tiles", .array(p.tiles.map { .array([.int($0.x), .int($0.y)]) })),
                         ("latency", .int(p.latency)), ("energy", .int(p.energy)),
                         ("on_chip_bits", .int(p.onChipBits))])
            }
            return .object([("workload", .string(study.workloads[group.workload].name)),
                            ("mode", .string(group.mode.description)),
                            ("mapping_objective", .string(group.objective.rawValue)),
                            ("differing_axes", .array(differingAxes(group).map { .string($0) })),
                            ("variants", .array(rows)), ("front", .array(front))])
        })
    }
}
