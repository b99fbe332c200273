/// The names of a trunk's result keys (model.md §5.8), in one place: their text is the
/// reference's, the readings of Step 2 look them up, and reports show them.
enum ResultKey {
    /// A layer's own cost: its id.
    static func layer(_ id: Int) -> String { "\(id)" }
    /// The copies that bring an input node's data (the trunk input) to its consumers.
    static func inputCopies(_ inputNode: Int) -> String { "datamovement_b4_InputLayerNode_\(inputNode)" }
    /// The copies queued before a layer (its new input, cache reads).
    static func copiesBefore(_ layer: Int) -> String { "datamovement_b4_LayerNode_\(layer)" }

    /// What a key names, read back (for reports): a layer, the copies before one, or the trunk
    /// input's copies.
    enum Meaning: Equatable {
        case layer(Int), copiesBefore(Int), inputCopies(Int), other
    }

    static func meaning(_ key: String) -> Meaning {
        if let id = Int(key) { return .layer(id) }
        for (prefix, kind) in [(copiesBefore(0).dropLast(), Meaning.copiesBefore),
                               (inputCopies(0).dropLast(), Meaning.inputCopies)] where key.hasPrefix(prefix) {
            if let id = Int(key.dropFirst(prefix.count)) { return kind(id) }
        }
        return .other
    }
}

/// The names of energy-breakdown entries: the energy of an operand at a level in one direction,
/// `O@2.rd_out_to_high` (layer operands for layers, memory operands for copies).
enum BreakdownKey {
    static func at(_ operand: String, level: Int,
                   _ direction: Direction) -> String { "\(operand)@\(level).\(direction.rawValue)" }

    /// An entry's name read back (for the energy breakdown by memory).
    static func parse(_ name: String) -> (operand: String, level: Int, direction: Direction)? {
        guard let at = name.lastIndex(of: "@"), let dot = name[at...].firstIndex(of: "."),
              let level = Int(name[name.index(after: at)..<dot]),
              let direction = Direction(rawValue: String(name[name.index(after: dot)...])) else { return nil }
        return (String(name[..<at]), level, direction)
    }
}
