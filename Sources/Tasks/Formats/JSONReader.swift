/// A position in a JSON document with the accessors the input formats need; every failure is an
/// `InputError` at this position.
struct JSONReader {
    let node: JSONNode
    let file: String
    /// The path of the list or object this value is in, and the step from there to the value;
    /// the path is spelled out only when a message needs it, so the items of a long list do not
    /// each carry a copy.
    private let parentPath: String
    private let step: Step

    enum Step {
        case none
        case index(Int)
        case key(String)
    }

    init(node: JSONNode, path: String, file: String) {
        self.init(node: node, parentPath: path, step: .none, file: file)
    }

    private init(node: JSONNode, parentPath: String, step: Step, file: String) {
        self.node = node; self.parentPath = parentPath; self.step = step; self.file = file
    }

    /// Where the value is, as messages show it: `$.memories.dram.r_cost`, `$[3].loop_sizes[1]`.
    var path: String {
        switch step {
        case .none: parentPath
        case .index(let i): "\(parentPath)[\(i)]"
        case .key(let k): parentPath + "." + k
        }
    }

    func child(_ node: JSONNode, key: String, path: String) -> JSONReader {
        JSONReader(node: node, parentPath: path, step: .key(key), file: file)
    }

    /// The value as the file writes it (an axis value of a study, copied into the file it edits).
    var jsonText: String { String(decoding: node.document.bytes[node.byteRange], as: UTF8.self) }

    func fail(_ problem: String, _ fix: String) -> InputError {
        InputError(file: file, line: node.line, path: path, problem: problem, fix: fix)
    }

    /// The object's fields; any key outside `allowed` is an error naming the closest allowed key.
    func object(allowed: [String]) throws(InputError) -> ObjectReader {
        let fields = try objectFields("write it as { \"field\": value, … }")
        for (key, value) in fields where !allowed.contains(key) {
            let hint = ObjectReader.closest(key, in: allowed).map { "did you mean \"\($0)\"? " } ?? ""
            throw InputError(file: file, line: value.line, path: path + "." + key, problem: "unknown field \"\(key)\"",
                             fix: "\(hint)known fields here: \(allowed.joined(separator: ", "))")
        }
        return ObjectReader(reader: self, fields: fields)
    }

    /// An object used as a map from names to values (e.g. `memories`), in file order.
    func entries() throws(InputError) -> [(key: String, value: JSONReader)] {
        let fields = try objectFields("write it as { \"name\": value, … }")
        let here = path
        return fields.map { ($0.key, child($0.value, key: $0.key, path: here)) }
    }

    private func objectFields(_ fix: String) throws(InputError) -> [(key: String, value: JSONNode)] {
        guard node.kind == .object else { throw fail("expected an object, found \(node.kind.name)", fix) }
        return node.fields
    }

    /// The items of a list, read one at a time (a list of a million numbers is not copied).
    func array() throws(InputError) -> JSONList {
        guard node.kind == .array else { throw fail("expected a list, found \(node.kind.name)", "write it as [ … ]") }
        return JSONList(list: self, children: node.children, path: path)
    }

    /// The reader of a list's item.
    fileprivate func item(_ node: JSONNode, at index: Int, path: String) -> JSONReader {
        JSONReader(node: node, parentPath: path, step: .index(index), file: file)
    }

    func string() throws(InputError) -> String {
        guard node.kind == .string else { throw fail("expected a string, found \(node.kind.name)", "quote it") }
        return node.stringValue
    }

    func bool() throws(InputError) -> Bool {
        guard case .bool(let b) = node.value else {
            throw fail("expected true or false, found \(node.kind.name)", "write true or false")
        }
        return b
    }

    func double() throws(InputError) -> Double {
        guard node.kind == .number else { throw fail("expected a number, found \(node.kind.name)", "write a number") }
        return node.numberValue.value
    }

