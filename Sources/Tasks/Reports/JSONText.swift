/// A JSON value written with keys in the order given, so outputs are byte-stable.
public indirect enum JSONText {
    case number(Double)
    case integer(Int64)
    case string(String)
    case bool(Bool)
    case null
    case array([JSONText])
    case object([(String, JSONText)])
    /// JSON text copied as it is (a value read from an input file, e.g. a hardware axis value).
    case verbatim(String)

    public static func int(_ v: Int) -> JSONText { .integer(Int64(v)) }

    public func rendered(indent: Int = 0, pretty: Bool = true) -> String {
        let pad = pretty ? String(repeating: "  ", count: indent + 1) : ""
        let close = pretty ? String(repeating: "  ", count: indent) : ""
        let newline = pretty ? "\n" : ""
        switch self {
        case .number(let d):
            if d.isNaN || d.isInfinite { return "null" }
            if d == d.rounded() && abs(d) < 1e15 { return String(Int64(d)) }
            return String(d)
        case .integer(let i): return String(i)
        case .string(let s): return Self.quote(s)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .verbatim(let text): return text
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[" + newline + items.map { pad + $0.rendered(indent: indent + 1, pretty: pretty) }
                .joined(separator: "," + newline) + newline + close + "]"
        case .object(let fields):
            if fields.isEmpty { return "{}" }
            let sep = pretty ? ": " : ":"
            return "{" + newline + fields.map { pad + Self.quote($0.0) + sep + $0.1.rendered(indent: indent + 1,
                pretty: pretty) }
                .joined(separator: "," + newline) + newline + close + "}"
        }
    }

    public static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
