/// Reads the part of YAML that ZigZag's hardware and mapping files use — block mappings and
/// sequences (a sequence may sit at its key's indentation, an item may open a mapping: `- name:
/// x`), flow `[…]` and `{…}` (over several lines too), plain, single- and double-quoted scalars,
/// comments — and writes it as JSON text in which every value stays on its YAML line, so that the
/// JSON reader's messages name the YAML file's lines. Anything else (tabs in indentation, block
/// scalars `|` `>`, anchors, aliases, tags, several documents, a plain value continued on the
/// next line) is one error naming the file, line and column.
///
/// Plain scalars resolve as YAML 1.2's core schema does: `null`, `~` and nothing are null,
/// `true`/`false` booleans, decimal integers and floats numbers, anything else a string (`K, 32`).
enum YAMLSubset {
    static func json(_ bytes: [UInt8], file: String) throws(InputError) -> [UInt8] {
        var reader = try Reader(lines: try lines(bytes, file: file), file: file)
        return Array(try reader.document().utf8)
    }

    /// One line with content: its number, indentation, and text without the comment.
    struct Line {
        var number: Int
        var indent: Int
        var text: [Character]
        /// The 1-based column of `text[0]`.
        var column: Int

        var isSequenceItem: Bool { text == ["-"] || (text.count >= 2 && text[0] == "-" && text[1] == " ") }
    }

    static func fail(_ file: String, _ line: Int, _ column: Int, _ problem: String, _ fix: String) -> InputError {
        InputError(file: file, line: line, path: "$", problem: "not read as YAML: \(problem)", fix: fix,
                   column: column)
    }