    /// A whole number in `minimum...maximum` (the limits of docs/formats.md, "Limits": they keep
    /// every product the models form of user numbers inside 64 bits).
    func int(minimum: Int = Int.min, maximum: Int = 1 << 53, what: String = "value") throws(InputError) -> Int {
        guard node.kind == .number else {
            throw fail("expected a whole number, found \(node.kind.name)", "write the \(what) as a whole number")
        }
        let (d, text) = node.numberValue
        guard d == d.rounded(), abs(d) < 9.0e15 else {
            throw fail("\(text) is not a whole number", "write the \(what) as a whole number")
        }
        let v = Int(d)
        guard v >= minimum else {
            if minimum == 1 { throw fail("\(what) \(text) is not positive", "the \(what) must be at least 1") }
            if minimum == 0 { throw fail("\(what) \(text) is negative", "the \(what) must be zero or more") }
            throw fail("\(what) \(text) is below \(minimum)", "the \(what) must be at least \(minimum)")
        }
        guard v <= maximum else {
            throw fail("\(what) \(text) is larger than \(maximum)", "the \(what) may be at most \(maximum)")
        }
        return v
    }

    /// A number ≥ 0.
    /// An energy or cost in pJ: zero or more, at most 10⁹ (a billion pJ per access or MAC is
    /// far beyond any memory; larger values only overflow the sums).
    func nonNegative(what: String) throws(InputError) -> Double {
        let d = try double()
        guard d >= 0 else { throw fail("\(what) \(d) is negative", "energies and costs must be zero or positive") }
        guard d <= Self.maximumEnergy else {
            throw fail("\(what) \(d) is larger than 1e9 pJ", "give the energy in pJ, at most 1e9")
        }
        return d
    }

    static let maximumEnergy = 1e9

    func strings() throws(InputError) -> [String] {
        var out: [String] = []
        for item in try array() { out.append(try item.string()) }
        return out
    }
}

/// The items of a JSON list as readers, made as they are visited.
struct JSONList: Sequence {
    let list: JSONReader
    let children: JSONChildren
    /// The list's path, spelled out once for all its items.
    let path: String

    var count: Int { children.count }
    var isEmpty: Bool { children.count == 0 }
    var first: JSONReader? {
        var items = makeIterator()
        return items.next()
    }

    struct Iterator: IteratorProtocol {
        let list: JSONList
        var nodes: JSONChildren.Iterator
        var index = 0

        mutating func next() -> JSONReader? {
            guard let node = nodes.next() else { return nil }
            defer { index += 1 }
            return list.list.item(node, at: index, path: list.path)
        }
    }

    func makeIterator() -> Iterator { Iterator(list: self, nodes: children.makeIterator()) }
}

struct ObjectReader {
    let reader: JSONReader
    let fields: [(key: String, value: JSONNode)]
    /// The object's path, spelled out once for all its fields.
    let path: String

    init(reader: JSONReader, fields: [(key: String, value: JSONNode)]) {
        self.reader = reader; self.fields = fields; path = reader.path
    }

    func optional(_ key: String) -> JSONReader? {
        fields.first { $0.key == key }.map { reader.child($0.value, key: key, path: path) }
    }

    func required(_ key: String, _ fix: String) throws(InputError) -> JSONReader {
        guard let r = optional(key) else {
            throw InputError(file: reader.file, line: reader.node.line, path: path,
                             problem: "missing field \"\(key)\"", fix: fix)
        }
        return r
    }

    /// The allowed name with the smallest edit distance, if it is close.
    static func closest(_ key: String, in allowed: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var row = Array(0...b.count)
            for (i, ca) in a.enumerated() {
                var previous = row[0]
                row[0] = i + 1
                for (j, cb) in b.enumerated() {
                    let current = row[j + 1]
                    row[j + 1] = min(row[j + 1] + 1, row[j] + 1, previous + (ca == cb ? 0 : 1))
                    previous = current
                }
            }
            return row[b.count]
        }
        let k = Array(key.lowercased())
        let scored = allowed.map { ($0, distance(k, Array($0.lowercased()))) }.min { $0.1 < $1.1 }
        guard let best = scored, best.1 <= max(2, key.count / 3) else { return nil }
        return best.0
    }
}
