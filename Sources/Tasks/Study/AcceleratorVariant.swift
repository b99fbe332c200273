/// One point of an accelerator's hardware axes (docs/formats.md, "Hardware axes"): the values it
/// replaces in the hardware and mapping files, and the name it is shown by everywhere.
public struct AcceleratorVariant: Sendable, Hashable {
    /// The hardware file's name with the axis values: `Meta_prototype_DF[sram_1MB_A.size=2MiB]`.
    public var name: String
    /// The hardware file's own name.
    public var base: String
    /// The axes as the study names them (`memories.sram_1MB_A.size`) and this variant's value of
    /// each, as JSON text, in the study's order.
    public var axes: [String]
    public var values: [String]

    var hardwareEdits: [InputEdit] { edits(mapping: false) }
    var mappingEdits: [InputEdit] { edits(mapping: true) }

    /// Axes whose first field is `mapping` address the mapping file; the others the hardware file.
    private func edits(mapping: Bool) -> [InputEdit] {
        zip(axes, values).compactMap { axis, value in
            let path = axis.split(separator: ".").map(String.init)
            guard (path.first == "mapping") == mapping else { return nil }
            return InputEdit(path: mapping ? Array(path.dropFirst()) : path, json: value)
        }
    }

    /// The variant's name: the base name and, per axis, a short label and the value. Memory
    /// sizes (bits in the file) read in bytes when they are whole KiB.
    static func name(base: String, axes: [String], values: [String]) -> String {
        let parts = zip(axes, values).map { axis, value in "\(shortAxis(axis))=\(display(axis: axis, value: value))" }
        return "\(base)[\(parts.joined(separator: ","))]"
    }

    /// An axis without its file section: `sram_1MB_A.size` for `memories.sram_1MB_A.size`.
    static func shortAxis(_ axis: String) -> String {
        for prefix in ["memories.", "operational_array.", "mapping."] where axis.hasPrefix(prefix) {
            return String(axis.dropFirst(prefix.count))
        }
        return axis
    }

    /// A value as names, tables and CSV columns show it: its JSON without spaces, or a memory
    /// size in KiB/MiB.
    static func display(axis: String, value: String) -> String {
        let compact = String(value.filter { !$0.isWhitespace })
        guard axis.hasSuffix(".size"), let bits = Int(compact), bits > 0, bits % 8192 == 0 else { return compact }
        let kib = bits / 8192
        return kib % 1024 == 0 ? "\(kib / 1024)MiB" : "\(kib)KiB"
    }
}

/// Reads an accelerator's `axes` and `combine` fields into its variants.
enum HardwareAxes {
    /// Every variant of the axes: the Cartesian product (the first axis outermost) or, with
    /// `"combine": "zip"`, the i-th value of every axis together.
    static func variants(_ entry: ObjectReader, base: String) throws(InputError) -> [AcceleratorVariant] {
        guard let axesNode = entry.optional("axes") else {
            if let combine = entry.optional("combine") {
                throw combine.fail("combine without axes", "add \"axes\": {\"memories.<name>.size\": [ … ]}")
            }
            return []
        }
        var axes: [String] = []
        var lists: [[String]] = []
        for (axis, valuesNode) in try axesNode.entries() {
            let path = axis.split(separator: ".", omittingEmptySubsequences: false)
            guard path.count >= 2, path.allSatisfy({ !$0.isEmpty }) else {
                throw valuesNode.fail("\"\(axis)\" is not a field path",
                                      "name the field as the file does, e.g. memories.sram_1MB_A.size, "
                                          + "operational_array.sizes or mapping.default.spatial_mapping.D1")
            }
            let items = try valuesNode.array()
            guard !items.isEmpty else { throw valuesNode.fail("the axis has no values", "list at least one value") }
            axes.append(axis)
            lists.append(items.map(\.jsonText))
        }
        guard !axes.isEmpty else { throw axesNode.fail("no axes", "give at least one axis, or remove \"axes\"") }
        let combine = try entry.optional("combine")?.string() ?? "product"
        var points: [[String]]
        switch combine {
        case "product":
            points = [[]]
            for list in lists { points = points.flatMap { point in list.map { point + [$0] } } }
        case "zip":
            guard Set(lists.map(\.count)).count == 1, let count = lists.first?.count else {
                let counts = zip(axes, lists).map { "\($0) has \($1.count)" }.joined(separator: ", ")
                throw (entry.optional("combine") ?? axesNode).fail("zipped axes of different lengths (\(counts))",
                                                                   "give every axis the same number of values")
            }
            points = (0..<count).map { i in lists.map { $0[i] } }
        default:
            throw (entry.optional("combine") ?? axesNode).fail("combine \"\(combine)\" is not product or zip",
                                                               "write \"product\" (every combination) or \"zip\"")
        }
        return points.map { AcceleratorVariant(name: AcceleratorVariant.name(base: base, axes: axes, values: $0),
                                               base: base, axes: axes, values: $0) }
    }
}
