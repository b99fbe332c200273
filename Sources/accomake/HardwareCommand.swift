import Foundation
import Tasks

/// `accomake hardware FILE [--mapping F] [--json]`: the accelerator as accomake reads it, whatever
/// the file's form (JSON, ZigZag YAML): the MAC array, every memory (size, instances, bandwidths,
/// granularities, energies, ports and their duties, served dimensions), each operand's chain of
/// memories innermost first, the on-chip capacity and the declared area; with `--mapping`, its
/// entries and their spatial unrolls, checked against the array.
enum HardwareCommand {
    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, help: .named("hardware"))
        guard let path = a.positionals.first, a.positionals.count == 1 else {
            throw UsageError("hardware: give one hardware file, e.g. accomake hardware "
                + "projects/hardware/meta_prototype_df.json")
        }
        let (core, areas) = try HardwareFormat.loadWithAreas(path)
        let cost = HardwareCost(core, areas: areas)
        let entries = try a.value("mapping").map { try MappingFormat.load($0) } ?? []
        for e in entries {
            for u in e.spatialMapping {
                guard let size = core.arraySize(u.arrayDim) else {
                    throw UsageError("hardware: \(a.value("mapping") ?? ""): entry \(e.name) unrolls \(u.loopDim) on "
                        + "\(u.arrayDim), which \(path) does not have; use one of "
                        + core.arrayDims.map(\.name).joined(separator: ", "))
                }
                guard u.unroll <= size else {
                    throw UsageError("hardware: \(a.value("mapping") ?? ""): entry \(e.name) unrolls \(u.loopDim) by "
                        + "\(u.unroll) on \(u.arrayDim), which has \(size) units; unroll by at most \(size)")
                }
            }
        }
        let operands = ["I1", "I2", "O"].filter { !core.levels(of: $0).isEmpty }
        func duties(_ p: Tasks.Port) -> [String] {
            p.duties.map { "\($0.memoryOperand), \(Self.direction($0.direction))" }
        }
        if a.flag("json") {
            let array = JSONText.object([("dimensions", .array(core.arrayDims.map { .string($0.name) })),
                                         ("sizes", .array(core.arrayDims.map { .int($0.size) })),
                                         ("units", .int(core.unitCount)),
                                         ("multiplier_energy", .number(core.macEnergy))])
            var memories: [JSONText] = []
            for (m, memory) in core.memories.enumerated() {
                let ports: [JSONText] = memory.ports.map { p in
                    .object([("name", .string(p.name)), ("type", .string(Self.kind(p.kind))),
                             ("allocation", .array(duties(p).map { .string($0) }))])
                }
                let fields: [(String, JSONText)] = [
                    ("name", .string(memory.name)), ("size_bits", .int(memory.size)),
                    ("instances", .int(core.instances(of: m))),
                    ("operands", .array(memory.operands.map { .string($0) })),
                    ("r_bw", .int(memory.readBandwidth)), ("w_bw", .int(memory.writeBandwidth)),
                    ("min_r_granularity", .int(memory.readGranularity)),
                    ("min_w_granularity", .int(memory.writeGranularity)),
                    ("r_cost", .number(memory.readCost)), ("w_cost", .number(memory.writeCost)),
                    ("latency", .int(memory.latency)),
                    ("served_dimensions", .array(memory.servedDims.map { .string($0) })), ("ports", .array(ports)),
                ]
                memories.append(.object(fields))
            }
            let chains: [(String, JSONText)] = operands.map { op in
                (op, .array(core.levels(of: op).map { .string(core.memories[$0].name) }))
            }
            let mapping: [JSONText] = entries.map { e in
                let unrolls: [(String, JSONText)] = e.spatialMapping.map {
                    ($0.arrayDim, .string("\($0.loopDim), \($0.unroll)"))
                }
                let links: [(String, JSONText)] = e.memoryOperandLinks.sorted { $0.key < $1.key }
                    .map { ($0.key, .string($0.value)) }
                return .object([("name", .string(e.name)), ("spatial_mapping", .object(unrolls)),
                                ("memory_operand_links", .object(links))])
            }
            print(JSONText.object([
                ("name", .string(core.name)), ("array", array), ("memories", .array(memories)),
                ("operands", .object(chains)), ("on_chip_bits", .int(cost.onChipBits)),
                ("area", cost.area.map(JSONText.number) ?? .null), ("mapping", .array(mapping)),
            ]).rendered())
            return 0
        }
        let dims = zip(core.arrayDims.map(\.name), core.arrayDims.map(\.size)).map { "\($0) \($1)" }
        print("\(core.name.isEmpty ? path : core.name): MAC array \(dims.joined(separator: " × ")) = "
            + "\(core.unitCount) units, \(core.macEnergy) pJ per MAC")
        print("  memory            size bits  instances  r_bw/w_bw  granularity r/w   r_cost/w_cost pJ  latency  "
            + "served")
        for (m, memory) in core.memories.enumerated() {
            print("  " + TextColumns.pad(memory.name, 16) + TextColumns.lpad(String(memory.size), 11)
                  + TextColumns.lpad(String(core.instances(of: m)), 11)
                  + TextColumns.lpad("\(memory.readBandwidth)/\(memory.writeBandwidth)", 11)
                  + TextColumns.lpad("\(memory.readGranularity)/\(memory.writeGranularity)", 17)
                  + TextColumns.lpad("\(memory.readCost)/\(memory.writeCost)", 18)
                  + TextColumns.lpad(String(memory.latency), 9) + "  " + memory.servedDims.joined(separator: ","))
            for p in memory.ports {
                print("      \(p.name) (\(Self.kind(p.kind))): \(duties(p).joined(separator: "; "))")
            }
        }
        for op in operands {
            print("  \(op), innermost first: " + core.levels(of: op).map { core.memories[$0].name }
                .joined(separator: " → "))
        }
        print("  on-chip capacity \(cost.onChipBits) bits (every instance)"
            + (cost.area.map { "; area \($0) (file's unit)" } ?? "; no memory declares an area"))
        for e in entries {
            let unrolls = e.spatialMapping.map { "\($0.arrayDim): \($0.loopDim) \($0.unroll)" }.joined(separator: ", ")
            let links = e.memoryOperandLinks.sorted { $0.key < $1.key }.map { "\($0.key)→\($0.value)" }
            print("  mapping \(e.name): \(unrolls); \(links.joined(separator: ", "))")
        }
        return 0
    }

    static func kind(_ k: Tasks.Port.Kind) -> String {
        switch k {
        case .read: "read"
        case .write: "write"
        case .readWrite: "read_write"
        }
    }

    /// ZigZag's short names for a port duty's direction.
    static func direction(_ d: Direction) -> String {
        switch d {
        case .wrInByHigh: "fh"
        case .rdOutToLow: "tl"
        case .wrInByLow: "fl"
        case .rdOutToHigh: "th"
        }
    }
}
