import Foundation

/// One entry of a mapping file: the spatial mapping and memory-operand links used by the layers
/// it names (ZigZag's mapping YAML as JSON).
public struct MappingEntry: Sendable, Hashable {
    /// Matched against a layer's `name`, then its `operator_type`; "default" matches any layer.
    public var name: String
    public var spatialMapping: [Layer.SpatialUnroll]
    public var memoryOperandLinks: [String: String]
    public var line: Int
}

public enum MappingFormat {
    public static func load(_ path: String, edits: [InputEdit] = [], origin: String = "")
        throws(InputError) -> [MappingEntry] {
        try decode(InputFile.load(path, edits: edits, origin: origin))
    }

    static func decode(_ root: JSONReader) throws(InputError) -> [MappingEntry] {
        var entries: [MappingEntry] = []
        for item in try root.array() {
            let o = try item.object(allowed: ["name", "spatial_mapping", "memory_operand_links", "core_allocation",
                                              "temporal_ordering", "spatial_mapping_hint"])
            // ZigZag 3.9 fields for what accomake searches or fixes itself.
            if let fixed = o.optional("temporal_ordering") {
                throw fixed.fail("a fixed temporal ordering is not modelled: accomake searches the temporal "
                                     + "mapping of every layer itself", "remove temporal_ordering")
            }
            if o.optional("spatial_mapping") == nil, let hint = o.optional("spatial_mapping_hint") {
                throw hint.fail("a spatial mapping search (spatial_mapping_hint) is not modelled",
                                "give the entry a spatial_mapping, e.g. {\"D1\": [\"K, 32\"]}")
            }
            let name = try o.required("name",
                                      "name the entry after a layer name, an operator type, or \"default\"").string()
            if entries.contains(where: { $0.name == name }) {
                throw item.fail("two entries are named \"\(name)\"", "give each entry a distinct name")
            }
            if let cores = o.optional("core_allocation") {
                for c in try cores.array() where try c.int(what: "core id") != 1 {
                    throw c.fail("only core 1 exists", "use [1] or leave core_allocation out")
                }
            }
            var unrolls: [Layer.SpatialUnroll] = []
            let spatial = try o.required("spatial_mapping",
                                         "give per array dim its unrolled loop, e.g. {\"D1\": [\"K, 32\"]}")
            for (arrayDim, value) in try spatial.entries() {
                let items = try value.array()
                guard items.count == 1, let item = items.first else {
                    throw value.fail("\(items.count) loops on one array dimension (a mixed spatial unrolling) are not "
                                     + "modelled", "unroll exactly one loop per array dimension, e.g. [\"K, 32\"]")
                }
                let text = try item.string()
                let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, !parts[0].isEmpty, let u = Int(parts[1]) else {
                    throw item.fail("\"\(text)\" is not \"<loop dim>, <unroll>\"", "write e.g. \"K, 32\"")
                }
                guard u >= 1 else { throw item.fail("unroll \(u) is not positive", "unroll by at least 1") }
                unrolls.append(Layer.SpatialUnroll(arrayDim, parts[0].uppercased(), u))
            }
            var links: [String: String] = [:]
            let linksNode = try o.required("memory_operand_links",
                                           "link every layer operand to a memory operand, e.g. {\"O\": \"O\", "
                                               + "\"W\": \"I2\", \"I\": \"I1\"}")
            for (op, value) in try linksNode.entries() { links[op] = try value.string() }
            entries.append(MappingEntry(name: name, spatialMapping: unrolls, memoryOperandLinks: links,
                                        line: item.node.line))
        }
        return entries
    }
}
