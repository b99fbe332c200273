/// A position in a JSON document with the accessors the input formats need; every failure is an
/// `InputError` at this position.
struct JSONReader {
    let node: JSONNode
    let path: String
    let file: String

    func fail(_ problem: String, _ fix: String) -> InputError {
        InputError(file: file, line: node.line, path: path, problem: problem, fix: fix)
    }

    /// The object's fields; any key outside `allowed` is an error naming the closest allowed key.
    func object(allowed: [String]) throws(InputError) -> ObjectReader {
        guard case .object(let fields) = node.value else {
            throw fail("expected an object, found \(node.value.kindName)", "write it as { \"field\": value, … }")
        }
        for (key, value) in fields where !allowed.contains(key) {
            let hint = ObjectReader.closest(key, in: allowed).map { "did you mean \"\($0)\"? " } ?? ""
            throw InputError(file: file, line: value.line, path: path + "." + key, problem: "unknown field \"\(key)\"",
                             fix: "\(hint)known fields here: \(allowed.joined(separator: ", "))")
        }
        return ObjectReader(reader: self, fields: fields)
    }

    /// An object used as a map from names to values (e.g. `memories`), in file order.
    func entries() throws(InputError) -> [(key: String, value: JSONReader)] {
        guard case .object(let fields) = node.value else {
            throw fail("expected an object, found \(node.value.kindName)", "write it as { \"name\": value, … }")
        }
        return fields.map { ($0.key, JSONReader(node: $0.value, path: path + "." + $0.key, file: file)) }
    }

    func array() throws(InputError) -> [JSONReader] {
        guard case .array(let items) = node.value else {
            throw fail("expected a list, found \(node.value.kindName)", "write it as [ … ]")
        }
        return items.enumerated().map { JSONReader(node: $0.element, path: "\(path)[\($0.offset)]", file: file) }
    }

    func string() throws(InputError) -> String {
        guard case .string(let s) = node.value else { throw fail("expected a string, found \(node.value.kindName)", "quote it") }
        return s
    }

    func bool() throws(InputError) -> Bool {
        guard case .bool(let b) = node.value else { throw fail("expected true or false, found \(node.value.kindName)", "write true or false") }
        return b
    }

    func double() throws(InputError) -> Double {
        guard case .number(let d, _) = node.value else { throw fail("expected a number, found \(node.value.kindName)", "write a number") }
        return d
    }

    /// A whole number in `minimum...maximum` (the limits of docs/formats.md, "Limits": they keep
    /// every product the models form of user numbers inside 64 bits).
    func int(minimum: Int = Int.min, maximum: Int = 1 << 53, what: String = "value") throws(InputError) -> Int {
        guard case .number(let d, let text) = node.value else {
            throw fail("expected a whole number, found \(node.value.kindName)", "write the \(what) as a whole number")
        }
        guard d == d.rounded(), abs(d) < 9.0e15 else { throw fail("\(text) is not a whole number", "write the \(what) as a whole number") }
        let v = Int(d)
        guard v >= minimum else {
            if minimum == 1 { throw fail("\(what) \(text) is not positive", "the \(what) must be at least 1") }
            if minimum == 0 { throw fail("\(what) \(text) is negative", "the \(what) must be zero or more") }
            throw fail("\(what) \(text) is below \(minimum)", "the \(what) must be at least \(minimum)")
        }
        guard v <= maximum else { throw fail("\(what) \(text) is larger than \(maximum)", "the \(what) may be at most \(maximum)") }
        return v
    }

    /// A number ≥ 0.
    /// An energy or cost in pJ: zero or more, at most 10⁹ (a billion pJ per access or MAC is
    /// far beyond any memory; larger values only overflow the sums).
    func nonNegative(what: String) throws(InputError) -> Double {
        let d = try double()
        guard d >= 0 else { throw fail("\(what) \(d) is negative", "energies and costs must be zero or positive") }
        guard d <= Self.maximumEnergy else { throw fail("\(what) \(d) is larger than 1e9 pJ", "give the energy in pJ, at most 1e9") }
        return d
    }

    static let maximumEnergy = 1e9

    func strings() throws(InputError) -> [String] {
        var out: [String] = []
        for item in try array() { out.append(try item.string()) }
        return out
    }
}

struct ObjectReader {
    let reader: JSONReader
    let fields: [(key: String, value: JSONNode)]

    func optional(_ key: String) -> JSONReader? {
        fields.first { $0.key == key }.map { JSONReader(node: $0.value, path: reader.path + "." + key, file: reader.file) }
    }

    func required(_ key: String, _ fix: String) throws(InputError) -> JSONReader {
        guard let r = optional(key) else {
            throw InputError(file: reader.file, line: reader.node.line, path: reader.path,
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
