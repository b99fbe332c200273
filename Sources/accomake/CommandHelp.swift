import Tasks

/// What a command takes and means: the one place a command's options are declared. `Arguments`
/// accepts exactly these options, and `accomake COMMAND --help` prints them, so the help can
/// never miss a flag (swift-argument-parser's idea: the declaration is the documentation).
struct CommandHelp: Sendable {
    /// The tasks the top-level help groups commands by.
    enum Group: String, CaseIterable, Sendable {
        case studies = "Run a study"
        case inputs = "Inspect your inputs"
        case problems = "One problem at a time"
        case cache = "The cache"
        case benchmarks = "Benchmarks (release builds; figures in the README)"
    }

    /// One option: `--name VALUE` (or a flag when `value` is nil).
    struct Option: Sendable {
        var name: String
        /// The placeholder of its value (`N`, `FILE`); nil for a flag.
        var value: String?
        var meaning: String
        /// What holds when it is not given; nil for a flag (off) or a required option.
        var fallback: String?
        var required = false
        /// An example use (`--tile 8x8`); nil for a flag.
        var example: String?
        /// Another spelling (`-j` for `--jobs`).
        var short: String?

        /// The name `Arguments` stores it under: `-j`/`--jobs` are one option, `j`.
        var key: String { short ?? name }
    }

    /// `run`, `bench study`, `cache gc`.
    var name: String
    var group: Group
    /// What follows the name besides options: `STUDY`, `FILE`, `[NODE]`.
    var operands = ""
    var summary: String
    var options: [Option]
    var examples: [String]

    /// The summary's first sentence, for the overview.
    var brief: String {
        guard let end = summary.range(of: ". ") else {
            return summary.hasSuffix(".") ? String(summary.dropLast()) : summary
        }
        return String(summary[..<end.lowerBound])
    }

    var valueOptions: Set<String> {
        Set(options.filter { $0.value != nil }.flatMap { [$0.name] + ($0.short.map { [$0] } ?? []) })
    }
    var flagOptions: Set<String> { Set(options.filter { $0.value == nil }.map(\.name)) }

    /// `accomake COMMAND --help`.
    func rendered(width: Int = 100) -> String {
        let operandText = operands.isEmpty ? "" : " " + operands
        var lines = ["usage: accomake \(name)\(operandText)\(options.isEmpty ? "" : " [options]")", ""]
        lines += Self.wrap(summary, width: width, indent: "")
        if !options.isEmpty {
            lines += ["", "options:"]
            let spelled = options.map { o -> String in
                let long = "--\(o.name)" + (o.value.map { " " + $0 } ?? "")
                return o.short.map { "-\($0) \(o.value ?? ""), " + long } ?? long
            }
            let column = min(26, (spelled.map(\.count).max() ?? 0) + 4)
            for (o, s) in zip(options, spelled) {
                var text = o.meaning
                if o.required {
                    text += " Required."
                } else if let fallback = o.fallback {
                    text += " Default: \(fallback)."
                }
                if let example = o.example { text += " Example: \(example)" }
                let wrapped = Self.wrap(text, width: width - column - 2, indent: "")
                let head = "  " + s
                if head.count + 2 <= column {
                    lines.append(TextColumns.pad(head, column) + (wrapped.first ?? ""))
                } else {
                    lines.append(head)
                    lines.append(String(repeating: " ", count: column) + (wrapped.first ?? ""))
                }
                lines += wrapped.dropFirst().map { String(repeating: " ", count: column) + $0 }
            }
        }
        if !examples.isEmpty {
            lines += ["", "examples:"]
            for example in examples {
                // A long command line continues with a backslash, as a shell reads it.
                let parts = Self.wrap(example, width: width - 6, indent: "")
                for (i, part) in parts.enumerated() {
                    lines.append((i == 0 ? "  " : "      ") + part + (i < parts.count - 1 ? " \\" : ""))
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Words of `text` in lines of at most `width` characters.
    static func wrap(_ text: String, width: Int, indent: String) -> [String] {
        var lines: [String] = [], line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, line.count + 1 + word.count > width {
                lines.append(indent + line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(indent + line) }
        return lines
    }

    /// `accomake --help`: the commands grouped by task, one line each.
    static func overview(width: Int = 100) -> String {
        var lines = ["usage: accomake <command> [options]      accomake <command> --help: its options and examples"]
        for group in Group.allCases {
            lines += ["", group.rawValue + ":"]
            for c in catalog where c.group == group {
                let head = "  " + c.name + (c.operands.isEmpty ? "" : " " + c.operands)
                let wrapped = wrap(c.brief, width: width - 26, indent: "")
                if head.count + 2 <= 26 {
                    lines.append(TextColumns.pad(head, 26) + (wrapped.first ?? ""))
                } else {
                    lines.append(head)
                    lines.append(String(repeating: " ", count: 26) + (wrapped.first ?? ""))
                }
                lines += wrapped.dropFirst().map { String(repeating: " ", count: 26) + $0 }
            }
        }
        lines += ["", "Files and outputs: docs/formats.md. The cache is --cache DIR, else $ACCOMAKE_CACHE, else",
                  "$XDG_CACHE_HOME/accomake, else ~/.cache/accomake; it is trimmed automatically (daily, or at once",
                  "when over the limit): ACCOMAKE_CACHE_MAX_SIZE (default 10G), ACCOMAKE_CACHE_MAX_AGE (default 30d),",
                  "ACCOMAKE_CACHE_GC=off to turn it off."]
        return lines.joined(separator: "\n")
    }

    /// The help of the command `args` start with (`bench study …` → `bench study`).
    static func find(_ args: ArraySlice<String>) -> CommandHelp? {
        let words = Array(args.prefix(2))
        if words.count == 2, let two = catalog.first(where: { $0.name == words.joined(separator: " ") }) { return two }
        return words.first.flatMap { first in catalog.first { $0.name == first } }
    }

    static func named(_ name: String) -> CommandHelp {
        guard let help = catalog.first(where: { $0.name == name }) else {
            preconditionFailure("no help for \(name)")  // a programming error: every command is in the catalog
        }
        return help
    }
}

extension Arguments {
    /// Parses the options `help` declares, naming the command as the help does.
    init(_ args: ArraySlice<String>, help: CommandHelp) throws(UsageError) {
        try self.init(args, command: help.name, options: help.valueOptions, flags: help.flagOptions)
    }
}