    /// The lines with content, comments and trailing blanks removed.
    static func lines(_ bytes: [UInt8], file: String) throws(InputError) -> [Line] {
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var out: [Line] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var chars = Array(raw)
            if chars.last == "\r" { chars.removeLast() }
            let indent = chars.prefix { $0 == " " }.count
            if chars.dropFirst(indent).first == "\t" {
                throw fail(file, i + 1, indent + 1, "a tab in the indentation",
                           "indent with spaces (YAML does not allow tabs there)")
            }
            var body = Array(chars.dropFirst(indent))
            body = withoutComment(body)
            while let last = body.last, last == " " || last == "\t" { body.removeLast() }
            if body.isEmpty { continue }
            if body == ["-", "-", "-"] || body == [".", ".", "."] || body.first == "%" {
                if out.isEmpty && body == ["-", "-", "-"] { continue }
                throw fail(file, i + 1, indent + 1, "several documents or a directive",
                           "keep one document per file, without `---` between parts or `%` directives")
            }
            out.append(Line(number: i + 1, indent: indent, text: body, column: indent + 1))
        }
        return out
    }

    /// The text before a `#` that starts a comment (at the start or after a blank, outside quotes).
    static func withoutComment(_ text: [Character]) -> [Character] {
        var quote: Character?
        for (i, c) in text.enumerated() {
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "#" && (i == 0 || text[i - 1] == " " || text[i - 1] == "\t") {
                return Array(text[..<i])
            }
        }
        return text
    }

    /// Walks the lines as nested blocks, writing JSON.
    struct Reader {
        var lines: [Line]
        let file: String
        var index = 0
        var out = ""
        var outLine = 1

        init(lines: [Line], file: String) throws(InputError) {
            self.lines = lines
            self.file = file
        }

        mutating func document() throws(InputError) -> String {
            guard !lines.isEmpty else { return "null" }
            try block()
            if index < lines.count {
                let l = lines[index]
                throw fail(file, l.number, l.column, "this line is indented \(l.indent) spaces, which matches no "
                               + "enclosing block", "align it with the key or list item it belongs to")
            }
            return out + "\n"
        }

        /// Writes `token` on source line `line` (new lines first, so later tokens keep their lines).
        mutating func emit(_ token: String, line: Int? = nil) {
            if let line {
                while outLine < line {
                    out += "\n"
                    outLine += 1
                }
            }
            out += token
        }

        /// The block starting at the current line: a sequence, a mapping or one value.
        mutating func block() throws(InputError) {
            let l = lines[index]
            if l.isSequenceItem {
                try sequence(indent: l.indent)
            } else if try key(l) != nil {
                try mapping(indent: l.indent)
            } else {
                try inlineValue()
            }
        }

        mutating func sequence(indent: Int) throws(InputError) {
            emit("[", line: lines[index].number)
            var first = true
            while index < lines.count, lines[index].indent == indent, lines[index].isSequenceItem {
                if !first { emit(",") }
                first = false
                let l = lines[index]
                let rest = l.text.dropFirst().drop { $0 == " " }
                if rest.isEmpty {
                    index += 1
                    if index < lines.count, lines[index].indent > indent {
                        try block()
                    } else {
                        emit("null", line: l.number)
                    }
                } else {
                    // The item's content read as a line of its own, indented where it starts.
                    let offset = l.text.count - rest.count
                    lines[index] = Line(number: l.number, indent: l.indent + offset, text: Array(rest),
                                        column: l.column + offset)
                    try block()
                }
            }
            emit("]")
        }

        mutating func mapping(indent: Int) throws(InputError) {
            emit("{", line: lines[index].number)
            var first = true
            var seen: [String: Int] = [:]
            while index < lines.count, lines[index].indent == indent {
                let l = lines[index]
                guard let (name, after) = try key(l) else {
                    let what = l.isSequenceItem ? "a list item where a key was expected"
                        : "a line without `key: value` among keys"
                    throw fail(file, l.number, l.column, what,
                               "indent the list under its key, or write `key: value`")
                }
                if let earlier = seen[name] {
                    throw fail(file, l.number, l.column, "the key \"\(name)\" appears twice in this mapping (lines "
                                   + "\(earlier) and \(l.number))",
                               "keep one (PyYAML, which ZigZag reads with, silently keeps the last)")
                }
                seen[name] = l.number
                if !first { emit(",") }
                first = false
                emit(Self.string(name) + ":", line: l.number)
                let rest = l.text[after...].drop { $0 == " " }
                if rest.isEmpty {
                    index += 1
                    if index < lines.count, lines[index].indent > indent {
                        try block()
                    } else if index < lines.count, lines[index].indent == indent, lines[index].isSequenceItem {
                        try sequence(indent: indent)  // `key:` then `- item` at the key's own indentation
                    } else {
                        emit("null")
                    }
                } else {
                    let offset = l.text.count - rest.count
                    lines[index] = Line(number: l.number, indent: l.indent + offset, text: Array(rest),
                                        column: l.column + offset)
                    try inlineValue()
                    if index < lines.count, lines[index].indent > indent {
                        let next = lines[index]
                        throw fail(file, next.number, next.column, "a value continued on the next line, or a "
                                       + "block under a key that already has a value",
                                   "put the value on one line (quote it if it is long), or leave the key's line "
                                       + "empty after the colon")
                    }
                }
            }
            emit("}")
        }

        /// A `key:` at the start of the line: the key and the index after the colon; nil when the
        /// line is not a mapping entry.
        func key(_ l: Line) throws(InputError) -> (String, Int)? {
            let t = l.text
            guard let c = t.first, c != "[", c != "{", !l.isSequenceItem else { return nil }
            if c == "\"" || c == "'" {
                var scanner = Scanner(chars: t, positions: t.indices.map { (l.number, l.column + $0) }, file: file)
                let name = try scanner.quoted()
                scanner.skipBlanks()
                guard scanner.peek == ":", scanner.at(1) == nil || scanner.at(1) == " " else { return nil }
                return (name, scanner.i + 1)
            }
            for i in t.indices where t[i] == ":" && (i + 1 == t.count || t[i + 1] == " ") {
                var name = String(t[..<i])
                while name.hasSuffix(" ") { name.removeLast() }
                return name.isEmpty ? nil : (name, i + 1)
            }
            return nil
        }

        /// The value that starts the current line (flow collections may run over later lines).
        mutating func inlineValue() throws(InputError) {
            let l = lines[index]
            var chars = l.text
            var positions = l.text.indices.map { (l.number, l.column + $0) }
            index += 1
            if chars.first == "[" || chars.first == "{" {
                while !Self.balanced(chars) {
                    guard index < lines.count else {
                        throw fail(file, l.number, l.column, "\(chars[0]) is never closed",
                                   "close it with \(chars[0] == "[" ? "]" : "}")")
                    }
                    let next = lines[index]
                    chars.append(" ")
                    positions.append((next.number, next.column - 1))
                    chars += next.text
                    positions += next.text.indices.map { (next.number, next.column + $0) }
                    index += 1
                }
            }
            var scanner = Scanner(chars: chars, positions: positions, file: file)
            try scanner.value(into: &self, inFlow: false)
            scanner.skipBlanks()
            if let c = scanner.peek {
                let (line, column) = scanner.position
                throw fail(file, line, column, "unexpected \"\(c)\" after the value",
                           "quote the value if it contains it, or remove it")
            }
        }

        /// Whether every `[`/`{` outside quotes is closed.
        static func balanced(_ chars: [Character]) -> Bool {
            var depth = 0
            var quote: Character?
            for c in chars {
                if let q = quote {
                    if c == q { quote = nil }
                } else if c == "\"" || c == "'" {
                    quote = c
                } else if c == "[" || c == "{" {
                    depth += 1
                } else if c == "]" || c == "}" {
                    depth -= 1
                }
            }
            return depth <= 0
        }

        /// A JSON string literal (the one escaping the JSON output uses).
        static func string(_ s: String) -> String { JSONText.quote(s) }
    }

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
