/// The character-level half of the YAML reader: one value on a line (and the lines a flow
/// collection runs over), written to the reader's JSON as it is read.
extension YAMLSubset {
    /// Reads one value from a line's characters (and the lines a flow collection ran over).
    struct Scanner {
        let chars: [Character]
        /// Source line and column of each character.
        let positions: [(Int, Int)]
        let file: String
        var i = 0

        var peek: Character? { i < chars.count ? chars[i] : nil }
        func at(_ offset: Int) -> Character? { i + offset < chars.count ? chars[i + offset] : nil }
        var position: (Int, Int) {
            i < positions.count ? positions[i] : positions.last.map { ($0.0, $0.1 + 1) } ?? (1, 1)
        }

        mutating func skipBlanks() { while peek == " " || peek == "\t" { i += 1 } }

        func fail(_ problem: String, _ fix: String) -> InputError {
            YAMLSubset.fail(file, position.0, position.1, problem, fix)
        }

        mutating func value(into reader: inout Reader, inFlow: Bool) throws(InputError) {
            skipBlanks()
            let line = position.0
            switch peek {
            case "[":
                i += 1
                reader.emit("[", line: line)
                var first = true
                while true {
                    skipBlanks()
                    if peek == "]" { i += 1; break }
                    if !first {
                        guard peek == "," else {
                            throw fail("expected , or ] in a [ ] list", "separate items with commas")
                        }
                        i += 1
                        skipBlanks()
                        if peek == "]" { i += 1; break }
                        reader.emit(",")
                    }
                    first = false
                    try value(into: &reader, inFlow: true)
                }
                reader.emit("]")
            case "{":
                i += 1
                reader.emit("{", line: line)
                var first = true
                var seen: Set<String> = []
                while true {
                    skipBlanks()
                    if peek == "}" { i += 1; break }
                    if !first {
                        guard peek == "," else {
                            throw fail("expected , or } in a { } mapping", "separate entries with commas")
                        }
                        i += 1
                        skipBlanks()
                        if peek == "}" { i += 1; break }
                        reader.emit(",")
                    }
                    first = false
                    let keyLine = position.0
                    let keyStart = position
                    let name = peek == "\"" || peek == "'" ? try quoted() : plain(inFlow: true, stopAtColon: true)
                    guard seen.insert(name).inserted else {
                        throw YAMLSubset.fail(file, keyStart.0, keyStart.1,
                                              "the key \"\(name)\" appears twice in this { } mapping",
                                              "keep one (PyYAML, which ZigZag reads with, silently keeps the last)")
                    }
                    skipBlanks()
                    guard peek == ":" else { throw fail("expected : after the key \"\(name)\"", "write key: value") }
                    i += 1
                    reader.emit(Reader.string(name) + ":", line: keyLine)
                    skipBlanks()
                    if peek == "," || peek == "}" {
                        reader.emit("null")
                    } else {
                        try value(into: &reader, inFlow: true)
                    }
                }
                reader.emit("}")
            case "\"", "'":
                reader.emit(Reader.string(try quoted()), line: line)
            case "|", ">":
                throw fail("block scalars (| and >) are not read", "write the value on one line, quoted if needed")
            case "&", "*", "!":
                throw fail("anchors, aliases and tags (& * !) are not read", "write the value out in full")
            case nil:
                reader.emit("null", line: line)
            default:
                reader.emit(Self.resolve(plain(inFlow: inFlow, stopAtColon: false)), line: line)
            }
        }

        /// A plain scalar: to the end, or in a flow collection to `,` `]` `}` (and `: ` for keys).
        mutating func plain(inFlow: Bool, stopAtColon: Bool) -> String {
            var s = ""
            while let c = peek {
                if inFlow && (c == "," || c == "]" || c == "}") { break }
                if stopAtColon && c == ":" && (at(1) == nil || at(1) == " " || at(1) == "," || at(1) == "}") { break }
                s.append(c)
                i += 1
            }
            while s.hasSuffix(" ") { s.removeLast() }
            return s
        }

        /// A single- or double-quoted scalar, unescaped.
        mutating func quoted() throws(InputError) -> String {
            let q = chars[i], start = position
            i += 1
            var s = ""
            while true {
                guard let c = peek else {
                    throw YAMLSubset.fail(file, start.0, start.1, "the quote \(q) is never closed",
                                          "close it on the same line")
                }
                i += 1
                if c == q {
                    if q == "'" && peek == "'" { s.append("'"); i += 1; continue }
                    return s
                }
                if q == "\"" && c == "\\" {
                    guard let e = peek else { continue }
                    i += 1
                    switch e {
                    case "n": s.append("\n")
                    case "t": s.append("\t")
                    case "r": s.append("\r")
                    case "0": s.append("\0")
                    case "\"", "\\", "/", " ": s.append(e)
                    case "x", "u":
                        let n = e == "x" ? 2 : 4
                        let hex = String(chars[i..<min(chars.count, i + n)])
                        guard hex.count == n, let v = UInt32(hex, radix: 16), let u = Unicode.Scalar(v) else {
                            throw fail("\\\(e) needs \(n) hexadecimal digits",
                                       "write e.g. \\\(e)\(String(repeating: "0", count: n))")
                        }
                        s.unicodeScalars.append(u)
                        i += n
                    default:
                        throw fail("unknown escape \\\(e)", "use \\\\ for a backslash")
                    }
                } else {
                    s.append(c)
                }
            }
        }

        /// A plain scalar as JSON: null, a boolean, a number, or a string.
        static func resolve(_ s: String) -> String {
            switch s {
            case "", "~", "null", "Null", "NULL": return "null"
            case "true", "True", "TRUE": return "true"
            case "false", "False", "FALSE": return "false"
            default: break
            }
            var body = Substring(s)
            var sign = ""
            if let f = body.first, f == "+" || f == "-" {
                sign = f == "-" ? "-" : ""
                body = body.dropFirst()
            }
            let mantissa = body.prefix { $0 != "e" && $0 != "E" }
            let exponent = body.dropFirst(mantissa.count)
            let parts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            let digits = { (x: Substring) in x.allSatisfy { $0.isASCII && $0.isNumber } }
            guard !mantissa.isEmpty, parts.allSatisfy(digits), parts.contains(where: { !$0.isEmpty }) else {
                return Reader.string(s)
            }
            if !exponent.isEmpty {
                var e = exponent.dropFirst()
                if let f = e.first, f == "+" || f == "-" { e = e.dropFirst() }
                guard !e.isEmpty, digits(e) else { return Reader.string(s) }
            }
            var whole = String(parts[0].drop { $0 == "0" })
            if whole.isEmpty { whole = "0" }
            if parts.count == 1 { return sign + whole + exponent }
            let fraction = parts[1].isEmpty ? "0" : String(parts[1])
            return sign + whole + "." + fraction + exponent
        }
    }
}
