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
}
