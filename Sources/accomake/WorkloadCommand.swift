import Foundation
import Tasks

/// `accomake workload FILE [--json]`: the network as accomake reads it — per node its id, name,
/// type, loop sizes, strides and dilations (read from its dimension relations), precisions,
/// producers per operand and constant operands — so a user can check what a file (and, later, an
/// ONNX model) became before running anything on it.
enum WorkloadCommand {
    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, help: .named("workload"))
        guard let path = a.positionals.first, a.positionals.count == 1 else {
            throw UsageError("workload: give one workload file, e.g. accomake workload "
                + "projects/workloads/seldnet_oxoy_m.json")
        }
        let nodes = try WorkloadFormat.load(path, options: try a.workloadOptions())
        if a.flag("json") {
            print(JSONText.object([("file", .string(path)), ("nodes", .array(nodes.map { n in
                let (strides, dilations) = Self.stridesAndDilations(n.relations)
                return .object([
                    ("id", .int(n.id)), ("name", .string(n.name)), ("type", .string(n.operatorType)),
                    ("loop_sizes", .object(n.loopSizes.map { ($0.dim, .int($0.size)) })),
                    ("strides", .object(strides.map { ($0.0, .int($0.1)) })),
                    ("dilations", .object(dilations.map { ($0.0, .int($0.1)) })),
                    ("padding", .object(n.padding.sorted { $0.key > $1.key }.map { ($0.key, .array($0.value.map {
                        .int($0)
                    })) })),
                    ("precision", .object(n.precision.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
                    ("producers", .object(n.operandSource.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
                        .map { ($0.key, .array($0.value.map { .int($0) })) })),
                    ("constant_operands", .array(n.constantOperands.map { .string($0) })),
                ])
            }))]).rendered())
            return 0
        }
        let layers = nodes.filter { !$0.isInput }.count
        print("\(path): \(TextColumns.count(nodes.count, "node")), \(TextColumns.count(layers, "layer"))")
        // Columns as wide as their longest entry (at least the headers'); an ONNX node's long path
        // name keeps its tail, the part that names the layer.
        let loopsOf = { (n: WorkloadNode) in n.loopSizes.map { "\($0.dim)=\($0.size)" }.joined(separator: " ") }
        let idWidth = max(2, nodes.map { String($0.id).count }.max() ?? 2)
        let nameWidth = min(28, max(18, nodes.map(\.name.count).max() ?? 0))
        let loopsWidth = max(38, nodes.map { loopsOf($0).count }.max() ?? 0)
        print("  " + TextColumns.lpad("id", idWidth) + "  " + TextColumns.pad("name", nameWidth) + "  type        "
            + TextColumns.pad("loops", loopsWidth) + "  stride  dilation  producers")
        for n in nodes {
            let (strides, dilations) = Self.stridesAndDilations(n.relations)
            let producers = n.operandSource.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
                .map { "\($0.key)←\($0.value.map(String.init).joined(separator: ","))" }.joined(separator: " ")
            let name = n.name.count > nameWidth ? "…" + n.name.suffix(nameWidth - 1) : n.name
            print("  " + TextColumns.lpad(String(n.id), idWidth) + "  " + TextColumns.pad(name, nameWidth) + "  "
                  + TextColumns.pad(n.operatorType, 10) + "  " + TextColumns.pad(loopsOf(n), loopsWidth) + "  "
                  + TextColumns.pad(strides.map { "\($0.1)" }.joined(separator: "×"), 6) + "  "
                  + TextColumns.pad(dilations.map { "\($0.1)" }.joined(separator: "×"), 8) + "  " + producers)
        }
        return 0
    }

    /// From relations such as `ix=2*ox+1*fx`: the stride (the output dimension's coefficient) and
    /// the dilation (the filter dimension's) per input axis, in the relations' order.
    static func stridesAndDilations(_ relations: [String]) -> (strides: [(String, Int)], dilations: [(String, Int)]) {
        var strides: [(String, Int)] = [], dilations: [(String, Int)] = []
        for relation in relations {
            let sides = relation.replacingOccurrences(of: " ", with: "").split(separator: "=")
            guard sides.count == 2 else { continue }
            let axis = String(sides[0].dropFirst())  // ix → x
            for term in sides[1].split(separator: "+") {
                let parts = term.split(separator: "*")
                let (factor, dim) = parts.count == 2 ? (Int(parts[0]) ?? 1, parts[1]) : (1, parts[0])
                if dim.hasPrefix("o") { strides.append((axis, factor)) } else if dim.hasPrefix("f") {
                    dilations.append((axis, factor))
                }
            }
        }
        return (strides, dilations)
    }
}
