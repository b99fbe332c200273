/// What an accelerator costs to build, beside what it does: the third axis of a hardware sweep's
/// Pareto front (docs/formats.md, "Hardware axes"). Neither quantity enters any cost-model node:
/// an area edit recomputes nothing.
public struct HardwareCost: Sendable, Equatable {
    /// Σ capacity of the on-chip memories, every instance counted: each memory that is not the
    /// outermost level of one of its operands, times its instances.
    public var onChipBits: Int
    /// Σ area as the hardware file declares it: each memory's `area` times its instances plus
    /// the MAC array's `multiplier_area` times its units; nil when no memory declares an area
    /// above 0 (the shipped files give 0 everywhere: there is no area to compare then).
    public var area: Double?

    public init(_ core: Core, areas: DeclaredAreas) {
        let tops = Set(Set(core.memories.flatMap(\.operands)).compactMap { core.levels(of: $0).last })
        onChipBits = core.memories.indices.filter { !tops.contains($0) }
            .reduce(0) { $0 + core.memories[$1].size * core.instances(of: $1) }
        let memoryArea = core.memories.indices.reduce(0.0) { sum, m in
            sum + (areas.memories[core.memories[m].name] ?? 0) * Double(core.instances(of: m))
        }
        area = areas.memories.values.contains { $0 > 0 }
            ? memoryArea + areas.multiplier * Double(core.unitCount) : nil
    }
}

/// The areas a hardware file declares (`memories.<name>.area` per instance and
/// `operational_array.multiplier_area` per MAC unit; absent reads as 0). They are read beside the
/// core rather than into it, so that they stay out of every cost-model key.
public struct DeclaredAreas: Sendable, Equatable {
    public var memories: [String: Double] = [:]
    public var multiplier: Double = 0
}
