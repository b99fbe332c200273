/// A compact JSON-like rendering of a `Value` for messages and logs (not for hashing).
public enum ValueText {
    public static func render(_ value: Value, limit: Int = 200) -> String {
        var out = ""
        write(value, into: &out, limit: limit)
        return out.count > limit ? String(out.prefix(limit)) + "…" : out
    }

    private static func write(_ value: Value, into out: inout String, limit: Int) {
        if out.count > limit { return }
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += String(d)
        case .string(let s): out += "\"" + s + "\""
        case .bytes(let b): out += "<\(b.count) bytes>"
        case .shared(let s): write(s.value, into: &out, limit: limit)
        case .array(let elements):
            out += "["
            for (i, e) in elements.enumerated() {
                if i > 0 { out += ", " }
                write(e, into: &out, limit: limit)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (i, key) in fields.keys.sorted().enumerated() {
                if i > 0 { out += ", " }
                out += key + ": "
                write(fields[key]!, into: &out, limit: limit)
            }
            out += "}"
        }
    }
}
