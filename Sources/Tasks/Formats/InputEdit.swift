/// One value of an input file replaced before the file is read: how a study's hardware and
/// mapping axes make their variants (docs/formats.md, "Hardware axes"). The edited file is then
/// read by the same reader as any file, so a value is checked exactly as if it had been written
/// there.
public struct InputEdit: Sendable, Hashable {
    /// Field names from the file's root: object keys; in a list, the item whose `name` is the
    /// component, or the item at that index (`["memories", "dram", "r_cost"]`,
    /// `["default", "spatial_mapping", "D1"]` in a mapping file).
    public var path: [String]
    /// The new value as JSON text (`350`, `[16, 16]`, `["K, 16"]`).
    public var json: String

    public init(path: [String], json: String) {
        self.path = path; self.json = json
    }

    /// The file's bytes with every edit applied. A path the file does not have is an error
    /// naming the file and the missing field; `origin` names where the edit came from.
    static func apply(_ edits: [InputEdit], to bytes: [UInt8], file: String, origin: String)
        throws(InputError) -> [UInt8] {
        guard !edits.isEmpty else { return bytes }
        let root = try InputFile.parse(bytes, file: file).node
        var replacements: [(range: Range<Int>, json: String)] = []
        for edit in edits {
            var node = root
            var walked = "$"
            for component in edit.path {
                guard let next = child(of: node, named: component) else {
                    throw InputError(file: file, line: node.line, path: walked,
                                     problem: "no field \"\(component)\" for \(origin)",
                                     fix: "name a field the file has: \(fields(of: node))")
                }
                node = next
                walked += "." + component
            }
            replacements.append((node.byteRange, edit.json))
        }
        var out = bytes
        for r in replacements.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            out.replaceSubrange(r.range, with: Array(r.json.utf8))
        }
        return out
    }

    static func child(of node: JSONNode, named component: String) -> JSONNode? {
        switch node.kind {
        case .object:
            return node.fields.first { $0.key == component }?.value
        case .array:
            let items = Array(node.children)
            let named = items.first { item in
                item.kind == .object
                    && item.fields.contains { $0.key == "name" && $0.value.value == .string(component) }
            }
            if let named {
                return named
            }
            return Int(component).flatMap { items.indices.contains($0) ? items[$0] : nil }
        default:
            return nil
        }
    }

    static func fields(of node: JSONNode) -> String {
        switch node.kind {
        case .object: node.fields.map(\.key).joined(separator: ", ")
        case .array: "an item's name or index"
        default: "none (this is a value)"
        }
    }
}
