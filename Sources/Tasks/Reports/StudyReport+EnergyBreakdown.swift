extension StudyReport {
    /// One colour per kind of data, the same in every breakdown chart.
    static func colour(_ data: EnergyBreakdown.Data) -> String {
        switch data {
        case .mac: return "#999999"
        case .weights: return "#CC79A7"
        case .inputs: return "#56B4E9"
        case .outputs: return "#F0E442"
        }
    }

    /// The chosen schedule's energy by where it is spent: one bar per memory (and the MAC array),
    /// stacked by the data it moves, summed over the trunks. A streaming network shows its warm-up
    /// row and one steady-state frame; an image CNN the whole input.
    func energyBreakdown(_ s: ScheduleSummary, causal: Bool, id: String) -> String? {
        let onChip = s.schedule.onChip
        typealias Row = (title: String, energy: (ScheduleSummary.Trunk) -> [Double])
        let rowsShown: [Row] = causal
            ? [("warm-up row", { $0.energy.warmup.net(onChip: onChip) }),
               ("stable, per frame", { t in
                t.energy.stable.net(onChip: onChip).map { $0 / Double(max(1, t.clipped.y)) }
               })]
            : [("whole input", { $0.energy.window.net(onChip: onChip) })]
        // Memories in the order the trunks list them (bottom of the hierarchy first).
        var memories: [String] = []
        for t in s.trunks {
            for p in t.energy.places where !memories.contains(p.memory) { memories.append(p.memory) }
        }
        guard !memories.isEmpty else { return nil }
        let kinds = EnergyBreakdown.Data.allCases
        var panels: [BarChart.Panel] = []
        for shown in rowsShown {
            var sums: [String: [EnergyBreakdown.Data: Double]] = [:]
            for t in s.trunks {
                for (p, e) in zip(t.energy.places, shown.energy(t)) {
                    sums[p.memory, default: [:]][p.data, default: 0] += e
                }
            }
            let total = sums.values.flatMap(\.values).reduce(0, +)
            let bars = memories.map { memory in
                kinds.compactMap { kind -> BarChart.Segment? in
                    guard let e = sums[memory]?[kind], e > 0 else { return nil }
                    let percent = total > 0 ? e / total * 100 : 0
                    let share = percent < 0.5 ? "< 1" : "\(Int(percent.rounded()))"
                    return .init(series: kind.rawValue, value: e, colour: Self.colour(kind),
                                 tip: "\(shown.title)\n\(memory) · \(kind.rawValue)\n"
                                     + "\(ChartAxis.readable(e, .energy)) (\(Self.sci(e)) pJ), \(share) % of the row")
                }
            }
            let stacked = bars.map { $0.reduce(0) { $0 + $1.value } }
            panels.append(.init(axis: ChartAxis("energy, \(shown.title)", .energy, values: stacked, fromZero: true),
                                bars: bars))
        }
        let present = kinds.filter { kind in s.trunks.contains { $0.energy.places.contains { $0.data == kind } } }
        let chart = BarChart(id: id, label: "energy by memory and data", rows: memories, panels: panels,
                             legend: present.map { ($0.rawValue, Self.colour($0)) }, width: causal ? 1080 : 900)
        return chart.svg()
    }
}
